// Registry scale: 10,000 servers added through the engine, then `mcp-warden mcp list --json`: wall
// time and peak memory of the process, beside the same SELECT run alone through better-sqlite3 in a
// bare Node script (also serialised to stdout), same run. Goal: list under 2x the bare script.
// Run: node bench/registry-scale.ts [count]   (after npm run build:cli)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerServer } from '../core/registry/register.ts';
import { DATABASE_FILE, openStore } from '../core/store/database.ts';
import { machine, median, round, timeRun } from './lib/stats.ts';

const COUNT = Number(process.argv[2] ?? 10_000);
const RUNS = 7;
const here = import.meta.dirname;
const bin = path.resolve(here, '..', 'bin', 'mcp-warden.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-'));
const rssFile = path.join(home, 'rss');
const rssImport = ['--import', pathToFileURL(path.join(here, 'lib', 'peak-rss.mjs')).href];

try {
  const store = openStore(home);
  const ctx = { cwd: home, env: process.env };
  const addStart = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const name = `server-${String(i).padStart(5, '0')}`;
    const input =
      i % 2 === 0
        ? { name, transport: 'stdio', command: process.execPath, args: ['server.js', `--port=${i}`], env_template: [{ key: 'LOG_LEVEL', value: 'info' }], capabilities: ['read', 'write'], description: `Benchmark server ${i}` }
        : { name, transport: 'http', url: `https://mcp${i}.example.com/mcp`, headers: { 'X-Team': 'bench' }, description: `Benchmark server ${i}` };
    registerServer(store, input, ctx);
  }
  const addMs = performance.now() - addStart;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();

  const measure = (args: string[]) => {
    const times: number[] = [];
    const rss: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const run = timeRun(process.execPath, [...rssImport, ...args], { ...process.env, BENCH_RSS_FILE: rssFile });
      times.push(run.ms);
      bytes = run.stdoutBytes;
      rss.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
    }
    return { median_ms: round(median(times)), min_ms: round(Math.min(...times)), peak_rss_mb: round(Math.max(...rss), 1), stdout_bytes: bytes };
  };
  const bare = measure([path.join(here, 'lib', 'bare-select.mjs'), path.join(home, DATABASE_FILE)]);
  const cli = measure([bin, '--home', home, 'mcp', 'list', '--json']);
  const ratio = cli.median_ms / bare.median_ms;
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'registry-scale',
      servers: COUNT,
      add: { total_ms: round(addMs), per_server_ms: round(addMs / COUNT, 3), servers_per_s: Math.round(COUNT / (addMs / 1000)) },
      list: { command: 'mcp-warden mcp list --json', runs: RUNS, ...cli },
      baseline: { command: 'bare better-sqlite3 SELECT * ... ORDER BY name + JSON.stringify', runs: RUNS, ...bare },
      ratio: round(ratio),
      goal: { max_ratio: 2 },
      meets_goal: ratio < 2,
      machine: machine(),
    }, null, 2)}\n`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
