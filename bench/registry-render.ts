// The Registry screen in Chromium (Debian's /usr/bin/chromium through playwright-core) with 10,000
// servers, beside the same screen with 100 servers, same run, same browser:
// - time to first rows: navigation start to the first `server-row` in the DOM (median of ROUNDS
//   fresh loads, alternating the two lists so neither gets a warmer machine);
// - a scripted scroll of FRAMES animation frames at STEP px per frame (from the middle of the 10,000
//   list, which has to fetch pages it has not seen; from the top of the 100 one, bouncing at its
//   ends): the main thread's script time per frame (CDP Performance.getMetrics ScriptDuration delta
//   divided by frames), the frame intervals, and long tasks (> 50 ms) during the scroll.
// Goal: first rows with 10,000 under 2x the 100-server time.
// Run: node bench/registry-render.ts [rounds]   (after npm run build:cli; builds the UI itself)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { launchOptions, sessionFromLoginLink, signedInContext } from '../test/e2e/helpers/chromium.ts';
import { firstRowsMs, instrumentRegistry, longTasks, scriptedScroll } from '../test/e2e/helpers/registry-timing.ts';
import { seedServers } from '../test/e2e/helpers/seed.ts';
import { startServeUi, type ServedUi } from './lib/serve-ui.ts';
import { machine, median, round } from './lib/stats.ts';

const ROUNDS = Number(process.argv[2] ?? 7);
const FRAMES = 240;
const STEP = 60;
const repo = path.resolve(import.meta.dirname, '..');
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-render-'));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface List {
  servers: number;
  served: ServedUi;
  /** The web UI session from the login link. */
  session: string;
  loads: number[];
}


async function load(browser: Browser, list: List): Promise<number> {
  const context = await signedInContext(browser, list.served.origin, list.session, { viewport: { width: 1280, height: 800 } });
  await instrumentRegistry(context);
  const page = await context.newPage();
  await page.goto(`${list.served.origin}/#/`);
  const ms = await firstRowsMs(page);
  await context.close();
  return ms;
}

async function scroll(browser: Browser, list: List) {
  const context = await signedInContext(browser, list.served.origin, list.session, { viewport: { width: 1280, height: 800 } });
  await instrumentRegistry(context);
  const page = await context.newPage();
  await page.goto(`${list.served.origin}/#/`);
  await firstRowsMs(page);
  await longTasks(page, true);
  const run = await scriptedScroll(page, { frames: FRAMES, step: STEP, startFraction: list.servers > 1000 ? 0.5 : 0 });
  const tasks = await longTasks(page);
  await context.close();
  return {
    frames: run.frames,
    script_ms_per_frame: round(run.script_ms / run.frames, 3),
    frame_ms: { p50: round(percentile(run.frame_ms, 50), 1), p95: round(percentile(run.frame_ms, 95), 1), max: round(Math.max(...run.frame_ms), 1) },
    long_tasks: { count: tasks.length, max_ms: round(Math.max(0, ...tasks), 1) },
  };
}

const lists: List[] = [];
let browser: Browser | undefined;
try {
  // The UI as its sources are now (the same build `npm test` makes), served by serve from out/renderer.
  const build = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--logLevel', 'error'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('electron-vite build failed');

  browser = await chromium.launch(launchOptions());
  for (const servers of [100, 10_000]) {
    const home = path.join(root, `data-${servers}`);
    seedServers(home, servers);
    const served = await startServeUi(home, path.join(root, `home-${servers}`));
    lists.push({ servers, served, session: await sessionFromLoginLink(browser, served.loginUrl), loads: [] });
  }
  const [small, large] = lists as [List, List];

  // One warm-up load each (Chromium's caches, serve's JIT and statement caches), then alternate.
  await load(browser, small);
  await load(browser, large);
  for (let i = 0; i < ROUNDS; i++) {
    small.loads.push(await load(browser, small));
    large.loads.push(await load(browser, large));
  }
  const smallScroll = await scroll(browser, small);
  const largeScroll = await scroll(browser, large);

  const firstRows = (list: List) => ({ median_ms: round(median(list.loads), 1), min_ms: round(Math.min(...list.loads), 1), max_ms: round(Math.max(...list.loads), 1) });
  const ratio = median(large.loads) / median(small.loads);
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'registry-render',
        browser: `Chromium ${browser.version()} (headless, ${launchOptions().executablePath})`,
        viewport: '1280x800',
        rounds: ROUNDS,
        scroll: { frames: FRAMES, px_per_frame: STEP },
        registry_10000: { servers: large.servers, first_rows: firstRows(large), scroll: largeScroll },
        baseline: { what: 'the same Registry screen with 100 servers, same run', servers: small.servers, first_rows: firstRows(small), scroll: smallScroll },
        first_rows_ratio: round(ratio, 3),
        script_ms_per_frame_ratio: round(largeScroll.script_ms_per_frame / Math.max(smallScroll.script_ms_per_frame, 0.001), 3),
        goal: { max_first_rows_ratio: 2 },
        meets_goal: ratio < 2,
        machine: machine(),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await browser?.close();
  for (const list of lists) await list.served.stop();
  rmSync(root, { recursive: true, force: true });
}
