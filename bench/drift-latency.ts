// Drift latency: how long after a config file is saved does the monitor commit the alert?
// A real Monitor (in-process, real SQLite store in a temp data dir) watches a Claude Desktop config in
// a fake home. After the baseline scan, EDITS saves land by rename-over (temp file in the same
// folder, renameSync onto the config), each changing one server's args so that each raises a NEW high
// `launch_changed` alert. Per edit: t0 = performance.now() right after renameSync returns; t1 = the
// notifier call carrying that edit's alert (called after the scan's transaction commits). Edits are
// sequential: the next one lands only after this one's alert and fs.watch event have arrived (plus
// GAP_MS). Baseline, same process, same renames: a bare fs.watch on the config's folder, created
// before the monitor so libuv calls it first for each inotify event; t1 = its first event naming the
// config file after the rename.
// Goal: monitor p99 under 100 ms and at most 20x the bare fs.watch p99.
// An edit whose alert does not come within MISS_AFTER_MS is counted as missed (check.*) and the next
// edit lands; the goal is not met unless every edit raised its alert.
// Run: node bench/drift-latency.ts [edits]
//   env BENCH_EDIT_GAP_MS: extra pause after each edit's alert, default 0 (diagnostic: 60 spaces saves
//   beyond chokidar's 50 ms per-file 'change' throttle); BENCH_MISS_AFTER_MS: default 250.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Alert } from '../core/api/alert.ts';
import type { PlatformEnv } from '../core/api/discovery.ts';
import { Monitor } from '../core/monitor/monitor.ts';
import { openStore } from '../core/store/database.ts';
import { latencySummary } from './lib/percentiles.ts';
import { machine, round } from './lib/stats.ts';

const EDITS = Number(process.argv[2] ?? 200);
const GAP_MS = Number(process.env.BENCH_EDIT_GAP_MS ?? 0);
/**
 * An edit whose alert has not arrived by then is counted as missed and the next edit lands. A missed
 * edit's alert can only come with a later scan, so its latency includes this wait: a lower bound of
 * how long a user would wait (forever, if nothing else changes the file).
 */
const MISS_AFTER_MS = Number(process.env.BENCH_MISS_AFTER_MS ?? 250);
const GOAL = { p99_ms_under: 100, max_ratio_to_fs_watch: 20 };
const BASELINE_FLOOR_MS = 1;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-drift-'));
const home = path.join(root, 'home');
const dataDir = path.join(root, 'data');
const folder = path.join(home, '.config', 'Claude');
const configFile = path.join(folder, 'claude_desktop_config.json');
const where: PlatformEnv = { platform: 'linux', homedir: home, env: { HOME: home } };

/** Five realistic servers; the four stdio ones take turns being edited. */
const BASE_ARGS: Record<string, string[]> = {
  filesystem: ['-y', '@modelcontextprotocol/server-filesystem@2025.8.21', path.join(home, 'projects')],
  github: ['-y', '@modelcontextprotocol/server-github@2025.4.8'],
  local: [path.join(home, 'mcp', 'notes', 'server.js'), '--stdio'],
  fetch: ['mcp-server-fetch==2025.4.7'],
};
const EDITED = Object.keys(BASE_ARGS);
const args = structuredClone(BASE_ARGS);

function config(): Record<string, unknown> {
  return {
    globalShortcut: 'Alt+Space',
    isUsingBuiltInNodeForMcp: true,
    preferences: { menuBarEnabled: false, quickEntryShortcut: 'off' },
    mcpServers: {
      filesystem: { command: 'npx', args: args.filesystem },
      github: { command: 'npx', args: args.github, env: { GITHUB_TOOLSETS: 'repos,issues', LOG_LEVEL: 'info' } },
      local: { command: 'node', args: args.local, env: { NOTES_DIR: path.join(home, 'notes') } },
      fetch: { command: 'uvx', args: args.fetch },
      docs: { type: 'http', url: 'https://mcp.example.com/docs/mcp', headers: { 'X-Team': 'platform', Accept: 'application/json, text/event-stream' } },
    },
  };
}

let seq = 0;
/** Saves the config as editors do and returns t0, taken the instant renameSync returns. */
function saveByRename(): number {
  const tmp = `${configFile}.tmp-${process.pid}-${seq++}`;
  fs.writeFileSync(tmp, `${JSON.stringify(config(), null, 2)}\n`);
  fs.renameSync(tmp, configFile);
  return performance.now();
}

const REV = /^--bench-rev=(\d+)$/;
/** The edit number an alert is about: the `--bench-rev=N` in the args it reports. */
function revOf(alert: Alert): number | undefined {
  const after = (alert.details.fields as { args?: { after?: unknown } } | undefined)?.args?.after;
  if (!Array.isArray(after)) return undefined;
  for (const a of after) {
    const m = typeof a === 'string' ? REV.exec(a) : null;
    if (m) return Number(m[1]);
  }
  return undefined;
}

// Per-edit state, written by the callbacks below.
const t0 = new Map<number, number>();
const monitorT1 = new Map<number, number>();
const bareT1 = new Map<number, number>();
let armed: number | undefined; // the edit the bare watcher's next config event belongs to
let bareEvents = 0;
let scans = 0;
const unexpected: string[] = [];
const errors: string[] = [];
let wake: (() => void) | undefined;
const poke = () => wake?.();

fs.mkdirSync(folder, { recursive: true });
saveByRename();

// The baseline watcher first: libuv calls a path's watchers in creation order, so its timestamp is
// taken before chokidar (and the scan it triggers) runs for the same event.
const base = path.basename(configFile);
const bare = fs.watch(folder, (_event, filename) => {
  if (filename !== base) return;
  bareEvents++;
  if (armed !== undefined && !bareT1.has(armed)) {
    bareT1.set(armed, performance.now());
    poke();
  }
});

const store = openStore(dataDir);
const monitor = new Monitor({
  store,
  env: process.env,
  where,
  notifier: {
    notify(alerts) {
      const now = performance.now();
      for (const alert of alerts) {
        const rev = alert.type === 'launch_changed' ? revOf(alert) : undefined;
        if (rev === undefined || !t0.has(rev) || monitorT1.has(rev)) {
          unexpected.push(`${alert.type} (${alert.severity}): ${alert.title}`);
          continue;
        }
        monitorT1.set(rev, now);
      }
      poke();
    },
  },
  onScan: () => void scans++,
  onError: (error, location) => errors.push(`${location?.path ?? '?'}: ${error.message}`),
});

async function until(done: () => boolean, deadline: number): Promise<void> {
  while (!done()) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  }
}

try {
  const first = await monitor.start();
  const baseline = first.find((r) => r.location.path === configFile);
  if (baseline?.state !== 'ok' || baseline.servers.length !== 5) throw new Error(`baseline scan: expected 5 servers, got ${JSON.stringify(baseline?.state)} / ${baseline?.servers.length}`);
  if (baseline.opened.some((a) => a.severity === 'high' || a.severity === 'critical')) throw new Error('baseline scan raised a high alert');
  await new Promise((r) => setTimeout(r, 200)); // let the watcher's initial bookkeeping settle
  bareEvents = 0;
  const startScans = scans;

  const missed: number[] = [];
  const runStart = performance.now();
  for (let i = 0; i < EDITS; i++) {
    const name = EDITED[i % EDITED.length] as string;
    args[name] = [...(BASE_ARGS[name] as string[]), `--bench-rev=${i}`];
    armed = i;
    t0.set(i, saveByRename());
    await until(() => monitorT1.has(i) && bareT1.has(i), (t0.get(i) as number) + MISS_AFTER_MS);
    if (!monitorT1.has(i)) missed.push(i);
    if (GAP_MS > 0) await new Promise((r) => setTimeout(r, GAP_MS));
  }
  // A missed edit's alert may still come with a later scan; give the last one its chance.
  await until(() => missed.every((i) => monitorT1.has(i)), performance.now() + MISS_AFTER_MS);
  const runMs = performance.now() - runStart;
  armed = undefined;

  const lat = (t1: Map<number, number>, skip: readonly number[] = []) =>
    [...Array(EDITS).keys()].filter((i) => t1.has(i) && !skip.includes(i)).map((i) => (t1.get(i) as number) - (t0.get(i) as number));
  const monitorLat = lat(monitorT1);
  const directLat = lat(monitorT1, missed);
  const bareLat = lat(bareT1);
  const neverAlerted = EDITS - monitorLat.length;
  const lateAlerted = missed.filter((i) => monitorT1.has(i)).length;
  const launchAlerts = (store.db.prepare("SELECT count(*) AS n FROM alerts WHERE type = 'launch_changed'").get() as { n: number }).n;

  const m = latencySummary(monitorLat.length > 0 ? monitorLat : [Number.POSITIVE_INFINITY]);
  const b = latencySummary(bareLat.length > 0 ? bareLat : [Number.POSITIVE_INFINITY]);
  const ratio = m.p99_ms / b.p99_ms;
  const flooredRatio = m.p99_ms / Math.max(b.p99_ms, BASELINE_FLOOR_MS);
  const complete = neverAlerted === 0 && bareLat.length === EDITS && errors.length === 0 && unexpected.length === 0 && launchAlerts === EDITS;
  const meets = complete && m.p99_ms < GOAL.p99_ms_under && ratio <= GOAL.max_ratio_to_fs_watch;

  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'drift-latency',
      scenario: `Claude Desktop config, 5 servers; ${EDITS} sequential rename-over saves, each raising one new high launch_changed alert`,
      edits: EDITS,
      gap_between_edits_ms: GAP_MS,
      run_ms: round(runMs),
      monitor: { measured: 't0 = renameSync returned -> t1 = notifier called with the committed alert (every edit whose alert came at all)', ...m },
      monitor_edits_not_missed: {
        note: `diagnostic: only the edits whose own scan raised the alert within ${MISS_AFTER_MS} ms; not the goal figure`,
        ...(directLat.length > 0 ? latencySummary(directLat) : { samples: 0 }),
      },
      baseline: { measured: 't0 = renameSync returned -> t1 = first bare fs.watch event for the file name', ...b },
      p99_ratio: round(ratio, 1),
      p99_ratio_with_baseline_floor_1ms: { note: `monitor p99 / max(fs.watch p99, ${BASELINE_FLOOR_MS} ms); informative only, not the goal`, ratio: round(flooredRatio, 1) },
      check: {
        complete,
        alerts_missed_within_ms: { [MISS_AFTER_MS]: missed.length },
        alerts_raised_late_by_a_later_scan: lateAlerted,
        alerts_never_raised: neverAlerted,
        launch_changed_alerts_in_db: launchAlerts,
        committed_scans: scans - startScans,
        bare_fs_watch_events_for_the_file: bareEvents,
        unexpected_alerts: unexpected.slice(0, 5),
        errors: errors.slice(0, 5),
      },
      goal: GOAL,
      meets_goal: meets,
      machine: { ...machine(), cpus: os.availableParallelism() },
    }, null, 2)}\n`,
  );
} finally {
  bare.close();
  await monitor.stop();
  store.close();
  fs.rmSync(root, { recursive: true, force: true });
}
