// Relay overhead of `mcp-warden run`: 5,000 tools/call round trips to a trivial echo tool (a small SDK
// server, test/fixtures/servers/launcher-echo.mjs), through the launcher and directly, same run, same
// client (the SDK's Client over stdio). Sequential calls give the latency percentiles; the same number
// of calls 16 at a time gives pipelined throughput. Every call through the launcher is audited (the
// writer thread), as in real use. Goal: throughput ratio >= 0.9 and added p99 latency < 1 ms.
// Run: node bench/relay-overhead.ts [calls]   (after npm run build:cli)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { registerServer } from '../core/registry/register.ts';
import { openStore } from '../core/store/database.ts';
import { machine, round } from './lib/stats.ts';

const CALLS = Number(process.argv[2] ?? 5000);
const WARMUP = 300;
const CONCURRENCY = 16;
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
  const direct = await measure('direct', process.execPath, [SERVER]);
  const relayed = await measure('launcher', process.execPath, [BIN, '--home', home, 'run', 'echo']);
  const check = openStore(home);
  const audited = (check.db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE type = 'tool.called'").get() as { n: number }).n;
  check.close();
  const sequentialRatio = relayed.sequential_calls_per_s / direct.sequential_calls_per_s;
  const pipelinedRatio = relayed.pipelined_calls_per_s / direct.pipelined_calls_per_s;
  const addedP99 = relayed.p99_ms - direct.p99_ms;
  console.log(JSON.stringify({
    benchmark: 'relay-overhead',
    calls: CALLS,
    concurrency_pipelined: CONCURRENCY,
    direct,
    launcher: relayed,
    audited_tool_calls: audited,
    throughput_ratio_sequential: round(sequentialRatio, 3),
    throughput_ratio_pipelined: round(pipelinedRatio, 3),
    added_p50_ms: round(relayed.p50_ms - direct.p50_ms, 3),
    added_p99_ms: round(addedP99, 3),
    goal: { throughput_ratio_min: 0.9, added_p99_ms_max: 1 },
    pass: pipelinedRatio >= 0.9 && addedP99 < 1,
    machine: machine(),
  }, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
