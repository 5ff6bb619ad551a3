/**
 * The endpoints the UI's screens need beside the registry, against a real `serve`: secrets (the
 * value goes to the OS keychain and never comes back), settings, client configs with their findings,
 * scan now, and API keys. Each happy path, and each 4xx naming its field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ClientView, ScanResponse, SettingsResponse } from '../../core/api/client.ts';
import type { ApiKeyInfo, AuditPage, CreatedApiKey, ServerView } from '../../core/api/rest.ts';
import type { SecretInfo } from '../../core/api/secret.ts';
import { DATABASE_FILE } from '../../core/store/database.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { expectOk, refused } from '../helpers/api-assert.ts';
import { openEvents, startServe, type ApiResponse } from '../helpers/serve.ts';

/** A GitHub personal access token's shape: `ghp_` and 36 letters and digits. */
const githubToken = (seed: string): string => `ghp_${seed.repeat(36).slice(0, 36)}`;

test('secrets: add, list, refuse, remove with and without force; the value is in no answer, no output and not in the database', async (t) => {
  const secret = githubToken('Rk4mQ8wZ2pLx7Tb9');
  const served = await startServe(t);
  const texts: string[] = [];
  const call = async <T = unknown>(method: string, urlPath: string, body?: unknown): Promise<ApiResponse<T>> => {
    const r = await served.request<T>(method, urlPath, body);
    texts.push(r.text);
    return r;
  };

  assert.deepEqual(await expectOk(call('GET', '/secrets')), { items: [] });
  const added = await expectOk(call<SecretInfo>('POST', '/secrets', { name: 'gh-token', value: secret, description: 'GitHub, read only' }), 201);
  assert.deepEqual(Object.keys(added).sort(), ['created_at', 'description', 'name', 'used_by']);
  assert.deepEqual([added.name, added.description, added.used_by], ['gh-token', 'GitHub, read only', []]);

  refused(await call('POST', '/secrets', { name: 'gh-token', value: secret }), 409, 'conflict', 'name', /already exists/);
  refused(await call('POST', '/secrets', { name: 'bad name', value: secret }), 400, 'invalid_input', 'name');
  refused(await call('POST', '/secrets', { name: '.device-key', value: secret }), 400, 'invalid_input', 'name', /reserved/);
  refused(await call('POST', '/secrets', { name: 'empty', value: '' }), 400, 'invalid_input', 'value');
  refused(await call('POST', '/secrets', { name: 'number', value: 42 }), 400, 'invalid_input', 'value');
  refused(await call('POST', '/secrets', { name: 'extra', value: secret, colour: 'red' }), 400, 'invalid_input', 'colour', /Unknown field "colour"/);
  refused(await call('POST', '/secrets', { name: 'huge', value: 'x'.repeat(65 * 1024) }), 400, 'invalid_input', 'value');

  // A server naming it: removal is refused until forced, and the answer says who still names it.
  const server = await expectOk(call('POST', '/mcp-servers', { name: 'gh', server_url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer {{secret:gh-token}}' } }), 201);
  assert.equal((server as ServerView).headers.Authorization, 'Bearer {{secret:gh-token}}');
  const listed = await expectOk(call('GET', '/secrets'));
  assert.deepEqual((listed as { items: SecretInfo[] }).items.map((s) => [s.name, s.used_by]), [['gh-token', ['gh']]]);
  refused(await call('DELETE', '/secrets/gh-token'), 409, 'conflict', 'name', /force=true/);
  refused(await call('DELETE', '/secrets/gh-token?force=yes'), 400, 'invalid_input', 'force');
  refused(await call('DELETE', '/secrets/nope'), 404, 'not_found', 'name');
  const removed = await expectOk(call('DELETE', '/secrets/gh-token?force=true'));
  assert.deepEqual([(removed as SecretInfo).name, (removed as SecretInfo).used_by], ['gh-token', ['gh']]);
  refused(await call('DELETE', '/secrets/gh-token'), 404, 'not_found', 'name');

  const audit = await expectOk(call('GET', '/audit?type=secret.added'));
  assert.deepEqual((audit as AuditPage).items.map((e) => e.details), [{ name: 'gh-token' }]);

  for (const text of texts) assert.ok(!text.includes(secret), `no answer holds the value: ${text.slice(0, 200)}`);
  const { stdout, stderr } = served.output();
  assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'serve printed no value');
  assert.ok(!readFileSync(path.join(served.home, DATABASE_FILE)).includes(secret), 'the database holds no value');
  assert.ok(!served.cli('audit', '--json').stdout.includes(secret));
});

test('settings: every value with its choices, a change round-trips, is audited and announced; unknown keys and values are 400', async (t) => {
  const served = await startServe(t);
  const initial = await expectOk(served.request<SettingsResponse>('GET', '/settings'));
  assert.deepEqual(initial.values, { 'new-server-policy': 'register', 'probe-concurrency': '4', 'probe-consent': 'ask', 'attestation-policy': 'warn', 'undeclared-tool-policy': 'warn', notifications: 'high', 'start-at-login': 'off' });
  assert.deepEqual(initial.choices.notifications, ['high', 'critical', 'off']);
  assert.deepEqual(initial.choices['start-at-login'], ['off', 'on']);
  assert.deepEqual(Object.keys(initial.choices), Object.keys(initial.values));

  const stream = await openEvents(served);
  t.after(() => stream.close());
  const changed = await expectOk(served.request<SettingsResponse>('PUT', '/settings/notifications', { value: 'critical' }));
  assert.equal(changed.values.notifications, 'critical');
  assert.deepEqual(await stream.next('settings'), { type: 'settings', key: 'notifications', value: 'critical' });
  assert.equal((await expectOk(served.request<SettingsResponse>('GET', '/settings'))).values.notifications, 'critical');
  assert.match(served.cli('settings').stdout, /notifications\s+critical/);
  const audit = await expectOk(served.request<AuditPage>('GET', '/audit?type=setting.changed'));
  assert.deepEqual(audit.items.map((e) => e.details), [{ key: 'notifications', value: 'critical' }]);

  refused(await served.request('PUT', '/settings/colour', { value: 'red' }), 400, 'invalid_input', 'key', /Unknown setting "colour"/);
  refused(await served.request('PUT', '/settings/start-at-login', { value: 'sometimes' }), 400, 'invalid_input', 'value', /takes off or on/);
  refused(await served.request('PUT', '/settings/start-at-login', { value: true }), 400, 'invalid_input', 'value');
  refused(await served.request('PUT', '/settings/start-at-login', {}), 400, 'invalid_input', 'value');
  refused(await served.request('PUT', '/settings/start-at-login', { value: 'on', also: 1 }), 400, 'invalid_input', 'also');
  refused(await served.request('POST', '/settings', { value: 'on' }), 405, 'method_not_allowed');
  assert.equal((await expectOk(served.request<SettingsResponse>('GET', '/settings'))).values['start-at-login'], 'off', 'nothing refused was stored');
});

test('clients: a Claude Desktop config with its servers and its plaintext-secret finding; scan picks up a config written later', async (t) => {
  const token = githubToken('aB3dE5fG7hJ9kL2m');
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github@1.2.0'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: token } } }));
  // The monitor off: only POST /scan reads configs written after start-up.
  const served = await startServe(t, { fake, args: ['--no-monitor'] });

  const before = await expectOk(served.request<{ items: ClientView[] }>('GET', '/clients'));
  assert.deepEqual(before, { items: [] }, 'nothing scanned yet: the monitor is off');
  const stream = await openEvents(served);
  t.after(() => stream.close());
  const scan = await expectOk(served.request<ScanResponse>('POST', '/scan', {}));
  assert.deepEqual(scan, { configs: 1, opened: 2, resolved: 0 }, 'servers_to_review and plaintext_secret');
  const event = await stream.next<{ client: string; config_path: string; state: string; opened: number }>('scan');
  assert.deepEqual([event.client, event.config_path, event.state, event.opened], ['claude-desktop', fake.claudeDesktop, 'ok', 2]);
  await stream.next<{ alert: { type: string } }>('alert', (e) => e.alert.type === 'plaintext_secret');

  const clients = await expectOk(served.request<{ items: ClientView[] }>('GET', '/clients'));
  assert.equal(clients.items.length, 1);
  const [claude] = clients.items as [ClientView];
  assert.deepEqual([claude.client, claude.name, claude.configs.length], ['claude-desktop', 'Claude Desktop', 1]);
  const config = claude.configs[0] as ClientView['configs'][number];
  assert.deepEqual([config.path, config.scope, config.state], [fake.claudeDesktop, 'user', 'ok']);
  assert.match(config.agent_id, /^agt_/);
  assert.deepEqual(config.servers.map((s) => [s.name, s.key, s.status, s.present]), [['github', 'github', 'discovered', true]]);
  assert.deepEqual(config.findings.map((f) => [f.type, f.severity, f.server_name, f.location]), [['plaintext_secret', 'high', 'github', 'env.GITHUB_PERSONAL_ACCESS_TOKEN']]);
  assert.ok(!JSON.stringify(clients).includes(token), 'the token itself is never answered');

  // A second client's config written now, while serve runs: only a scan finds it.
  const cursor = path.join(fake.home, '.cursor', 'mcp.json');
  writeByRename(cursor, { mcpServers: { fetch: { command: 'uvx', args: ['mcp-server-fetch'] } } });
  const again = await expectOk(served.request<ScanResponse>('POST', '/scan'));
  assert.equal(again.configs, 2);
  const after = await expectOk(served.request<{ items: ClientView[] }>('GET', '/clients'));
  assert.deepEqual(after.items.map((c) => c.name), ['Claude Desktop', 'Cursor'], 'in the clients order');
  const cursorConfig = after.items[1]?.configs[0];
  assert.deepEqual(cursorConfig?.servers.map((s) => s.name), ['fetch']);
  assert.deepEqual(cursorConfig?.findings.map((f) => [f.type, f.severity, f.location]), [['unpinned_package', 'medium', 'args[0]']]);

  // Resolving a finding takes it off the screen; the config stays.
  const finding = config.findings[0] as ClientView['configs'][number]['findings'][number];
  await expectOk(served.request('POST', `/alerts/${finding.alert_id}/resolve`));
  const resolved = await expectOk(served.request<{ items: ClientView[] }>('GET', '/clients'));
  assert.deepEqual(resolved.items[0]?.configs[0]?.findings, []);
  assert.ok(!served.output().stdout.includes(token) && !served.output().stderr.includes(token));
});

test('api-keys: create shows the key once and it works, list never shows it, revoke ends it at once', async (t) => {
  const served = await startServe(t);
  const created = await expectOk(served.request<CreatedApiKey>('POST', '/api-keys', { name: 'ci' }), 201);
  assert.equal(created.name, 'ci');
  assert.match(created.key, /^mcpw_[A-Za-z0-9_-]{43}$/);
  const withNewKey = await fetch(`${served.api}/api-keys`, { headers: { authorization: `Bearer ${created.key}` } });
  assert.equal(withNewKey.status, 200);
  const listText = await withNewKey.text();
  assert.ok(!listText.includes(created.key), 'the list never holds a key');
  const listed = (JSON.parse(listText) as { items: ApiKeyInfo[] }).items;
  assert.deepEqual(listed.map((k) => [k.name, k.prefix, k.revoked_at]), [['t', listed[0]?.prefix, null], ['ci', created.key.slice(0, 12), null]]);
  assert.notEqual(listed[1]?.last_used_at, null, 'the request just made used it');

  refused(await served.request('POST', '/api-keys', { name: 'ci' }), 409, 'conflict', 'name');
  refused(await served.request('POST', '/api-keys', { name: 'no spaces' }), 400, 'invalid_input', 'name');
  refused(await served.request('POST', '/api-keys', {}), 400, 'invalid_input', 'name');
  refused(await served.request('POST', '/api-keys', { name: 'x', key: 'mine' }), 400, 'invalid_input', 'key');

  const revoked = await expectOk(served.request<ApiKeyInfo>('DELETE', '/api-keys/ci'));
  assert.deepEqual([revoked.name, revoked.prefix], ['ci', created.key.slice(0, 12)]);
  assert.notEqual(revoked.revoked_at, null);
  const after = await fetch(`${served.api}/api-keys`, { headers: { authorization: `Bearer ${created.key}` } });
  assert.equal(after.status, 401);
  refused(await served.request('DELETE', '/api-keys/ci'), 404, 'not_found', 'name');
  const audit = await expectOk(served.request<AuditPage>('GET', '/audit?type=api_key.revoked'));
  assert.deepEqual(audit.items.map((e) => (e.details as { name: string }).name), ['ci']);
});

test('the new endpoints are in the OpenAPI document with their bodies', async (t) => {
  const served = await startServe(t);
  const doc = await expectOk(served.request<{ paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> }>('GET', '/openapi.json'));
  for (const [p, method] of [['/secrets', 'get'], ['/secrets', 'post'], ['/secrets/{name}', 'delete'], ['/settings', 'get'], ['/settings/{key}', 'put'], ['/clients', 'get'], ['/scan', 'post'], ['/api-keys', 'get'], ['/api-keys', 'post'], ['/api-keys/{name}', 'delete']] as const) {
    assert.ok(doc.paths[`/api/v1${p}`]?.[method] !== undefined, `${method} ${p}`);
  }
  assert.ok(doc.paths['/api/v1/secrets']?.post?.requestBody !== undefined);
  assert.ok(doc.paths['/api/v1/settings/{key}']?.put?.requestBody !== undefined);
  assert.ok('409' in (doc.paths['/api/v1/secrets/{name}']?.delete?.responses ?? {}));
});
