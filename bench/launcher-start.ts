// Launcher start: time from spawn to the server's initialize answer through `mcp-warden run`, minus
// the same directly, same run, for an attested server (so attestation verification is included,
// with the hash cache warm after the first launch) and the login-shell PATH cached. Medians of N runs
// after one warm-up each. Goal: under 100 ms added.
// Run: node bench/launcher-start.ts [runs]   (after npm run build:cli; on Linux it runs itself in a
// private D-Bus session with a throwaway keyring, for the device key that signs the attestation)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attestServer } from '../core/attest/attest.ts';
import { registerServer } from '../core/registry/register.ts';
import { OsKeychain } from '../core/secrets/keychain.ts';
import { openStore } from '../core/store/database.ts';
import { inKeychainSession } from './lib/keychain-session.ts';
import { machine, median, round } from './lib/stats.ts';

const keyring = await inKeychainSession(import.meta.url, 'launcher-start');

const RUNS = Number(process.argv[2] ?? 15);
const ROOT = path.resolve(import.meta.dirname, '..');
const SERVER = path.join(ROOT, 'test/fixtures/servers/launcher-echo.mjs');
const BIN = path.join(ROOT, 'bin/mcp-warden.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-start-'));
const INITIALIZE = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } })}\n`;

/** Milliseconds from spawn to the first line on stdout (the initialize answer), then the process is ended. */
function timeToInitialize(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      const ms = performance.now() - start;
      if (!out.includes('"result"')) reject(new Error(`no initialize result: ${out.slice(0, 300)}`));
      child.stdin.end();
      child.on('exit', () => resolve(ms));
    });
    child.on('error', reject);
    child.stdin.write(INITIALIZE);
  });
}

try {
  const store = openStore(home);
  const server = registerServer(store, { name: 'echo', transport: 'stdio', command: process.execPath, args: [SERVER] }, { cwd: ROOT, env: process.env });
  let attested = true;
  try {
    attestServer(store, new OsKeychain(store.installId), server);
  } catch (error) {
    attested = false;
    process.stderr.write(`not attested (${(error as Error).message}); measuring without verification\n`);
  }
  store.close();
  const direct: number[] = [];
  const launcher: number[] = [];
  await timeToInitialize(process.execPath, [SERVER]);
  await timeToInitialize(process.execPath, [BIN, '--home', home, 'run', 'echo']);
  for (let i = 0; i < RUNS; i++) {
    direct.push(await timeToInitialize(process.execPath, [SERVER]));
    launcher.push(await timeToInitialize(process.execPath, [BIN, '--home', home, 'run', 'echo']));
  }
  const added = median(launcher) - median(direct);
  console.log(JSON.stringify({
    benchmark: 'launcher-start',
    runs: RUNS,
    attested,
    direct_median_ms: round(median(direct), 1),
    launcher_median_ms: round(median(launcher), 1),
    added_median_ms: round(added, 1),
    direct_min_ms: round(Math.min(...direct), 1),
    launcher_min_ms: round(Math.min(...launcher), 1),
    goal: { added_ms_max: 100 },
    pass: added < 100,
    machine: machine(),
  }, null, 2));
} finally {
  keyring?.stop();
  rmSync(home, { recursive: true, force: true });
}
