// The desktop engine and its IPC handlers under plain Node, with the same calls the shell makes:
// a real database in a temp data directory, a real monitor watching a fake home's Claude Desktop
// config, the in-process dispatcher answering `warden:request`, and the sender check in front.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Alert } from '../../core/api/alert.ts';
import type { ApiEvent } from '../../core/api/rest.ts';
import { autostartFollower, linuxAutostartFile, syncAutostart } from '../../electron/main/autostart.ts';
import { startEngine, type Engine } from '../../electron/main/engine.ts';
import { handleRequest, parseIpcRequest, Subscriptions, UntrustedSenderError } from '../../electron/main/ipc-handlers.ts';
import { trayState } from '../../electron/main/tray-state.ts';
import { tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';

const APP_PAGE = pathToFileURL(path.join('/app', 'out', 'renderer', 'index.html')).href;
const server = (name: string) => ({ command: process.execPath, args: [`/srv/${name}.js`] });

interface Running {
  engine: Engine;
  notified: Alert[];
  events: ApiEvent[];
}

async function start(t: import('node:test').TestContext, home: ReturnType<typeof fakeHome>, dataDir: string): Promise<Running> {
  const notified: Alert[] = [];
  const events: ApiEvent[] = [];
  const engine = await startEngine({ where: home.where, dataDir, cwd: home.home, notifier: { notify: (alerts) => notified.push(...alerts) }, onError: () => {} });
  t.after(() => engine.close());
  engine.subscribe((event) => events.push(event));
  return { engine, notified, events };
}

test('the engine watches configs, raises alerts into the hub and the notifier, and answers IPC requests', async (t) => {
  const home = fakeHome(t);
  writeByRename(home.claudeDesktop, claudeDesktopConfig({ files: server('files') }));
  const { engine, notified, events } = await start(t, home, tempDir(t));
  assert.deepEqual(engine.monitorStatus(), { running: true, paused: false });

  // A server added after the first scan is unapproved: a high alert, pushed as an event and notified.
  writeByRename(home.claudeDesktop, claudeDesktopConfig({ files: server('files'), shell: server('shell') }));
  const raised = await waitFor('an unapproved_server alert event', () => events.find((e): e is Extract<ApiEvent, { type: 'alert' }> => e.type === 'alert' && e.alert.type === 'unapproved_server'));
  assert.ok(events.some((e) => e.type === 'scan' && e.config_path === home.claudeDesktop), 'the scan itself is an event too');
  await waitFor('the notifier call', () => notified.some((a) => a.id === raised.alert.id));

  // What the tray shows is built from the same store.
  const tray = trayState({ openAlerts: engine.openAlerts(), monitoring: true, paused: false, startAtLogin: false });
  assert.equal(tray.state, 'alert');
  assert.ok(tray.latest.some((a) => a.id === raised.alert.id));

  // warden:request from the app's own page reaches the route handlers.
  const list = await handleRequest(APP_PAGE, APP_PAGE, { method: 'GET', path: '/alerts?state=open' }, engine);
  assert.equal(list.status, 200);
  assert.ok(JSON.stringify(list.body).includes(`"id":${raised.alert.id}`), 'the open alert is listed');
  const missing = await handleRequest(`${APP_PAGE}#/alerts`, APP_PAGE, { method: 'GET', path: '/alerts/999999' }, engine);
  assert.equal(missing.status, 404);

  // The notifications setting, written through the API, is what the batcher reads.
  assert.equal(engine.notificationLevel(), 'high');
  const put = await handleRequest(APP_PAGE, APP_PAGE, { method: 'PUT', path: '/settings/notifications', body: { value: 'critical' } }, engine);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(engine.notificationLevel(), 'critical');
});

test('warden:request refuses other pages before anything runs, and malformed requests with a 400 naming the field', async (t) => {
  const home = fakeHome(t);
  const { engine } = await start(t, home, tempDir(t));
  let dispatched = 0;
  const counting = { request: (...args: Parameters<Engine['request']>) => (dispatched++, engine.request(...args)) };
  for (const url of ['https://evil.example/', 'https://evil.example/out/renderer/index.html', pathToFileURL('/tmp/index.html').href, '', undefined]) {
    await assert.rejects(handleRequest(url, APP_PAGE, { method: 'DELETE', path: '/mcp-servers/x' }, counting), UntrustedSenderError, String(url));
  }
  assert.equal(dispatched, 0, 'no refused call reached the dispatcher');

  const cases: [unknown, string][] = [
    [null, 'request'],
    [['GET', '/alerts'], 'request'],
    [{ method: 'TRACE', path: '/alerts' }, 'method'],
    [{ method: 'get', path: '/alerts' }, 'method'],
    [{ method: 'GET', path: 'alerts' }, 'path'],
    [{ method: 'GET', path: 42 }, 'path'],
  ];
  for (const [payload, field] of cases) {
    const answer = await handleRequest(APP_PAGE, APP_PAGE, payload, counting);
    assert.equal(answer.status, 400, JSON.stringify(payload));
    assert.equal((answer.body as { error: { field: string } }).error.field, field, JSON.stringify(payload));
  }
  assert.equal(dispatched, 0);
  assert.deepEqual(parseIpcRequest({ method: 'POST', path: '/scan', body: {} }), { ok: true, request: { method: 'POST', path: '/scan', body: {} } });
  // A body JSON cannot carry is refused by the dispatcher, as serve would.
  const dated = await handleRequest(APP_PAGE, APP_PAGE, { method: 'POST', path: '/mcp-servers', body: { name: 'x', when: new Date() } }, counting);
  assert.equal(dated.status, 400);
});

test('warden:subscribe: only the app page subscribes; a window is dropped when it goes away', () => {
  const subs = new Subscriptions<string>();
  assert.throws(() => subs.set('https://evil.example/', APP_PAGE, 'evil', true), UntrustedSenderError);
  assert.equal(subs.has('evil'), false);
  assert.equal(subs.set(APP_PAGE, APP_PAGE, 'window-1', true), true);
  assert.equal(subs.set(APP_PAGE, APP_PAGE, 'window-1', true), false, 'subscribing twice changes nothing');
  assert.equal(subs.set(APP_PAGE, APP_PAGE, 'window-2', 'yes'), false, 'only a boolean counts');
  const seen: string[] = [];
  subs.forEach((w) => seen.push(w));
  assert.deepEqual(seen, ['window-1']);
  subs.remove('window-1');
  assert.equal(subs.has('window-1'), false);
});

test('a second app on the same data directory runs without its own monitor and says so; pause and resume', async (t) => {
  const home = fakeHome(t);
  writeByRename(home.claudeDesktop, claudeDesktopConfig({ files: server('files') }));
  const dataDir = tempDir(t);
  const first = await start(t, home, dataDir);
  const second = await start(t, home, dataDir);
  const status = second.engine.monitorStatus();
  assert.equal(status.running, false);
  assert.match(status.message ?? '', new RegExp(`^Another MCP Warden process \\(pid ${process.pid}\\) monitors this data directory`));
  assert.equal((await second.engine.request('GET', '/alerts')).status, 200, 'it still answers requests');

  first.engine.setPaused(true);
  assert.deepEqual(first.engine.monitorStatus(), { running: true, paused: true, message: 'Monitoring is paused: client configs are not watched until it is resumed.' });
  writeByRename(home.claudeDesktop, claudeDesktopConfig({ files: server('files'), late: server('late') }));
  // Resuming scans every config once, so the change made while paused is caught.
  first.engine.setPaused(false);
  await waitFor('the alert for the server added while paused', () => first.events.some((e) => e.type === 'alert' && e.alert.type === 'unapproved_server'));
  assert.deepEqual(first.engine.monitorStatus(), { running: true, paused: false });
});

test('start at login follows the setting: a change from the Settings screen (PUT /settings) writes and removes the XDG autostart entry', async (t) => {
  const home = fakeHome(t);
  const { engine } = await start(t, home, tempDir(t));
  const where = { platform: 'linux' as const, env: {}, homedir: home.home, executable: '/opt/mcp-warden/mcp-warden', args: ['--hidden'] };
  const loginItems = { get: () => false, set: () => assert.fail('login items are not used on Linux') };
  const file = linuxAutostartFile(where);
  // What index.ts does: sync at start, then follow every `settings` event for the key.
  assert.equal(syncAutostart(where, engine.startAtLogin(), loginItems), false, 'off by default: nothing to do');
  engine.subscribe(autostartFollower(() => where, loginItems));
  assert.equal((await handleRequest(APP_PAGE, APP_PAGE, { method: 'PUT', path: '/settings/start-at-login', body: { value: 'on' } }, engine)).status, 200);
  await waitFor('the autostart entry', () => existsSync(file));
  assert.equal(engine.startAtLogin(), 'on');
  assert.equal((await handleRequest(APP_PAGE, APP_PAGE, { method: 'PUT', path: '/settings/start-at-login', body: { value: 'off' } }, engine)).status, 200);
  await waitFor('the autostart entry removed', () => !existsSync(file));
  assert.equal(syncAutostart(where, 'off', loginItems), false, 'already in step');
});
