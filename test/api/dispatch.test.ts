/**
 * The in-process dispatcher the desktop app's main process answers IPC requests with: the same
 * routes, handlers and error answers as `serve`, over a real store in a temp dir, with no HTTP.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { ApiEvent, Page, ServerView } from '../../core/api/rest.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { createDispatcher, type Dispatcher } from '../../server/dispatch.ts';
import { ROOT } from '../helpers/cli.ts';
import { engine } from '../helpers/engine.ts';
import { claudeDesktopConfig, writeByRename } from '../helpers/fake-home.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
type ErrorBody = { error: { code: string; message: string; field?: string } };

function dispatcher(t: TestContext): { d: Dispatcher; e: ReturnType<typeof engine> } {
  const e = engine(t);
  const d = createDispatcher({ store: e.store, keychain: new OsKeychain(e.store.installId), where: e.options.where, env: e.options.env, cwd: e.ctx.cwd });
  t.after(() => d.close());
  return { d, e };
}

function refused(r: { status: number; body: unknown }, status: number, code: string, field?: string): string {
  assert.equal(r.status, status, JSON.stringify(r.body));
  const { error } = r.body as ErrorBody;
  assert.equal(error.code, code, JSON.stringify(r.body));
  assert.equal(error.field, field, JSON.stringify(r.body));
  assert.ok(error.message.endsWith('.'), error.message);
  return error.message;
}

test('register, list and read through the same routes as serve, bodies as plain JSON', async (t) => {
  const { d } = dispatcher(t);
  const created = await d.request('POST', '/mcp-servers', { name: 'wb', server_url: 'stdio://wb', command: process.execPath, args: [WELL_BEHAVED], description: 'well behaved' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const view = created.body as ServerView;
  // A command line from the API waits for a person; the desktop app's own window is one, so it may confirm it.
  assert.deepEqual([view.name, view.status, view.transport, view.command], ['wb', 'pending', 'stdio', process.execPath]);
  assert.match(refused(await d.request('POST', '/mcp-servers/wb/approve'), 409, 'conflict', 'seen'), /needs the launch you were shown/);
  const seen = { command: view.command, args: view.args, cwd: view.cwd, env_template: view.env_template };
  assert.match(refused(await d.request('POST', '/mcp-servers/wb/approve', { seen: { ...seen, args: [] } }), 409, 'conflict', 'seen'), /changed since it was shown/);
  const confirmed = await d.request('POST', '/mcp-servers/wb/approve', { seen });
  assert.equal((confirmed.body as ServerView).status, 'approved', JSON.stringify(confirmed.body));

  // The list route answers serialised bytes (its cache); in-process they arrive parsed.
  for (let i = 0; i < 2; i++) {
    const list = await d.request('GET', '/mcp-servers?q=well&limit=10');
    assert.equal(list.status, 200);
    assert.ok(!Buffer.isBuffer(list.body));
    const page = list.body as Page<ServerView>;
    assert.deepEqual([page.items.map((s) => s.name), page.total, page.limit], [['wb'], 1, 10]);
  }
  const byName = await d.request('GET', '/mcp-servers/wb');
  assert.equal((byName.body as ServerView).id, view.id);
  const health = await d.request('GET', '/health');
  assert.equal((health.body as { status: string }).status, 'ok');
});

test('errors map to the same statuses and {error: {code, message, field}} as over HTTP', async (t) => {
  const { d } = dispatcher(t);
  refused(await d.request('POST', '/mcp-servers', { name: 'bad name!', server_url: 'stdio://x' }), 400, 'invalid_input', 'name');
  refused(await d.request('GET', '/mcp-servers?limit=0'), 400, 'invalid_input', 'limit');
  refused(await d.request('GET', '/mcp-servers/nope'), 404, 'not_found', 'name');
  refused(await d.request('GET', '/no-such-endpoint'), 404, 'not_found');
  refused(await d.request('PUT', '/health'), 405, 'method_not_allowed');
  assert.equal((await d.request('POST', '/mcp-servers', { name: 'remote', server_url: 'https://mcp.example.com/mcp' })).status, 201);
  refused(await d.request('POST', '/mcp-servers', { name: 'remote', server_url: 'https://other.example.com/mcp' }), 409, 'conflict', 'name');
  refused(await d.request('POST', '/alerts/abc/resolve', {}), 400, 'invalid_input', 'id');
});

test('bodies from the renderer are held to what JSON could carry, and to the size limit', async (t) => {
  const { d, e } = dispatcher(t);
  const before = (await d.request('GET', '/audit')).body as { items: unknown[] };
  refused(await d.request('POST', '/mcp-servers', { name: 'd', server_url: 'stdio://d', description: new Date() }), 400, 'invalid_input', 'body');
  refused(await d.request('POST', '/mcp-servers', { name: 'm', server_url: 'stdio://m', headers: new Map([['a', 'b']]) }), 400, 'invalid_input', 'body');
  refused(await d.request('POST', '/mcp-servers', { name: 'n', server_url: 'stdio://n', args: [Number.NaN] }), 400, 'invalid_input', 'body');
  const cyclic: Record<string, unknown> = { name: 'c', server_url: 'stdio://c' };
  cyclic.self = cyclic;
  refused(await d.request('POST', '/mcp-servers', cyclic), 400, 'invalid_input', 'body');
  refused(await d.request('POST', '/mcp-servers', { name: 'big', server_url: 'stdio://big', description: 'x'.repeat(1024 * 1024) }), 413, 'payload_too_large', 'body');
  refused(await d.request('DELETE' as string, 'mcp-servers'), 400, 'invalid_input', 'path');
  refused(await d.request('get', '/health'), 400, 'invalid_input', 'method');
  const after = (await d.request('GET', '/audit')).body as { items: unknown[] };
  assert.equal(after.items.length, before.items.length, 'nothing refused was recorded');
  assert.equal((e.store.db.prepare('SELECT count(*) AS n FROM servers').get() as { n: number }).n, 0);
});

test('events reach a hub subscriber; /events is not served in-process', async (t) => {
  const { d } = dispatcher(t);
  const events: ApiEvent[] = [];
  const stop = d.hub.subscribe((event) => events.push(event));
  const created = (await d.request('POST', '/mcp-servers', { name: 'remote', server_url: 'https://mcp.example.com/mcp' })).body as ServerView;
  assert.deepEqual(events, [{ type: 'registry', reason: 'registered', server_id: created.id }]);
  stop();
  await d.request('DELETE', '/mcp-servers/remote');
  assert.equal(events.length, 1, 'no events after unsubscribing');

  const message = refused(await d.request('GET', '/events'), 404, 'not_found');
  assert.match(message, /event subscription/);
  // In the OpenAPI document it is still listed: the route table is the same.
  const openapi = (await d.request('GET', '/openapi.json')).body as { paths: Record<string, unknown> };
  assert.ok('/api/v1/events' in openapi.paths);
});

test('POST /scan reads a config and its scan and alert events reach the subscriber; a secret goes to the real keychain and never comes back', async (t) => {
  const { d, e } = dispatcher(t);
  const token = `ghp_${'Nc5Vb8Xz1Qw3Er6T'.repeat(3).slice(0, 36)}`;
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ github: { command: process.execPath, args: [WELL_BEHAVED], env: { GITHUB_TOKEN: token } } }));
  const events: ApiEvent[] = [];
  t.after(d.hub.subscribe((event) => events.push(event)));
  const scan = await d.request('POST', '/scan', {});
  assert.deepEqual(scan, { status: 200, body: { configs: 1, opened: 2, resolved: 0 } });
  assert.deepEqual(events.map((ev) => (ev.type === 'alert' ? `alert ${ev.alert.type}` : ev.type)).sort(), ['alert plaintext_secret', 'alert servers_to_review', 'scan']);
  const clients = (await d.request('GET', '/clients')).body as { items: { configs: { findings: { location: string }[] }[] }[] };
  assert.deepEqual(clients.items[0]?.configs[0]?.findings.map((f) => f.location), ['env.GITHUB_TOKEN']);

  const secret = `ghp_${'Hy7Ju8Ki9Lo0Pm2N'.repeat(3).slice(0, 36)}`;
  const added = await d.request('POST', '/secrets', { name: 'gh', value: secret });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(new OsKeychain(e.store.installId).get('gh'), secret, 'the value is in the OS keychain');
  const listed = await d.request('GET', '/secrets');
  for (const r of [added, listed, scan]) assert.ok(!JSON.stringify(r.body).includes(secret));
  assert.equal((await d.request('DELETE', '/secrets/gh')).status, 200);
  assert.equal(new OsKeychain(e.store.installId).get('gh'), null, 'removed from the keychain');
});

test('after close every request is refused with 503 and nothing is written', async (t) => {
  const { d } = dispatcher(t);
  d.close();
  refused(await d.request('POST', '/mcp-servers', { name: 'late', server_url: 'https://mcp.example.com/mcp' }), 503, 'unavailable');
});
