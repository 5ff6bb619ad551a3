// Rescan scale (issue 11, finding 9): how a scan and a rescan grow from 2,000 to 20,000 servers.
// A fake home holds a Claude Desktop config of N entries (npx/node/uvx stdio servers, some with env,
// http servers with headers). The built CLI runs `mcp-warden scan --json` as a subprocess on a fresh
// data dir: the first scan (registers all N as the baseline), then the rescan after every entry's
// version was bumped (N launch_changed alerts raised, N servers rescored: the case that was
// quadratic, each rescore reading the whole alerts table), then a rescan with nothing changed.
// Floor, same run and sizes: a bare Node script reading and JSON.parsing the config, and a bare
// better-sqlite3 INSERT of N rows in one transaction (bench/lib/bare-insert.mjs).
// Every CLI report is checked (N servers, all registered; N launch changes on the rescan).
// Goal: the rescan of 20,000 at most 12x the rescan of 2,000 (near linear; main: over 80x).
// Run: node bench/rescan-scale.ts [small] [large]   (after npm run build:cli; defaults 2000 20000)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machine, median, round } from './lib/stats.ts';

const SMALL = Number(process.argv[2] ?? 2000);
const LARGE = Number(process.argv[3] ?? 20000);
/** Rounds per size: the small size is cheap enough for a median of three. */
const roundsFor = (n: number): number => (n <= 5000 ? 3 : 1);
const GOAL = { rescan_ratio_at_most: 12 };

const here = import.meta.dirname;
const bin = path.resolve(here, '..', 'bin', 'mcp-warden.mjs');
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-rescan-'));
const home = path.join(root, 'home');
const config = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
const rssFile = path.join(root, 'rss');
const rssImport = ['--import', pathToFileURL(path.join(here, 'lib', 'peak-rss.mjs')).href];
const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, BENCH_RSS_FILE: rssFile };
for (const key of ['XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR', 'APPDATA', 'MCP_WARDEN_HOME']) delete env[key];

const SERVICES = ['github', 'filesystem', 'postgres', 'slack', 'jira', 'sentry', 'linear', 'notion', 'browser', 'search'];

/** Entry j at `version`: bumping the version changes every entry's launch. */
function entry(j: number, version: number): Record<string, unknown> {
  const service = SERVICES[j % SERVICES.length] as string;
  const withEnv = j % 3 === 0 ? { env: { LOG_LEVEL: 'info', [`${service.toUpperCase()}_TOKEN`]: `\${${service.toUpperCase()}_TOKEN}` } } : {};
  switch (j % 4) {
    case 0:
      return { command: 'npx', args: ['-y', `@acme/mcp-${service}-${j}@1.${version}.0`], ...withEnv };
    case 1:
      return { command: 'node', args: [path.join(home, 'tools', `${service}-mcp`, 'dist', 'server.js'), '--stdio', `--release=${version}`], ...withEnv };
    case 2:
      return { command: 'uvx', args: [`mcp-server-${service}-${j}==2.${version}.0`, '--transport', 'stdio'], ...withEnv };
    default:
      return { type: 'http', url: `https://mcp.example.com/${service}/${j}/v${version}`, headers: { Authorization: `Bearer \${${service.toUpperCase()}_TOKEN}`, 'X-Team': 'core' } };
  }
}

function writeConfig(count: number, version: number): void {
  mkdirSync(path.dirname(config), { recursive: true });
  const mcpServers = Object.fromEntries(Array.from({ length: count }, (_, j) => [`${SERVICES[j % SERVICES.length]}-${String(j).padStart(5, '0')}`, entry(j, version)]));
  writeFileSync(config, `${JSON.stringify({ globalShortcut: 'Alt+Space', mcpServers }, null, 2)}\n`);
}

interface Run {
  ms: number;
  rssMb: number;
  stdout: string;
}

function run(args: string[], okStatus: readonly number[]): Run {
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const result = spawnSync(process.execPath, [...rssImport, ...args], { env, cwd: root, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status === null || !okStatus.includes(result.status)) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, stdout: result.stdout };
}

interface ScanReport {
  configs: { path: string; state: string; servers: { server_id: string | null }[] }[];
  findings: { type: string }[];
}

/** Throws unless the report is a complete scan of the config: `count` servers registered, `changes` launch changes. */
function check(stdout: string, count: number, changes: number): void {
  const report = JSON.parse(stdout) as ScanReport;
  const scanned = report.configs.find((c) => c.path === config);
  if (scanned === undefined || scanned.state !== 'ok') throw new Error(`scan report: ${config} missing or not ok`);
  const registered = scanned.servers.filter((s) => s.server_id !== null).length;
  if (scanned.servers.length !== count || registered !== count) throw new Error(`scan report: ${scanned.servers.length} servers, ${registered} registered; expected ${count}`);
  const launchChanges = report.findings.filter((f) => f.type === 'launch_changed').length;
  if (launchChanges !== changes) throw new Error(`scan report: ${launchChanges} launch changes, expected ${changes}`);
}

const summary = (runs: Run[]) => ({
  median_ms: round(median(runs.map((r) => r.ms))),
  min_ms: round(Math.min(...runs.map((r) => r.ms))),
  max_ms: round(Math.max(...runs.map((r) => r.ms))),
  peak_rss_mb: round(Math.max(...runs.map((r) => r.rssMb)), 1),
});

function measureSize(count: number) {
  const rounds = roundsFor(count);
  const firsts: Run[] = [];
  const rescans: Run[] = [];
  const unchanged: Run[] = [];
  const reads: Run[] = [];
  const inserts: Run[] = [];
  for (let i = 0; i < rounds; i++) {
    const dataDir = path.join(root, `data-${count}-${i}`);
    const cli = [bin, '--home', dataDir, 'scan', '--json'];
    writeConfig(count, 0);
    const bytes = statSync(config).size;
    const read = run([path.join(here, 'lib', 'read-json-files.mjs'), config], [0]);
    if ((JSON.parse(read.stdout) as { servers: number }).servers !== count) throw new Error('baseline read the wrong number of servers');
    reads.push(read);
    const floorDir = mkdtempSync(path.join(root, 'floor-'));
    const insert = run([path.join(here, 'lib', 'bare-insert.mjs'), floorDir, String(count)], [0]);
    if ((JSON.parse(insert.stdout) as { rows: number }).rows !== count) throw new Error('baseline inserted the wrong number of rows');
    inserts.push(insert);
    rmSync(floorDir, { recursive: true, force: true });
    // scan exits 3 when a finding is high or critical (a launch change is); that is a completed scan.
    const first = run(cli, [0, 3]);
    check(first.stdout, count, 0);
    firsts.push({ ...first, stdout: '' });
    writeConfig(count, 1);
    const rescan = run(cli, [0, 3]);
    check(rescan.stdout, count, count);
    rescans.push({ ...rescan, stdout: '' });
    const again = run(cli, [0, 3]);
    check(again.stdout, count, count);
    unchanged.push({ ...again, stdout: '' });
    rmSync(dataDir, { recursive: true, force: true });
    if (i === rounds - 1) {
      return {
        servers: count,
        config_mb: round(bytes / 1024 / 1024, 2),
        rounds,
        first_scan: { command: 'mcp-warden --home <fresh data dir> scan --json', ...summary(firsts) },
        rescan: { command: `same data dir, every entry's version bumped: ${count} launch_changed alerts, ${count} servers rescored`, ...summary(rescans) },
        rescan_unchanged: { command: 'same data dir, nothing changed since', ...summary(unchanged) },
        floor: {
          read_parse: { command: 'bare node: readFileSync + JSON.parse of the config', ...summary(reads) },
          bare_insert: { command: `bare node + better-sqlite3: INSERT of ${count} server-shaped rows in one transaction`, ...summary(inserts) },
        },
      };
    }
  }
  throw new Error('no rounds');
}

try {
  const small = measureSize(SMALL);
  const large = measureSize(LARGE);
  const ratio = (a: { median_ms: number }, b: { median_ms: number }) => round(a.median_ms / b.median_ms, 1);
  const rescanRatio = ratio(large.rescan, small.rescan);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'rescan-scale',
      scenario: `one Claude Desktop config of ${SMALL} and of ${LARGE} servers (npx/node/uvx stdio with env, http with headers), scanned by the built CLI`,
      small,
      large,
      ratios: {
        servers: round(LARGE / SMALL, 1),
        rescan: rescanRatio,
        first_scan: ratio(large.first_scan, small.first_scan),
        rescan_unchanged: ratio(large.rescan_unchanged, small.rescan_unchanged),
        floor_read_parse: ratio(large.floor.read_parse, small.floor.read_parse),
        floor_bare_insert: ratio(large.floor.bare_insert, small.floor.bare_insert),
      },
      per_server_ms: {
        rescan: { [String(SMALL)]: round(small.rescan.median_ms / SMALL, 3), [String(LARGE)]: round(large.rescan.median_ms / LARGE, 3) },
        first_scan: { [String(SMALL)]: round(small.first_scan.median_ms / SMALL, 3), [String(LARGE)]: round(large.first_scan.median_ms / LARGE, 3) },
      },
      goal: GOAL,
      meets_goal: rescanRatio <= GOAL.rescan_ratio_at_most,
      machine: { ...machine(), cpus: os.availableParallelism(), load_average: os.loadavg().map((l) => round(l, 2)) },
    }, null, 2)}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
