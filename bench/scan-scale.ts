// Scan scale: 50 clients' configs x 200 servers (10,000 servers) found in ONE `mcp-warden scan --json`.
// A fake home holds ~/.claude.json naming 50 project folders (inside the fake home), each with a
// .mcp.json of 200 realistic entries (npx/node/uvx stdio servers, http servers with headers, some env
// vars; the same 200 keys in every project, as when projects share a template). The built CLI runs
// as a subprocess with HOME = the fake home: wall time and peak RSS of the first scan (fresh data
// dir: registers all 10,000 as the baseline) and of a second scan on the same data dir (nothing
// changed). Baseline, same run: a bare Node script that reads and JSON.parses the same 51 files.
// Every CLI run's JSON report is checked (10,000 servers, 51 configs, all registered).
// Goal: first scan under 2 s and peak RSS under 200 MB.
// Run: node bench/scan-scale.ts [projects] [servers-per-project]   (after npm run build:cli)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machine, median, round } from './lib/stats.ts';

const PROJECTS = Number(process.argv[2] ?? 50);
const PER_PROJECT = Number(process.argv[3] ?? 200);
const TOTAL = PROJECTS * PER_PROJECT;
const RUNS = 3; // first + second scan pairs, each pair on its own fresh data dir
const BARE_RUNS = 7;
const GOAL = { first_scan_ms_under: 2000, peak_rss_mb_under: 200 };

const here = import.meta.dirname;
const bin = path.resolve(here, '..', 'bin', 'mcp-warden.mjs');
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-scan-'));
const home = path.join(root, 'home');
const rssFile = path.join(root, 'rss');
const rssImport = ['--import', pathToFileURL(path.join(here, 'lib', 'peak-rss.mjs')).href];

const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, BENCH_RSS_FILE: rssFile };
for (const key of ['XDG_CONFIG_HOME', 'CLAUDE_CONFIG_DIR', 'APPDATA', 'MCP_WARDEN_HOME']) delete env[key];

const SCOPES = ['acme', 'contoso', 'initech', 'umbrella', 'globex'];
const SERVICES = ['github', 'filesystem', 'postgres', 'slack', 'jira', 'sentry', 'linear', 'notion', 'browser', 'search'];

/** Entry j of a project's .mcp.json: a mix of the launch styles seen in real configs. */
function entry(project: number, j: number): [string, Record<string, unknown>] {
  const service = SERVICES[j % SERVICES.length] as string;
  const key = `${service}-${String(j).padStart(3, '0')}`;
  const scope = SCOPES[j % SCOPES.length] as string;
  const withEnv = j % 3 === 0;
  const envVars = { LOG_LEVEL: j % 2 === 0 ? 'info' : 'warn', [`${service.toUpperCase()}_API_URL`]: `https://${service}.internal.example.com/api/v${1 + (j % 3)}`, [`${service.toUpperCase()}_TOKEN`]: `\${${service.toUpperCase()}_TOKEN}` };
  switch (j % 4) {
    case 0:
      return [key, { command: 'npx', args: ['-y', `@${scope}/mcp-${service}-server@1.${j % 10}.${project % 7}`], ...(withEnv ? { env: envVars } : {}) }];
    case 1:
      return [key, { command: 'node', args: [path.join(home, 'tools', `${service}-mcp`, 'dist', 'server.js'), '--stdio', `--project=proj-${project}`], ...(withEnv ? { env: envVars } : {}) }];
    case 2:
      return [key, { command: 'uvx', args: [`mcp-server-${service}==1.${j % 5}.0`, '--transport', 'stdio'], ...(withEnv ? { env: envVars } : {}) }];
    default:
      return [key, { type: 'http', url: `https://mcp.${scope}.example.com/${service}/mcp?tenant=p${project}`, headers: { Authorization: `Bearer \${${service.toUpperCase()}_TOKEN}`, 'X-Team': scope, 'X-Request-Source': 'claude-code' } }];
  }
}

function buildHome(): string[] {
  const projects: Record<string, unknown> = {};
  const files: string[] = [];
  for (let p = 0; p < PROJECTS; p++) {
    const dir = path.join(home, 'src', `proj-${String(p).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.mcp.json');
    const mcpServers = Object.fromEntries(Array.from({ length: PER_PROJECT }, (_, j) => entry(p, j)));
    writeFileSync(file, `${JSON.stringify({ mcpServers }, null, 2)}\n`);
    files.push(file);
    projects[dir] = { allowedTools: [], history: [{ display: 'run the tests', pastedContents: {} }], mcpContextUris: [], mcpServers: {}, enabledMcpjsonServers: [], disabledMcpjsonServers: [], hasTrustDialogAccepted: true, projectOnboardingSeenCount: 1 };
  }
  const claudeJson = path.join(home, '.claude.json');
  writeFileSync(claudeJson, `${JSON.stringify({ numStartups: 42, installMethod: 'npm-global', autoUpdates: true, userID: 'bench', projects }, null, 2)}\n`);
  return [claudeJson, ...files];
}

interface Run {
  ms: number;
  rssMb: number;
  stdout: string;
  status: number | null;
}

function run(args: string[], okStatus: readonly number[]): Run {
  rmSync(rssFile, { force: true });
  const start = performance.now();
  const result = spawnSync(process.execPath, [...rssImport, ...args], { env, cwd: root, maxBuffer: 1 << 30, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status === null || !okStatus.includes(result.status)) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return { ms, rssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, stdout: result.stdout, status: result.status };
}

interface ScanReport {
  configs: { client: string; path: string; state: string; servers: { server_id: string | null }[] }[];
  summary: { configs: number; servers: number };
}

/** Throws unless the report is a complete scan of the fake home. */
function check(stdout: string, files: readonly string[]): { configs: number; servers: number; registered: number } {
  const report = JSON.parse(stdout) as ScanReport;
  const byPath = new Map(report.configs.map((c) => [c.path, c]));
  for (const file of files) {
    const config = byPath.get(file);
    if (config === undefined || config.state !== 'ok') throw new Error(`scan report: ${file} missing or not ok (${config?.state})`);
    if (file.endsWith('.mcp.json') && config.servers.length !== PER_PROJECT) throw new Error(`scan report: ${file} has ${config.servers.length} servers, expected ${PER_PROJECT}`);
  }
  const registered = report.configs.reduce((n, c) => n + c.servers.filter((s) => s.server_id !== null).length, 0);
  if (report.summary.servers !== TOTAL || registered !== TOTAL) throw new Error(`scan report: ${report.summary.servers} servers, ${registered} registered; expected ${TOTAL}`);
  return { configs: report.summary.configs, servers: report.summary.servers, registered };
}

const summary = (runs: Run[]) => ({
  median_ms: round(median(runs.map((r) => r.ms))),
  min_ms: round(Math.min(...runs.map((r) => r.ms))),
  max_ms: round(Math.max(...runs.map((r) => r.ms))),
  peak_rss_mb: round(Math.max(...runs.map((r) => r.rssMb)), 1),
});

try {
  const files = buildHome();
  const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);
  const bareArgs = [path.join(here, 'lib', 'read-json-files.mjs'), ...files];
  const bareCheck = JSON.parse(run(bareArgs, [0]).stdout) as { files: number; servers: number }; // warm-up (page cache)
  if (bareCheck.servers !== TOTAL) throw new Error(`baseline read ${bareCheck.servers} servers, expected ${TOTAL}`);

  const firsts: Run[] = [];
  const seconds: Run[] = [];
  let verified: ReturnType<typeof check> | undefined;
  let exitStatus: number | null = null;
  for (let i = 0; i < RUNS; i++) {
    const dataDir = path.join(root, `data-${i}`);
    const cli = [bin, '--home', dataDir, 'scan', '--json'];
    // scan exits 3 when a finding is high or critical; that is a completed scan.
    const first = run(cli, [0, 3]);
    verified = check(first.stdout, files);
    const second = run(cli, [0, 3]);
    check(second.stdout, files);
    firsts.push(first);
    seconds.push(second);
    exitStatus = first.status;
    rmSync(dataDir, { recursive: true, force: true });
  }
  const bare: Run[] = [];
  for (let i = 0; i < BARE_RUNS; i++) bare.push(run(bareArgs, [0]));

  const first = summary(firsts);
  const second = summary(seconds);
  const base = summary(bare);
  const peak = Math.max(first.peak_rss_mb, second.peak_rss_mb);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'scan-scale',
      scenario: `~/.claude.json naming ${PROJECTS} projects, each .mcp.json with ${PER_PROJECT} servers (npx/node/uvx stdio, http with headers); ${files.length} files, ${round(bytes / 1024 / 1024, 2)} MB`,
      servers: TOTAL,
      first_scan: { command: 'mcp-warden --home <fresh data dir> scan --json', runs: RUNS, ...first, exit_status: exitStatus },
      second_scan: { command: 'same data dir, nothing changed', runs: RUNS, ...second },
      baseline: { command: `bare node: readFileSync + JSON.parse of the same ${files.length} files`, runs: BARE_RUNS, ...base },
      ratio_first_to_baseline: round(first.median_ms / base.median_ms, 1),
      ratio_second_to_baseline: round(second.median_ms / base.median_ms, 1),
      check: { verified_every_run: true, ...verified },
      goal: GOAL,
      meets_goal: first.median_ms < GOAL.first_scan_ms_under && peak < GOAL.peak_rss_mb_under,
      machine: { ...machine(), cpus: os.availableParallelism() },
    }, null, 2)}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
