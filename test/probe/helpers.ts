/** Shared by the probe tests: server definitions, fixture paths, and an independent "is it gone" check. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import type { ProbeFailure, ProbeResult, ProbeSuccess } from '../../core/api/probe.ts';
import type { EnvVar, ServerDefinition } from '../../core/api/server.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/servers');
export const fixture = (name: string): string => path.join(FIXTURES, name);

/** A login-shell PATH no real shell would produce, so the tests can tell it reached the server. */
export const LOGIN_PATH = `/opt/mcp-warden-login-shell/bin${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`;

const BASE: Omit<ServerDefinition, 'name' | 'transport'> = {
  id: 'test-id',
  display_name: '',
  description: '',
  command: null,
  args: [],
  cwd: null,
  url: null,
  headers: {},
  env_template: [],
  capabilities: [],
  server_url: '',
  source: { kind: 'manual' },
  fingerprint: '',
  status: 'approved',
  command_sha256: null,
  allowed_rules: [],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};

/** A stdio server run by this Node: `node <script> ...args`. */
export function nodeServer(name: string, script: string, args: string[] = [], env: EnvVar[] = [], extra: Partial<ServerDefinition> = {}): ServerDefinition {
  return { ...BASE, id: `id-${name}`, name, transport: 'stdio', command: process.execPath, args: [script, ...args], env_template: env, server_url: `stdio://${name}`, ...extra };
}

export function httpServer(name: string, url: string, transport: 'http' | 'sse' = 'http', headers: Record<string, string> = {}): ServerDefinition {
  return { ...BASE, id: `id-${name}`, name, transport, url, headers, server_url: url };
}

/** The JS file an npm package's bin points at (run with `process.execPath`). */
export function binOf(pkg: string): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (Object.values(manifest.bin)[0] as string);
  return path.join(path.dirname(manifestPath), bin);
}

export function tempDir(t: TestContext, prefix = 'mcp-warden-probe-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function success(result: ProbeResult): ProbeSuccess {
  assert.equal(result.ok, true, `expected a successful probe, got ${JSON.stringify(result)}`);
  return result as ProbeSuccess;
}

export function failure(result: ProbeResult, category: ProbeFailure['category']): ProbeFailure {
  assert.equal(result.ok, false, `expected a failed probe, got a success: ${JSON.stringify(result).slice(0, 400)}`);
  const failed = result as ProbeFailure;
  assert.equal(failed.category, category, `expected ${category}, got ${failed.category}: ${failed.message}`);
  assert.match(failed.message, /^[A-Z].*\.$/s, 'the message is one sentence');
  assert.doesNotMatch(failed.message, /\n/, 'the message is one line');
  return failed;
}

/** Reads the JSON a fixture wrote to its PID_FILE (it may take a moment to appear). */
export async function readPids(file: string): Promise<Record<string, number | null>> {
  for (let i = 0; i < 100 && !existsSync(file); i++) await delay(20);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, number | null>;
}

/**
 * True when no live process has this pid. Written independently of core/process/kill-tree.ts: a zombie
 * (exited, not yet reaped by its parent or init) counts as gone, since it runs nothing.
 */
export function processGone(pid: number): boolean {
  if (process.platform === 'linux') {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return true;
    }
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export function assertAllGone(pids: Record<string, number | null>): void {
  const live = Object.entries(pids).filter(([, pid]) => pid !== null && !processGone(pid));
  assert.deepEqual(live, [], `processes left behind: ${JSON.stringify(live)}`);
}
