/**
 * Issue 11, finding 9: rescans were quadratic, and a long scan made the watcher deaf.
 *
 * The attack: a config of many servers (20,000 entries in one .mcp.json a repository ships, or a
 * version bump across all of them). Every server whose alerts changed was rescored, and the trust
 * query read the whole alerts table for each (`SCAN alerts`): a second scan of 5,000 servers took
 * 38 s, of 20,000 over 150 s, in one synchronous transaction during which the watcher saw no event
 * and ignored SIGTERM.
 *
 * 1. The query plans: every statement a real scan and rescan ran (recorded on the store's own
 *    connection, then put to SQLite's EXPLAIN QUERY PLAN) reads tables that grow per server through
 *    an index. Fails on main: the trust query and its "any alert ever?" check are `SCAN alerts`.
 * 2. The signal: a real `watch` (and `serve`) scanning a 20,000-server config gets SIGTERM mid-scan
 *    and exits cleanly within 5 s, the database intact, and the next `scan` completes it. Fails on
 *    main: during the first scan no handler is installed yet, so SIGTERM kills it (no clean exit,
 *    the lease left behind); during a rescan SIGTERM waits for the whole scan (minutes).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import { attestServer } from '../../core/attest/attest.ts';
import { DEVICE_KEY_ENTRY } from '../../core/attest/device-key.ts';
import { scanConfig } from '../../core/discovery/scan.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { getServer } from '../../core/registry/read.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { DATABASE_FILE, type Db } from '../../core/store/database.ts';
import { BIN, cli, envWith, tempDir } from '../helpers/cli.ts';
import { engine } from '../helpers/engine.ts';
import { fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';
import { startServe } from '../helpers/serve.ts';

/** Tables with rows per server (or per alert, event, score of one): a full scan of one grows with the registry. */
const GROWING = new Set(['servers', 'agent_servers', 'alerts', 'audit_events', 'trust_scores', 'probes', 'pins', 'attestations', 'server_secret_refs', 'file_hashes', 'api_agent_servers']);

/** Full scans that are not lookups, each with why it does not grow a scan's cost per server. */
const BOUNDED_SCANS: Record<string, string> = {
  'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1': 'the chain head: the rowid order read backwards, one row',
  'SELECT a.server_id, a.statement FROM attestations a WHERE a.id = (SELECT max(id) FROM attestations b WHERE b.server_id = a.server_id)':
    "the monitor's list of every attested server's files, rebuilt only when an attestation was added",
};

interface Recorded {
  args: unknown[];
  runs: number;
}

/** Every statement prepared on `db` from now on, with the parameters of its first run and how often it ran, until `stop`. */
function recordStatements(db: Db): { recorded: Map<string, Recorded>; stop: () => void } {
  const recorded = new Map<string, Recorded>();
  let recording = true;
  const prepare = db.prepare.bind(db);
  const patched = (sql: string) => {
    const statement = prepare(sql) as unknown as Record<'run' | 'get' | 'all' | 'iterate', (...args: unknown[]) => unknown>;
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = statement[method].bind(statement);
      statement[method] = (...args: unknown[]) => {
        if (!recording) return original(...args);
        const entry = recorded.get(sql) ?? { args, runs: 0 };
        entry.runs += 1;
        recorded.set(sql, entry);
        return original(...args);
      };
    }
    return statement;
  };
  db.prepare = patched as unknown as Db['prepare'];
  return { recorded, stop: () => (recording = false) };
}

/** Table names by the name a statement's plan uses for them (the table itself, or its alias). */
function tablesOf(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)(?:\s+(?:AS\s+)?(?!WHERE|ON|SET|JOIN|LEFT|ORDER|GROUP|LIMIT|VALUES|USING)(\w+))?/gi)) {
    const table = (m[1] as string).toLowerCase();
    names.set(table, table);
    if (m[2] !== undefined) names.set(m[2].toLowerCase(), table);
  }
  return names;
}

const oneLine = (sql: string): string => sql.replace(/\s+/g, ' ').trim();

const entry = (j: number, version: number): Record<string, unknown> => {
  switch (j % 3) {
    case 0:
      return { command: 'npx', args: ['-y', `@acme/mcp-tool-${j}@1.${version}.0`], env: { LOG_LEVEL: 'info' } };
    case 1:
      return { command: 'uvx', args: [`mcp-server-${j}==2.${version}.0`, '--stdio'] };
    default:
      return { type: 'http', url: `https://mcp.example.com/tools/${j}/v${version}` };
  }
};

/** A config of `count` servers; `version` changes every entry's launch (a package version bump). */
const configOf = (count: number, version: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mcpServers: { ...Object.fromEntries(Array.from({ length: count }, (_, j) => [`tool-${String(j).padStart(5, '0')}`, entry(j, version)])), ...extra },
});

test('every statement of a scan and a rescan reads the tables that grow per server through an index', async (t) => {
  const e = engine(t);
  const { recorded, stop } = recordStatements(e.store.db);
  const keychain = new OsKeychain(e.store.installId);
  t.after(() => keychain.delete(DEVICE_KEY_ENTRY));
  const file = e.claudeDesktop.path;
  // 450 entries (three chunks), one a local script that gets attested, so the rescan re-verifies it.
  const script = { command: '/bin/sh', args: ['-c', 'exec cat'] };
  writeByRename(file, configOf(450, 0, { local: script }));
  scanConfig(e.options, e.claudeDesktop);
  attestServer(e.store, keychain, getServer(e.store.db, 'local'));
  // The rescan: every launch changed (launch_changed, rescored), entries gone (server_removed), new
  // ones (unapproved_server), and the monitor's own reads, as `watch` runs it.
  // Entries in the launcher's form too: one exactly as this installation writes it, one altered.
  const launchers = {
    attached: { command: process.execPath, args: [BIN, '--home', e.dataDir, 'run', 'tool-00001'] },
    altered: { command: 'node', args: [BIN, '--home', e.dataDir, 'run', 'tool-00002'], env: { NODE_OPTIONS: '--require ./x.js' } },
  };
  writeByRename(file, configOf(400, 1, { local: script, 'added-1': entry(1, 5), 'added-2': entry(2, 5), ...launchers }));
  const monitor = new Monitor({ ...e.options, onError: (error) => assert.fail(error) });
  await monitor.start();
  await monitor.stop();
  // Resolved alerts count in the score for 180 days: a second change resolves 400 of them.
  writeByRename(file, configOf(400, 2, { local: script, ...launchers }));
  scanConfig(e.options, e.claudeDesktop);
  stop();
  assert.ok(listAlerts(e.store.db, { state: 'resolved' }).length >= 400, 'the rescans resolved alerts');

  const plans: { sql: string; runs: number; plan: string[] }[] = [];
  for (const [sql, { args, runs }] of recorded) {
    if (!/^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql)) continue;
    const rows = e.store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(args as [])) as { detail: string }[];
    plans.push({ sql: oneLine(sql), runs, plan: rows.map((r) => r.detail) });
  }
  const trustAlerts = plans.find((p) => p.sql.startsWith('SELECT id, type, severity, state, title, details, updated_at FROM alerts WHERE server_id = ?'));
  assert.ok(trustAlerts !== undefined && trustAlerts.runs >= 400, 'the trust query ran once per rescored server');
  assert.ok(trustAlerts.plan.some((line) => /^SEARCH alerts USING INDEX alerts_by_server \(server_id=\?\)/.test(line)), trustAlerts.plan.join(' | '));

  const fullScans = plans.flatMap(({ sql, runs, plan }) => {
    const tables = tablesOf(sql);
    return plan
      .map((line) => /^SCAN (\w+)/.exec(line)?.[1]?.toLowerCase())
      .filter((name): name is string => name !== undefined && name !== 'constant' && GROWING.has(tables.get(name) ?? name) && BOUNDED_SCANS[sql] === undefined)
      .map((name) => `SCAN ${name} (${runs} runs): ${sql}`);
  });
  assert.deepEqual(fullScans, [], 'statements that read a whole table growing per server');
  assert.ok(plans.length > 40, `the recording saw the scan's statements (${plans.length})`);
  assert.ok(plans.some((p) => p.sql.includes("'$.launcher'")), "the launcher entries' own reads were among them");
});

// ---------------------------------------------------------------------------------------------
// A real watcher and a real serve, each told to stop in the middle of scanning 20,000 servers.

const SERVERS = 20_000;
const STOP_WITHIN_MS = 5_000;
const SCAN_TIMEOUT_MS = 240_000;

/** CPU time (user + system, in ms) a process has used, from /proc; null where there is no /proc. */
function cpuMs(pid: number): number | null {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return null;
  const fields = readFileSync(stat, 'utf8').split(')').at(-1)?.trim().split(' ') ?? [];
  // After "(comm)": state is field 3, utime 14 and stime 15, in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resolves once `child` has worked `ms` of CPU time since `from` (so it is busy scanning, not idle). */
async function busyFor(child: ChildProcess, ms: number, from = 0): Promise<void> {
  const pid = child.pid as number;
  if (cpuMs(pid) === null) {
    await new Promise((r) => setTimeout(r, ms * 2));
    return;
  }
  await waitFor(`pid ${pid} to work ${ms} ms`, () => (cpuMs(pid) ?? 0) - from >= ms || child.exitCode !== null, SCAN_TIMEOUT_MS);
}

function spawnWatch(env: Record<string, string | undefined>): { child: ChildProcess; out: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, 'watch'], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, exit };
}

/** SIGTERM, then how long the process took to exit and how. */
async function terminate(child: ChildProcess, exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
  const start = Date.now();
  child.kill('SIGTERM');
  // Past the bound the test fails anyway; no need to wait for a deaf process to finish its scan.
  const killer = setTimeout(() => child.kill('SIGKILL'), 3 * STOP_WITHIN_MS);
  const how = await exit;
  clearTimeout(killer);
  return { ms: Date.now() - start, ...how };
}

function inspect(dataDir: string): { integrity: string; foreignKeys: number; servers: number; launchChanged: number; lease: boolean } {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      foreignKeys: (db.pragma('foreign_key_check') as unknown[]).length,
      servers: count('SELECT count(*) AS n FROM servers'),
      launchChanged: count("SELECT count(*) AS n FROM alerts WHERE type = 'launch_changed' AND state = 'open'"),
      lease: count("SELECT count(*) AS n FROM meta WHERE key = 'monitor_lease'") > 0,
    };
  } finally {
    db.close();
  }
}

test(`watch and serve stop within ${STOP_WITHIN_MS / 1000} s of SIGTERM in the middle of scanning ${SERVERS} servers, the database intact`, async (t) => {
  const fake = fakeHome(t);
  const dataDir = tempDir(t, 'mcp-warden-rescan-');
  const env = { ...fake.env, MCP_WARDEN_HOME: dataDir };
  const scan = () => {
    const result = spawnSync(process.execPath, [BIN, 'scan', '--json'], { env: envWith(env), encoding: 'utf8', maxBuffer: 1 << 30 });
    assert.equal(result.error, undefined);
    assert.ok(result.status === 0 || result.status === 3, `scan exited ${result.status}: ${result.stderr}`);
    const report = JSON.parse(result.stdout) as { summary: { servers: number }; configs: { servers: { server_id: string | null }[] }[] };
    assert.equal(report.summary.servers, SERVERS);
    assert.equal(report.configs.flatMap((c) => c.servers).filter((s) => s.server_id !== null).length, SERVERS, 'every server registered');
  };
  const intact = (after: string) => {
    const state = inspect(dataDir);
    assert.equal(state.integrity, 'ok', `integrity_check ${after}`);
    assert.equal(state.foreignKeys, 0, `foreign_key_check ${after}`);
    const verified = cli(['audit', 'verify'], { env });
    assert.equal(verified.code, 0, `audit verify ${after}: ${verified.stdout}${verified.stderr}`);
    return state;
  };
  writeByRename(fake.claudeDesktop, configOf(SERVERS, 0));

  await t.test('SIGTERM during the first scan', async () => {
    const watch = spawnWatch(env);
    t.after(() => watch.child.kill('SIGKILL'));
    await busyFor(watch.child, 1_500);
    const stopped = await terminate(watch.child, watch.exit);
    assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null }, `a clean exit, not killed by the signal: ${watch.out()}`);
    assert.ok(stopped.ms < STOP_WITHIN_MS, `exited ${stopped.ms} ms after SIGTERM`);
    const state = intact('after the interrupted first scan');
    assert.ok(state.servers < SERVERS, `stopped part way (${state.servers} of ${SERVERS} registered)`);
    assert.equal(state.lease, false, 'the monitor lease was released');
    scan();
  });

  await t.test('SIGTERM during a rescan that changes every server', async () => {
    const watch = spawnWatch(env);
    t.after(() => watch.child.kill('SIGKILL'));
    await waitFor('the watcher to start', () => watch.out().includes('Press Ctrl-C to stop.') || watch.child.exitCode !== null, SCAN_TIMEOUT_MS);
    const idle = cpuMs(watch.child.pid as number) ?? 0;
    writeByRename(fake.claudeDesktop, configOf(SERVERS, 1));
    await busyFor(watch.child, 1_000, idle);
    const stopped = await terminate(watch.child, watch.exit);
    assert.deepEqual({ code: stopped.code, signal: stopped.signal }, { code: 0, signal: null }, watch.out().slice(-2000));
    assert.ok(stopped.ms < STOP_WITHIN_MS, `exited ${stopped.ms} ms after SIGTERM`);
    const state = intact('after the interrupted rescan');
    assert.ok(state.launchChanged < SERVERS, `stopped part way (${state.launchChanged} of ${SERVERS} changes raised)`);
    // The next scan reads the file again in full and completes what was cut short.
    scan();
    assert.equal(intact('after the next scan').launchChanged, SERVERS);
  });

  await t.test('serve answers during a rescan and SIGTERM ends it', async () => {
    const served = await startServe(t, { home: dataDir, fake, timeoutMs: SCAN_TIMEOUT_MS });
    const idle = cpuMs(served.child.pid as number) ?? 0;
    writeByRename(fake.claudeDesktop, configOf(SERVERS, 2));
    await busyFor(served.child, 1_000, idle);
    const health = await served.request('GET', '/health');
    assert.equal(health.status, 200, 'the API answers while the monitor scans');
    const start = Date.now();
    const code = await served.stop();
    assert.equal(code, 0, served.output().stderr.slice(-2000));
    assert.ok(Date.now() - start < STOP_WITHIN_MS, `exited ${Date.now() - start} ms after SIGTERM`);
    assert.equal(intact('after serve stopped').lease, false, 'the monitor lease was released');
    scan();
    assert.equal(intact('after the next scan').launchChanged, SERVERS, "version 2's changes, version 1's resolved");
  });
});
