import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import type { Alert } from '../../core/api/alert.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { listServers } from '../../core/registry/read.ts';
import { openStore } from '../../core/store/database.ts';
import { tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';

const TOKEN = `ghp_${'Tq7Wc2Xe9Rb4Yn6Um1Io3Pa5Sd8Fg0Hj2Kl4'}`;
const REGISTRY = ['servers', 'agent_servers', 'server_secret_refs'];

test('the monitor turns each kind of change on disk into the right alerts, exactly once each', async (t) => {
  const { where, claudeDesktop } = fakeHome(t);
  const dataDir = tempDir(t);
  const store = openStore(dataDir);
  const notified: Alert[] = [];
  const errors: Error[] = [];
  writeByRename(claudeDesktop, claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat'] } }));
  const monitor = new Monitor({ store, env: process.env, where, notifier: { notify: (a) => notified.push(...a) }, onError: (e) => errors.push(e) });
  t.after(async () => {
    await monitor.stop();
    store.close();
  });
  await monitor.start();

  const all = (): Alert[] => listAlerts(store.db);
  const ofType = (type: string, state?: string) => all().filter((a) => a.type === type && (state === undefined || a.state === state));
  /** Waits for the alert, then a little longer, and checks no twin appeared. */
  const expectOnce = async (type: string, serverName: string | null) => {
    const alert = await waitFor(`${type} for ${serverName}`, () => ofType(type).find((a) => a.server_name === serverName && a.state === 'open'));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(ofType(type).filter((a) => a.server_name === serverName).length, 1, `exactly one ${type} alert for ${serverName}`);
    return alert;
  };

  assert.deepEqual(all().map((a) => a.type), ['servers_to_review'], 'the first scan is a baseline: one info alert');

  // 1. A server added (written by rename-over, as editors save).
  writeByRename(claudeDesktop, claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat'] }, beta: { command: 'sh', args: ['-c', 'true'] } }));
  const newcomer = await expectOnce('unapproved_server', 'beta');
  assert.equal(newcomer.severity, 'high');
  assert.ok(notified.some((a) => a.id === newcomer.id), 'high alerts reach the notifier');

  // 2. Its args changed.
  writeByRename(claudeDesktop, claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat -n'] }, beta: { command: 'sh', args: ['-c', 'true'] } }));
  const changed = await expectOnce('launch_changed', 'alpha');
  assert.deepEqual(changed.details.fields, { args: { before: ['-c', 'exec cat'], after: ['-c', 'exec cat -n'] } });

  // 3. A plaintext secret added to its env (an in-place write this time).
  writeFileSync(claudeDesktop, JSON.stringify(claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat -n'], env: { GITHUB_TOKEN: TOKEN } }, beta: { command: 'sh', args: ['-c', 'true'] } })));
  const secret = await expectOnce('plaintext_secret', 'alpha');
  assert.equal(secret.severity, 'high');
  assert.ok(!JSON.stringify(secret).includes(TOKEN), 'the alert does not carry the secret');
  await expectOnce('env_changed', 'alpha');
  const rows = databaseChecksum(dataDir, REGISTRY);
  const before = all().length;

  // 4. The file deleted: one low alert, no row lost.
  rmSync(claudeDesktop);
  const missing = await expectOnce('config_missing', null);
  assert.equal(missing.severity, 'low');
  assert.equal(databaseChecksum(dataDir, REGISTRY), rows, 'deleting the file loses no registry row');

  // 5. Recreated as it was: the missing alert resolves; nothing else is raised again.
  writeFileSync(claudeDesktop, JSON.stringify(claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat -n'], env: { GITHUB_TOKEN: TOKEN } }, beta: { command: 'sh', args: ['-c', 'true'] } })));
  await waitFor('config_missing resolved', () => ofType('config_missing', 'resolved').length === 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(all().length, before + 1, 'only the missing alert was added');

  // 6. A rename-over that moves beta to a remote plain-http URL.
  writeByRename(claudeDesktop, claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat -n'], env: { GITHUB_TOKEN: TOKEN } }, beta: { url: 'http://mcp.example.com/mcp' } }));
  await expectOnce('insecure_http', 'beta');
  const moved = await expectOnce('launch_changed', 'beta');
  assert.deepEqual(Object.keys(moved.details.fields as object).sort(), ['args', 'command', 'transport', 'url']);

  // 7. Truncated mid-write, then completed: one parse alert, the registry untouched, then resolved.
  const full = JSON.stringify(claudeDesktopConfig({ alpha: { command: 'sh', args: ['-c', 'exec cat -n'], env: { GITHUB_TOKEN: TOKEN } }, beta: { url: 'http://mcp.example.com/mcp' } }), null, 2);
  const registryBefore = databaseChecksum(dataDir, REGISTRY);
  const alertsBefore = all().length;
  writeFileSync(claudeDesktop, full.slice(0, Math.floor(full.length / 2)));
  const parse = await expectOnce('config_parse_error', null);
  assert.equal(parse.severity, 'medium');
  assert.equal(databaseChecksum(dataDir, REGISTRY), registryBefore, 'a broken file changes no registry row');
  assert.equal(listServers(store.db).length, 2);
  writeFileSync(claudeDesktop, full);
  await waitFor('parse error resolved', () => ofType('config_parse_error', 'resolved').length === 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(all().length, alertsBefore + 1, 'completing the write raised nothing else');

  assert.deepEqual(errors, []);
  const keys = all().filter((a) => a.state !== 'resolved').map((a) => a.dedup_key);
  assert.equal(new Set(keys).size, keys.length, 'no condition has two unresolved alerts');
});

test('a second monitor on the same data directory refuses to start, naming the first', async (t) => {
  const { where } = fakeHome(t);
  const dataDir = tempDir(t);
  const first = openStore(dataDir);
  const second = openStore(dataDir);
  const a = new Monitor({ store: first, env: process.env, where });
  const b = new Monitor({ store: second, env: process.env, where });
  await a.start();
  await assert.rejects(b.start(), new RegExp(`^WardenError: Another MCP Warden monitor \\(pid ${process.pid} on .+\\) is already watching ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: only one runs per data directory\\.$`));
  await a.stop();
  await b.start();
  await b.stop();
  first.close();
  second.close();
});

test('a config whose folder does not exist yet is picked up when it appears', async (t) => {
  const { where, home } = fakeHome(t);
  const dataDir = tempDir(t);
  const store = openStore(dataDir);
  const monitor = new Monitor({ store, env: process.env, where });
  t.after(async () => {
    await monitor.stop();
    store.close();
  });
  await monitor.start();
  writeByRename(`${home}/.cursor/mcp.json`, { mcpServers: { later: { command: 'sh', args: ['-c', 'true'] } } });
  const server = await waitFor('the Cursor server', () => listServers(store.db).find((s) => s.name === 'later'));
  assert.equal(server.status, 'discovered');
  assert.deepEqual(server.source, { kind: 'discovered', client: 'cursor', config_path: `${home}/.cursor/mcp.json`, key: 'later', pointer: '/mcpServers/later' });
});

test('saves in quick succession are each seen (chokidar throttles repeated change events)', async (t) => {
  const { where, claudeDesktop } = fakeHome(t);
  const dataDir = tempDir(t);
  const store = openStore(dataDir);
  writeByRename(claudeDesktop, claudeDesktopConfig({ quick: { command: 'sh', args: ['-c', 'true'] } }));
  const monitor = new Monitor({ store, env: process.env, where });
  t.after(async () => {
    await monitor.stop();
    store.close();
  });
  await monitor.start();
  // Each save lands a few milliseconds after the previous one's alert: well inside chokidar's 50 ms.
  for (let i = 1; i <= 12; i++) {
    writeByRename(claudeDesktop, claudeDesktopConfig({ quick: { command: 'sh', args: ['-c', `echo ${i}`] } }));
    await waitFor(`the alert for save ${i}`, () => listAlerts(store.db, { state: 'open' }).some((a) => a.type === 'launch_changed' && JSON.stringify(a.details).includes(`echo ${i}`)), 2_000);
  }
});

test('the monitor re-verifies an attested server when its script is replaced, with no config change', async (t) => {
  const { attestServer } = await import('../../core/attest/attest.ts');
  const { OsKeychain } = await import('../../core/secrets/keychain.ts');
  const { registerServer } = await import('../../core/registry/register.ts');
  const { writeFileSync: write } = await import('node:fs');
  const { where } = fakeHome(t);
  const dataDir = tempDir(t);
  const scripts = tempDir(t, 'mcp-warden-scripts-');
  const script = `${scripts}/server.js`;
  write(script, 'process.stdin.resume();\n');
  const store = openStore(dataDir);
  const server = registerServer(store, { name: 'watched', transport: 'stdio', command: process.execPath, args: [script] }, { cwd: scripts, env: process.env });
  attestServer(store, new OsKeychain(store.installId), server);
  const monitor = new Monitor({ store, env: process.env, where });
  t.after(async () => {
    await monitor.stop();
    store.close();
  });
  await monitor.start();
  // Replaced the way an attacker or an updater would: a new file renamed over the old one.
  writeByRename(script, 'process.stdin.resume(); /* changed */\n');
  const failed = await waitFor('the attestation alert', () => listAlerts(store.db, { state: 'open' }).find((a) => a.type === 'attestation_failed' && a.server_name === 'watched'));
  assert.equal(failed.severity, 'high');
  assert.match(failed.title, /server\.js/);
});
