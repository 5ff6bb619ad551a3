// Driving the real `mcp-warden run` in tests: a data dir with registered servers, the launcher started
// by the built CLI under an SDK client or a raw JSON-RPC client, and what the launcher left in the
// audit trail and the alerts.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN, cli, ROOT, tempDir } from './cli.ts';

export const HOSTILE = path.join(ROOT, 'test/fixtures/servers/hostile-relay.mjs');

export interface Home {
  dir: string;
  run: (...args: string[]) => { code: number; stdout: string; stderr: string };
  json: <T>(...args: string[]) => T;
}

export function home(t: TestContext): Home {
  const dir = tempDir(t, 'mcp-warden-sec-');
  const run = (...args: string[]) => cli(['--home', dir, ...args]);
  return {
    dir,
    run,
    json: <T>(...args: string[]): T => {
      const result = run(...args, '--json');
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as T;
    },
  };
}

/** Registers `script` (run by this Node) as a stdio server. */
export function addServer(h: Home, name: string, script: string, ...extra: string[]): void {
  const result = h.run('mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', script, ...extra);
  assert.equal(result.code, 0, result.stderr);
}

/** The launcher of `name` under the SDK's own client, as an AI client runs it. */
export async function sdkClient(t: TestContext, h: Home, name: string, env: Record<string, string> = {}): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, '--home', h.dir, 'run', name], env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'security-test', version: '1.0.0' });
  t.after(() => client.close().catch(() => {}));
  await client.connect(transport);
  return { client, transport };
}

export interface RawLauncher {
  child: ChildProcessWithoutNullStreams;
  /** Sends a request and resolves with its answer (the test reads stdout unless `reading: false`). */
  request: (id: number, method: string, params?: unknown) => Promise<Record<string, unknown>>;
  notify: (method: string, params?: unknown) => void;
  /** Every message read so far. */
  messages: Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<number | null>;
}

/** The launcher as a raw process: the test is its client, and may decline to read what it writes. */
export function rawLauncher(t: TestContext, h: Home, name: string, options: { env?: Record<string, string | undefined>; reading?: boolean } = {}): RawLauncher {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [BIN, '--home', h.dir, 'run', name], { stdio: ['pipe', 'pipe', 'pipe'], env });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  const messages: Record<string, unknown>[] = [];
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.reading !== false) {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, at)) as Record<string, unknown>;
        buffer = buffer.slice(at + 1);
        messages.push(message);
        if (typeof message.id === 'number') waiting.get(message.id)?.(message);
      }
    });
  }
  child.stdin.on('error', () => {});
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const write = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return {
    child,
    messages,
    stderr: () => stderr,
    exit,
    notify: (method, params = {}) => write({ jsonrpc: '2.0', method, params }),
    request: (id, method, params = {}) =>
      new Promise((resolve) => {
        waiting.set(id, resolve);
        write({ jsonrpc: '2.0', id, method, params });
      }),
  };
}

export const INITIALIZE = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } };

export const textOf = (result: unknown): string => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

export interface AuditEvent { type: string; server_id: string | null; details: Record<string, unknown> }
export interface AlertView { type: string; severity: string; server_id: string | null; details: Record<string, unknown> }
export const toolCalls = (h: Home): AuditEvent[] => h.json<{ events: AuditEvent[] }>('audit', '--type', 'tool.called').events;
export const alerts = (h: Home): AlertView[] => h.json<{ alerts: AlertView[] }>('alerts', '--state', 'all').alerts;

/** The peak resident set size of a live process (VmHWM in /proc/<pid>/status), in MiB. */
export function peakRssMiB(pid: number): number {
  const found = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(found, `VmHWM of ${pid}`);
  return Number(found[1]) / 1024;
}

/** True while `pid` is a live process (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
