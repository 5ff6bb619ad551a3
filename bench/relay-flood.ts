// Peak memory of `mcp-warden run` under a flooding server (issue 11, finding 2), beside a quiet
// server's in the same run. The server is test/fixtures/servers/hostile-relay.mjs; the client is this
// script speaking raw JSON-RPC. Scenarios: quiet (a few calls), flood (endless bytes, no newline),
// big-line (one 100 MB answer), flood-lines (endless notifications, read by the client) and
// flood-lines-unread (the same, the client never reads). Each figure is the launcher's VmHWM from
// /proc/<pid>/status (the whole process: relay thread and writer thread), and how many bytes the
// server pushed at it. Goal: every peak under 150 MB. Linux only (reads /proc).
// Run: node bench/relay-flood.ts [seconds per flood, default 3]   (after npm run build:cli)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerServer } from '../core/registry/register.ts';
import { openStore } from '../core/store/database.ts';
import { machine, round } from './lib/stats.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const GOAL_MIB = 150;
const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER = path.join(ROOT, 'test/fixtures/servers/hostile-relay.mjs');
const BIN = path.join(ROOT, 'bin/mcp-warden.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-flood-'));

const status = (pid: number, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function scenario(label: string, tool: string, reading: boolean, ms: number) {
  const child = spawn(process.execPath, [BIN, '--home', home, 'run', 'hostile'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let received = 0;
  if (reading) child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  for (let i = 0; i < 20; i++) send({ jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name: 'read_file', arguments: { path: `/x/${i}` } } });
  if (tool !== '') send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: tool, arguments: {} } });
  await sleep(ms);
  const pid = child.pid as number;
  const peak = status(pid, 'VmHWM') / 1024;
  const serverBytes = readServerBytes(pid);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.on('exit', resolve));
  return { label, peak_rss_mib: round(peak, 1), server_bytes_read_mib: round(serverBytes / (1024 * 1024), 0), client_bytes_received_mib: round(received / (1024 * 1024), 1) };
}

/** Bytes the launcher has read so far (rchar of /proc/<pid>/io: all its reads, server output most of them). */
function readServerBytes(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}

try {
  const store = openStore(home);
  registerServer(store, { name: 'hostile', transport: 'stdio', command: process.execPath, args: [SERVER] }, { cwd: ROOT, env: process.env });
  store.close();
  const ms = SECONDS * 1000;
  const results = [
    await scenario('quiet', '', true, 1500),
    await scenario('flood', 'flood', true, ms),
    await scenario('big-line', 'big', true, ms),
    await scenario('flood-lines', 'flood-lines', true, ms),
    await scenario('flood-lines-unread', 'flood-lines', false, ms),
  ];
  const quiet = results[0]?.peak_rss_mib as number;
  const worst = Math.max(...results.map((r) => r.peak_rss_mib));
  console.log(JSON.stringify({
    benchmark: 'relay-flood',
    seconds_per_flood: SECONDS,
    scenarios: results,
    quiet_peak_rss_mib: quiet,
    worst_flood_peak_rss_mib: worst,
    added_by_flood_mib: round(worst - quiet, 1),
    goal: { peak_rss_mib_max: GOAL_MIB },
    pass: worst < GOAL_MIB,
    machine: machine(),
  }, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
