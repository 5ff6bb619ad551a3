// Relay overhead of `mcp-warden run`: 5,000 tools/call round trips to a trivial echo tool (a small SDK
// server, test/fixtures/servers/launcher-echo.mjs), through the launcher and directly, same run, same
// client (the SDK's Client over stdio). Sequential calls give the latency percentiles; the same number
// of calls 16 at a time gives pipelined throughput. Every call through the launcher is audited (the
// writer thread), as in real use. Goal: throughput ratio >= 0.9 and added p99 latency < 1 ms.
// Run: node bench/relay-overhead.ts [calls] [rounds]   (after npm run build:cli)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { registerServer } from '../core/registry/register.ts';
import { openStore } from '../core/store/database.ts';
import { machine, median, round } from './lib/stats.ts';

const CALLS = Number(process.argv[2] ?? 5000);
const WARMUP = 300;
const CONCURRENCY = 16;
const ROUNDS = Number(process.argv[3] ?? 3);
const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER = path.join(ROOT, 'test/fixtures/servers/launcher-echo.mjs');
const BIN = path.join(ROOT, 'bin/mcp-warden.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-relay-'));

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

async function measure(label: string, command: string, args: string[]) {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  const call = (i: number) => client.callTool({ name: 'echo', arguments: { text: `call ${i}` } });
  for (let i = 0; i < WARMUP; i++) await call(i);
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await call(i);
    latencies.push(performance.now() - t0);
  }
  const sequentialS = (performance.now() - start) / 1000;
  let next = 0;
  const pipelinedStart = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < CALLS) await call(next++);
  }));
  const pipelinedS = (performance.now() - pipelinedStart) / 1000;
  await client.close();
  latencies.sort((a, b) => a - b);
  return {
    label,
    sequential_calls_per_s: round(CALLS / sequentialS, 1),
    pipelined_calls_per_s: round(CALLS / pipelinedS, 1),
    p50_ms: round(pct(latencies, 50), 3),
    p99_ms: round(pct(latencies, 99), 3),
    max_ms: round(latencies.at(-1) as number, 3),
  };
}

try {
  const store = openStore(home);
  registerServer(store, { name: 'echo', transport: 'stdio', command: process.execPath, args: [SERVER] }, { cwd: ROOT, env: process.env });
  store.close();
  // Rounds alternate direct and launcher, so a slow patch of this shared machine hits both; each
  // figure is the median over the rounds, and each ratio the median of the rounds' own ratios.
  const rounds: { direct: Awaited<ReturnType<typeof measure>>; launcher: Awaited<ReturnType<typeof measure>> }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const direct = await measure('direct', process.execPath, [SERVER]);
    const launcher = await measure('launcher', process.execPath, [BIN, '--home', home, 'run', 'echo']);
    rounds.push({ direct, launcher });
  }
  const check = openStore(home);
  const audited = (check.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'tool.called'").get() as { n: number }).n;
  check.close();
  const med = (values: number[]): number => round(median(values), 3);
  const summary = (side: 'direct' | 'launcher') => ({
    sequential_calls_per_s: med(rounds.map((x) => x[side].sequential_calls_per_s)),
    pipelined_calls_per_s: med(rounds.map((x) => x[side].pipelined_calls_per_s)),
    p50_ms: med(rounds.map((x) => x[side].p50_ms)),
    p99_ms: med(rounds.map((x) => x[side].p99_ms)),
  });
  const sequentialRatio = med(rounds.map((x) => x.launcher.sequential_calls_per_s / x.direct.sequential_calls_per_s));
  const pipelinedRatio = med(rounds.map((x) => x.launcher.pipelined_calls_per_s / x.direct.pipelined_calls_per_s));
  const addedP99 = med(rounds.map((x) => x.launcher.p99_ms - x.direct.p99_ms));
  console.log(JSON.stringify({
    benchmark: 'relay-overhead',
    calls: CALLS,
    rounds: ROUNDS,
    concurrency_pipelined: CONCURRENCY,
    direct: summary('direct'),
    launcher: summary('launcher'),
    per_round: rounds.map((x) => ({ sequential_ratio: round(x.launcher.sequential_calls_per_s / x.direct.sequential_calls_per_s, 3), pipelined_ratio: round(x.launcher.pipelined_calls_per_s / x.direct.pipelined_calls_per_s, 3), added_p99_ms: round(x.launcher.p99_ms - x.direct.p99_ms, 3) })),
    audited_tool_calls: audited,
    throughput_ratio_sequential: sequentialRatio,
    throughput_ratio_pipelined: pipelinedRatio,
    added_p50_ms: med(rounds.map((x) => x.launcher.p50_ms - x.direct.p50_ms)),
    added_p99_ms: addedP99,
    goal: { throughput_ratio_min: 0.9, added_p99_ms_max: 1 },
    pass: pipelinedRatio >= 0.9 && addedP99 < 1,
    machine: machine(),
  }, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
