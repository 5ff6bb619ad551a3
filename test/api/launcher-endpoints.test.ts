/**
 * The launcher's endpoints against a real `serve` with a fake home holding a real-looking Claude
 * Desktop config: attach and detach rewrite the file (the launcher entry, UI preferences untouched,
 * backups kept); secure moves a GitHub token to the OS keychain and out of the file and every
 * answer; per-server policies read and change with 4xx naming the field; the latest tool calls read
 * newest first. Each change is a `registry` event.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientView } from '../../core/api/client.ts';
import { TOOL_CALL_EVENT, type AttachResult, type SecureResult, type ServerPolicies, type ToolCallDetails } from '../../core/api/launcher.ts';
import type { ServerView, ToolCallView } from '../../core/api/rest.ts';
import { appendAudit } from '../../core/audit/audit-log.ts';
import { openStore } from '../../core/store/database.ts';
import { expectOk, refused } from '../helpers/api-assert.ts';
import { envWith, ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { openEvents, startServe, type ApiResponse } from '../helpers/serve.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
const ECHO_ENV = path.join(ROOT, 'test', 'fixtures', 'servers', 'echo-env.mjs');
/** A GitHub personal access token's shape: `ghp_` and 36 letters and digits. */
const TOKEN = `ghp_${'Zq7Lm2Vx9Rt4Kp8Wd3'.repeat(2)}`;

type Config = { mcpServers: Record<string, { command?: string; args?: string[]; env?: Record<string, string> }> } & Record<string, unknown>;
const readConfig = (file: string): Config => JSON.parse(readFileSync(file, 'utf8')) as Config;
/** Everything but mcpServers: the keys MCP Warden does not own. */
const uiKeys = (config: Config): Record<string, unknown> => Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'mcpServers'));

test('policy: read, set, back to the global default; 4xx name the field; a registry event each time', async (t) => {
  const served = await startServe(t);
  const server = await expectOk(served.request<ServerView>('POST', '/mcp-servers', { name: 'pol', server_url: 'stdio://pol', command: process.execPath, args: [WELL_BEHAVED] }), 201);
  const events = await openEvents(served);
  t.after(() => events.close());

  assert.deepEqual(await expectOk(served.request<ServerPolicies>('GET', '/mcp-servers/pol/policy')), { attestation: null, undeclared: null, effective: { attestation: 'warn', undeclared: 'warn' } });
  const from = events.received.length;
  const set = await expectOk(served.request<ServerPolicies>('PUT', `/mcp-servers/${server.id}/policy`, { attestation: 'block' }));
  assert.deepEqual(set, { attestation: 'block', undeclared: null, effective: { attestation: 'block', undeclared: 'warn' } });
  await events.next<{ reason: string; server_id: string }>('registry', (e) => e.reason === 'policy_changed' && e.server_id === server.id, { from });

  // The global default moves the effective value of a field the server leaves to it, not the other.
  await expectOk(served.request('PUT', '/settings/undeclared-tool-policy', { value: 'block' }));
  assert.deepEqual(await expectOk(served.request<ServerPolicies>('GET', '/mcp-servers/pol/policy')), { attestation: 'block', undeclared: null, effective: { attestation: 'block', undeclared: 'block' } });
  const both = await expectOk(served.request<ServerPolicies>('PUT', '/mcp-servers/pol/policy', { attestation: null, undeclared: 'warn' }));
  assert.deepEqual(both, { attestation: null, undeclared: 'warn', effective: { attestation: 'warn', undeclared: 'warn' } });

  refused(await served.request('PUT', '/mcp-servers/pol/policy', { attestation: 'deny' }), 400, 'invalid_input', 'attestation', /warn", "block" or null/);
  refused(await served.request('PUT', '/mcp-servers/pol/policy', { undeclared: true }), 400, 'invalid_input', 'undeclared');
  refused(await served.request('PUT', '/mcp-servers/pol/policy', { drift: 'block' }), 400, 'invalid_input', 'drift', /Unknown field "drift"/);
  refused(await served.request('PUT', '/mcp-servers/nope/policy', { attestation: 'warn' }), 404, 'not_found');
  refused(await served.request('GET', '/mcp-servers/nope/policy'), 404, 'not_found');
  // Refusals changed nothing.
  assert.deepEqual((await served.request<ServerPolicies>('GET', '/mcp-servers/pol/policy')).json.undeclared, 'warn');

  const audit = await expectOk(served.request<{ items: { details: { after: unknown } }[] }>('GET', '/audit?type=server.policy_changed'));
  assert.deepEqual(audit.items.map((e) => e.details.after), [{ attestation: 'block', undeclared: null }, { attestation: null, undeclared: 'warn' }]);
});

test('tool calls: the newest tool.called events of that server first, limited; 4xx for a bad limit and an unknown server', async (t) => {
  const served = await startServe(t);
  const a = await expectOk(served.request<ServerView>('POST', '/mcp-servers', { name: 'calls-a', server_url: 'stdio://calls-a', command: process.execPath, args: [WELL_BEHAVED] }), 201);
  const b = await expectOk(served.request<ServerView>('POST', '/mcp-servers', { name: 'calls-b', server_url: 'stdio://calls-b', command: process.execPath, args: [WELL_BEHAVED] }), 201);
  assert.deepEqual(await expectOk(served.request('GET', '/mcp-servers/calls-a/tool-calls')), { items: [] });

  // Data set-up: the events the launcher writes, appended through the audit log on the same database.
  const store = openStore(served.home);
  try {
    const call = (server: ServerView, tool: string, i: number): ToolCallDetails => ({
      name: server.name, tool, duration_ms: 10 + i, error: i % 5 === 0, outcome: i % 5 === 0 ? 'error' : 'ok', argument_keys: ['path'], arguments: { path: `/tmp/${i}` }, undeclared: tool === 'shadow', blocked: false, client: 'claude-ai',
    });
    store.db.transaction(() => {
      for (let i = 1; i <= 30; i++) appendAudit(store.db, { actor: 'system', type: TOOL_CALL_EVENT, server_id: a.id, details: { ...call(a, i === 30 ? 'shadow' : 'read_file', i) } });
      appendAudit(store.db, { actor: 'system', type: TOOL_CALL_EVENT, server_id: b.id, details: { ...call(b, 'other', 99) } });
    }).immediate();
  } finally {
    store.close();
  }

  const latest = await expectOk(served.request<{ items: ToolCallView[] }>('GET', `/mcp-servers/${a.id}/tool-calls`));
  assert.equal(latest.items.length, 20, 'twenty by default');
  assert.deepEqual(latest.items.slice(0, 3).map((c) => [c.tool, c.duration_ms, c.undeclared]), [['shadow', 40, true], ['read_file', 39, false], ['read_file', 38, false]]);
  assert.ok(latest.items.every((c, i) => i === 0 || c.seq < (latest.items[i - 1] as ToolCallView).seq), 'newest first');
  assert.ok(latest.items.every((c) => c.name === 'calls-a' && typeof c.at === 'string'));
  const five = await expectOk(served.request<{ items: ToolCallView[] }>('GET', '/mcp-servers/calls-b/tool-calls?limit=5'));
  assert.deepEqual(five.items.map((c) => c.tool), ['other']);

  refused(await served.request('GET', '/mcp-servers/calls-a/tool-calls?limit=0'), 400, 'invalid_input', 'limit');
  refused(await served.request('GET', '/mcp-servers/calls-a/tool-calls?limit=201'), 400, 'invalid_input', 'limit');
  refused(await served.request('GET', '/mcp-servers/calls-a/tool-calls?page=2'), 400, 'invalid_input', 'page');
  refused(await served.request('GET', '/mcp-servers/nope/tool-calls'), 404, 'not_found');
  // The OpenAPI document lists every launcher endpoint.
  const doc = await expectOk(served.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json'));
  for (const [p, m] of [['/mcp-servers/{id}/policy', 'put'], ['/mcp-servers/{id}/tool-calls', 'get']] as const) assert.ok(doc.paths[`/api/v1${p}`]?.[m] ?? doc.paths[p]?.[m], `${m} ${p} in OpenAPI`);
});

test('attach and detach a hand-registered server in Claude Desktop: the launcher entry, UI keys untouched, backups, events; 4xx name the field', async (t) => {
  const fake = fakeHome(t);
  const original = claudeDesktopConfig({ 'desk-notes': { command: process.execPath, args: [WELL_BEHAVED] } }) as Config;
  writeByRename(fake.claudeDesktop, original);
  const served = await startServe(t, { fake });
  const server = await expectOk(served.request<ServerView>('POST', '/mcp-servers', { name: 'hand-notes', server_url: 'stdio://hand-notes', command: process.execPath, args: [WELL_BEHAVED, '--verbose'] }), 201);
  // Attaching makes the client start it: a command line from the API is attached only once a person confirmed it.
  refused(await served.request('POST', `/mcp-servers/${server.id}/attach`, { client: 'claude-desktop' }), 409, 'conflict', 'name', /no person has confirmed/);
  assert.equal(served.cli('mcp', 'approve', 'hand-notes').code, 0);
  const events = await openEvents(served);
  t.after(() => events.close());

  const from = events.received.length;
  const result = await expectOk(served.request<AttachResult>('POST', `/mcp-servers/${server.id}/attach`, { client: 'claude-desktop' }));
  assert.deepEqual([result.server, result.client, result.config_path, result.key, result.changed], ['hand-notes', 'claude-desktop', fake.claudeDesktop, 'hand-notes', true]);
  assert.ok(result.backup !== null && existsSync(result.backup), 'a backup exists');
  assert.deepEqual(readConfig(result.backup), original, 'the backup is the file as it was');
  const config = readConfig(fake.claudeDesktop);
  const entry = config.mcpServers['hand-notes'];
  assert.equal(entry?.command, process.execPath, 'Node by absolute path');
  assert.equal(entry?.args?.[0], path.join(ROOT, 'bin', 'mcp-warden.mjs'), 'the CLI entry by absolute path');
  // serve's data directory is not the default one, so the entry names it.
  assert.deepEqual(entry?.args?.slice(1), ['--home', served.home, 'run', '--', 'hand-notes']);
  assert.deepEqual(uiKeys(config), uiKeys(original), 'the UI preferences are unchanged');
  assert.deepEqual(config.mcpServers['desk-notes'], original.mcpServers['desk-notes'], 'the other entry is unchanged');
  await events.next<{ reason: string; server_id: string }>('registry', (e) => e.reason === 'attached' && e.server_id === server.id, { from });
  const clients = await expectOk(served.request<{ items: ClientView[] }>('GET', '/clients'));
  const listed = clients.items.find((c) => c.client === 'claude-desktop')?.configs[0]?.servers.find((x) => x.id === server.id);
  assert.deepEqual([listed?.key, listed?.attached], ['hand-notes', true], 'the Clients view shows it attached');

  // Again: nothing to write.
  const again = await expectOk(served.request<AttachResult>('POST', `/mcp-servers/hand-notes/attach`, { client: 'claude-desktop', config_path: fake.claudeDesktop }));
  assert.deepEqual([again.changed, again.backup], [false, null]);

  const detached = await expectOk(served.request<AttachResult>('POST', `/mcp-servers/hand-notes/detach`, { client: 'claude-desktop' }));
  assert.equal(detached.changed, true);
  assert.ok(detached.backup !== null && existsSync(detached.backup) && detached.backup !== result.backup, 'a second backup');
  const plain = readConfig(fake.claudeDesktop);
  assert.deepEqual(plain.mcpServers['hand-notes'], { command: process.execPath, args: [WELL_BEHAVED, '--verbose'] }, 'the plain entry of the definition');
  assert.deepEqual(uiKeys(plain), uiKeys(original));
  // Detaching what is not attached writes nothing; attached again, remove: true takes the entry out.
  const idle = await expectOk(served.request<AttachResult>('POST', `/mcp-servers/hand-notes/detach`, { client: 'claude-desktop', remove: true }));
  assert.deepEqual([idle.changed, idle.backup], [false, null]);
  await expectOk(served.request<AttachResult>('POST', `/mcp-servers/hand-notes/attach`, { client: 'claude-desktop' }));
  const removed = await expectOk(served.request<AttachResult>('POST', `/mcp-servers/hand-notes/detach`, { client: 'claude-desktop', remove: true }));
  assert.equal(removed.changed, true);
  assert.equal(readConfig(fake.claudeDesktop).mcpServers['hand-notes'], undefined, 'remove: true takes the entry out');

  refused(await served.request('POST', '/mcp-servers/hand-notes/attach', {}), 400, 'invalid_input', 'client');
  refused(await served.request('POST', '/mcp-servers/hand-notes/attach', { client: 7 }), 400, 'invalid_input', 'client');
  refused(await served.request('POST', '/mcp-servers/hand-notes/attach', { client: 'claude-desktop', key: 'x' }), 400, 'invalid_input', 'key', /Unknown field "key"/);
  refused(await served.request('POST', '/mcp-servers/hand-notes/detach', { client: 'claude-desktop', remove: 'yes' }), 400, 'invalid_input', 'remove');
  refused(await served.request('POST', '/mcp-servers/nope/attach', { client: 'claude-desktop' }), 404, 'not_found');
  // A discovered server nobody approved is refused, and its file is not touched.
  const before = readFileSync(fake.claudeDesktop, 'utf8');
  const desk = await served.request('POST', '/mcp-servers/desk-notes/attach', { client: 'claude-desktop' });
  refused(desk, 409, 'conflict', undefined, /approve/);
  assert.equal(readFileSync(fake.claudeDesktop, 'utf8'), before);
  const audit = await expectOk(served.request<{ items: { type: string }[] }>('GET', `/audit?server=${server.id}`));
  assert.ok(audit.items.some((e) => /attach/.test(e.type)) && audit.items.some((e) => /detach/.test(e.type)), `attach and detach audited: ${audit.items.map((e) => e.type).join(', ')}`);
});

test('secure: a GitHub token leaves the config for the keychain and no answer holds it; the rewritten entry, started as a client does, gets it and its call is listed', async (t) => {
  const fake = fakeHome(t);
  const original = claudeDesktopConfig({ 'desk-gh': { command: process.execPath, args: [ECHO_ENV], env: { GITHUB_TOKEN: TOKEN, LOG_LEVEL: 'info' } } }) as Config;
  writeByRename(fake.claudeDesktop, original);
  const served = await startServe(t, { fake });
  const texts: string[] = [];
  const call = async <T = unknown>(method: string, urlPath: string, body?: unknown): Promise<ApiResponse<T>> => {
    const r = await served.request<T>(method, urlPath, body);
    texts.push(r.text);
    return r;
  };
  const clients = await pollJson(call, (items) => items.some((c) => c.configs.some((f) => f.findings.some((x) => x.type === 'plaintext_secret' && x.server_name === 'desk-gh'))));
  const finding = clients.flatMap((c) => c.configs.flatMap((f) => f.findings)).find((x) => x.server_name === 'desk-gh');
  assert.equal(finding?.location, 'env.GITHUB_TOKEN');
  const events = await openEvents(served);
  t.after(() => events.close());

  const from = events.received.length;
  const secured = await expectOk(call<{ items: SecureResult[] }>('POST', '/mcp-servers/desk-gh/secure'));
  assert.equal(secured.items.length, 1);
  const [item] = secured.items as [SecureResult];
  assert.deepEqual([item.server, item.config_path, item.key], ['desk-gh', fake.claudeDesktop, 'desk-gh']);
  assert.ok(item.moved.some((m) => m.location === 'env.GITHUB_TOKEN'), JSON.stringify(item.moved));
  const secretName = item.moved.find((m) => m.location === 'env.GITHUB_TOKEN')?.secret ?? '';
  assert.ok(item.backup !== null && existsSync(item.backup));
  await events.next<{ reason: string }>('registry', (e) => e.reason === 'secured', { from });

  const bytes = readFileSync(fake.claudeDesktop, 'utf8');
  assert.ok(!bytes.includes(TOKEN), 'the token is gone from the config file');
  const config = JSON.parse(bytes) as Config;
  assert.deepEqual(uiKeys(config), uiKeys(original));
  assert.deepEqual(config.mcpServers['desk-gh']?.args?.slice(-3), ['run', '--', 'desk-gh'], 'the entry runs through the launcher');
  const listed = served.cli('secrets', 'list', '--json');
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok((JSON.parse(listed.stdout) as { secrets: { name: string }[] }).secrets.some((s) => s.name === secretName), `secrets list shows ${secretName}: ${listed.stdout}`);
  const view = await expectOk(call<ServerView>('GET', '/mcp-servers/desk-gh'));
  assert.deepEqual(view.env_template.find((e) => e.key === 'GITHUB_TOKEN')?.value, `{{secret:${secretName}}}`, 'the definition holds the handle');
  // The finding is resolved by the rescan.
  await pollJson(call, (items) => !items.some((c) => c.configs.some((f) => f.findings.some((x) => x.type === 'plaintext_secret' && x.server_name === 'desk-gh'))));
  refused(await call('POST', '/mcp-servers/desk-gh/secure'), 409, 'conflict', 'name', /nothing to move|Nothing was moved/);

  // The client starts the rewritten entry: mcp-warden run fills GITHUB_TOKEN from the keychain, and
  // the call it relays is the first of the server's latest tool calls.
  const rewritten = config.mcpServers['desk-gh'] as { command: string; args: string[]; env?: Record<string, string> };
  const childEnv = Object.fromEntries(Object.entries({ ...envWith(served.env), ...(rewritten.env ?? {}) }).filter((e): e is [string, string] => e[1] !== undefined));
  const client = new Client({ name: 'launcher-endpoints-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: rewritten.command, args: rewritten.args, env: childEnv, stderr: 'pipe' }));
  try {
    const answer = (await client.callTool({ name: 'env', arguments: { name: 'GITHUB_TOKEN' } })) as { content: { text: string }[] };
    assert.equal(answer.content[0]?.text, TOKEN, 'the server received the token');
  } finally {
    await client.close();
  }
  const deadline = Date.now() + 15_000;
  let calls: ToolCallView[] = [];
  while ((calls = (await expectOk(call<{ items: ToolCallView[] }>('GET', '/mcp-servers/desk-gh/tool-calls'))).items).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(calls.map((c) => [c.name, c.tool, c.argument_keys, c.error, c.blocked]), [['desk-gh', 'env', ['name'], false, false]], 'the relayed call, from the audit trail');

  for (const path of ['/audit', '/mcp-servers', '/clients', '/alerts?limit=500', '/secrets']) await call('GET', path);
  for (const text of texts) assert.ok(!text.includes(TOKEN), `no answer holds the token: ${text.slice(0, 200)}`);
  refused(await call('POST', '/mcp-servers/nope/secure'), 404, 'not_found');

});

/** Reads /clients until `accept` holds (the monitor and the scans are asynchronous to the request). */
async function pollJson(call: <T>(method: string, path: string) => Promise<ApiResponse<T>>, accept: (items: ClientView[]) => boolean): Promise<ClientView[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const items = (await call<{ items: ClientView[] }>('GET', '/clients')).json.items;
    if (accept(items)) return items;
    if (Date.now() > deadline) throw new Error(`/clients never matched: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
