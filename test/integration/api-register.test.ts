/**
 * Registration in the REST shape (registerFromRequest) and changes (updateServer), against a real
 * SQLite store and real client config files in a fake home.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import { listAudit } from '../../core/audit/audit-log.ts';
import { attestServer } from '../../core/attest/attest.ts';
import { measure } from '../../core/attest/measure.ts';
import { scanConfig } from '../../core/discovery/scan.ts';
import { probeServer } from '../../core/probe/index.ts';
import { registerFromRequest } from '../../core/registry/api-register.ts';
import { getServer, listServers } from '../../core/registry/read.ts';
import { updateServer } from '../../core/registry/update.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { setSetting } from '../../core/settings/settings.ts';
import { DATABASE_FILE, openStore } from '../../core/store/database.ts';
import { computeTrust } from '../../core/trust/record.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { engine, failure, stateChecksum, type Engine } from '../helpers/engine.ts';
import { claudeDesktopConfig, writeByRename } from '../helpers/fake-home.ts';

const register = (e: Engine, body: unknown) => registerFromRequest(e.options, body, e.ctx);
const auditTypes = (e: Engine) => listAudit(e.store.db).map((a) => a.type);
const addSecretName = (e: Engine, name: string) => e.store.db.prepare("INSERT INTO secrets (name, description, created_at) VALUES (?, '', '2026-01-01T00:00:00.000Z')").run(name);

test('a stdio server with its command, an http URL and an sse URL are registered as hand-made definitions', (t) => {
  const e = engine(t);
  addSecretName(e, 'gh-token');
  const stdio = register(e, {
    name: 'files',
    display_name: 'Files',
    server_url: 'stdio://files',
    command: 'sh',
    args: ['-c', 'exec cat'],
    env_template: { GITHUB_TOKEN: '{{secret:gh-token}}', LOG_LEVEL: 'info' },
    capabilities: ['read_file'],
    description: 'reads files',
  });
  assert.equal(stdio.outcome, 'registered');
  assert.equal(stdio.server.status, 'approved');
  assert.equal(stdio.server.transport, 'stdio');
  assert.ok(path.isAbsolute(stdio.server.command ?? ''), 'the command is resolved on PATH');
  assert.match(stdio.server.command_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(stdio.server.env_template, [{ key: 'GITHUB_TOKEN', value: '{{secret:gh-token}}' }, { key: 'LOG_LEVEL', value: 'info' }], 'the object form is stored as pairs, handles kept');
  assert.equal(stdio.server.server_url, 'stdio://files');
  assert.deepEqual(e.store.db.prepare('SELECT secret_name FROM server_secret_refs WHERE server_id = ?').pluck().all(stdio.server.id), ['gh-token']);

  const http = register(e, { name: 'remote', server_url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer {{secret:gh-token}}' }, capabilities: ['search'] });
  assert.deepEqual([http.outcome, http.server.transport, http.server.url, http.server.command], ['registered', 'http', 'https://mcp.example.com/mcp', null]);
  const sse = register(e, { name: 'legacy', server_url: 'http://127.0.0.1:9000/sse', transport: 'sse' });
  assert.deepEqual([sse.server.transport, sse.server.server_url], ['sse', 'http://127.0.0.1:9000/sse']);
  assert.deepEqual(getServer(e.store.db, stdio.server.id), stdio.server, 'what is answered is what is stored');
  assert.deepEqual(auditTypes(e).filter((type) => type.startsWith('server.')), ['server.registered', 'server.registered', 'server.registered']);
});

test('each invalid registration is refused naming the REST field, and stores nothing', (t) => {
  const e = engine(t);
  register(e, { name: 'taken', server_url: 'https://taken.example/mcp' });
  const before = stateChecksum(e.dataDir);
  const cases: [unknown, string, string, RegExp][] = [
    ['not an object', 'invalid_input', '', /must be a JSON object/],
    [{ name: 'bad name!', server_url: 'stdio://x' }, 'invalid_input', 'name', /server name "bad name!" is invalid/],
    [{ name: 'x' }, 'invalid_input', 'server_url', /server_url must be a string/],
    [{ name: 'x', server_url: 'stdio://y' }, 'invalid_input', 'server_url', /names another server than "x": use stdio:\/\/x/],
    [{ name: 'x', server_url: 'ftp://x.example' }, 'invalid_input', 'server_url', /neither stdio:\/\/<name> nor an http\(s\) URL/],
    [{ name: 'x', server_url: 'https://user:pw@x.example/mcp' }, 'invalid_input', 'server_url', /cannot carry a user name or password/],
    [{ name: 'x', server_url: 'https://x.example/mcp', command: 'sh' }, 'invalid_input', 'command', /only for a stdio server/],
    [{ name: 'x', server_url: 'https://x.example/mcp', env_template: { A: 'b' } }, 'invalid_input', 'env_template', /only for a stdio server/],
    [{ name: 'x', server_url: 'https://x.example/mcp', transport: 'stdio' }, 'invalid_input', 'transport', /http or sse transport, not stdio/],
    [{ name: 'x', server_url: 'stdio://x', transport: 'http' }, 'invalid_input', 'transport', /stdio server, not http/],
    [{ name: 'x', server_url: 'stdio://x', command: 'sh', env_template: { 'BAD KEY': 'v' } }, 'invalid_input', 'env_template[0].key', /environment variable name "BAD KEY" is invalid/],
    [{ name: 'x', server_url: 'stdio://x', command: 'sh', env_template: [{ key: 'A', value: '{{secret:}}' }] }, 'invalid_input', 'env_template[0].value', /malformed secret handle/],
    [{ name: 'x', server_url: 'stdio://x', command: 'sh', env_template: [{ key: 'A', value: '{{secret:missing}}' }] }, 'not_found', 'env_template[0].value', /secret "missing" used in environment variable A does not exist/],
    [{ name: 'x', server_url: 'stdio://x', command: 'sh', args: ['{{secret:t}}'] }, 'invalid_input', 'args[0]', /process arguments are visible/],
    [{ name: 'x', server_url: 'stdio://x', command: 'no-such-command-anywhere' }, 'not_found', 'command', /no-such-command-anywhere/],
    [{ name: 'x', server_url: 'stdio://x', args: ['--port', '1'] }, 'invalid_input', 'args', /args needs a command/],
    [{ name: 'x', server_url: 'stdio://x', capabilities: ['two words'] }, 'invalid_input', 'capabilities[0]', /not a valid tool name/],
    [{ name: 'x', server_url: 'stdio://x', colour: 'red' }, 'invalid_input', 'colour', /Unknown field "colour"/],
    [{ name: 'TAKEN', server_url: 'https://other.example/mcp' }, 'conflict', 'name', /A server named "taken" is already registered/],
    [{ name: 'taken', server_url: 'stdio://taken' }, 'conflict', 'name', /A server named "taken" is already registered/],
  ];
  for (const [body, code, field, message] of cases) {
    const got = failure(() => register(e, body));
    assert.equal(got.code, code, JSON.stringify(body));
    assert.equal(got.field, field, JSON.stringify(body));
    assert.match(got.message, message);
  }
  assert.equal(stateChecksum(e.dataDir), before, 'no refused registration wrote anything');
});

test('a stdio server named without a command is declared: stored by name and capabilities, refused by probe, measure and attest', async (t) => {
  const e = engine(t);
  const { server, outcome } = register(e, { name: 'planned', display_name: 'Planned', server_url: 'stdio://planned', capabilities: ['search', 'fetch'], description: 'not installed yet' });
  assert.equal(outcome, 'declared');
  assert.deepEqual(
    [server.status, server.transport, server.command, server.capabilities, server.source, server.server_url, server.display_name],
    ['declared', 'stdio', null, ['search', 'fetch'], { kind: 'manual' }, 'stdio://planned', 'Planned'],
  );
  // Stored as approved + declared (the status CHECK of schema 2 is left alone).
  const raw = new Database(path.join(e.dataDir, DATABASE_FILE), { readonly: true });
  t.after(() => raw.close());
  assert.deepEqual(raw.prepare('SELECT status, declared FROM servers WHERE id = ?').get(server.id), { status: 'approved', declared: 1 });
  assert.ok(auditTypes(e).includes('server.declared'));

  const nothingToRun = /“planned” is declared only: no client config lists a server of that name yet, so there is nothing to run\./;
  await assert.rejects(probeServer(server), (err: { code?: string; message: string }) => err.code === 'conflict' && nothingToRun.test(err.message));
  assert.equal(failure(() => measure(e.store, server)).code, 'conflict');
  assert.match(failure(() => attestServer(e.store, new OsKeychain(e.store.installId), server)).message, nothingToRun);

  // Trust treats it as approved and written by hand; nothing is pinned since nothing runs.
  const trust = computeTrust(e.store.db, server.id);
  const provenance = trust.factors.find((f) => f.factor === 'provenance');
  assert.equal(provenance?.value, 1);
  assert.match(trust.excluded.find((x) => x.factor === 'pin')?.reason ?? '', /declared only/);

  // The CLI shows it for what it is, and probe --all passes over it.
  const list = cli(['--home', e.dataDir, 'mcp', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /planned\s+declared\s+\S+\s+stdio\s+\(declared: no client config lists it yet\)/);
  const probe = cli(['--home', e.dataDir, 'mcp', 'probe', 'planned']);
  assert.equal(probe.code, 1);
  assert.match(probe.stderr, nothingToRun);
});

test('a declared server is matched by the scan when a client config lists it later: linked, its launch taken from the entry, no unapproved alert', (t) => {
  const e = engine(t);
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ other: { command: 'sh', args: ['-c', 'true'] } }));
  scanConfig(e.options, e.claudeDesktop); // the baseline
  const declared = register(e, { name: 'github', server_url: 'stdio://github', capabilities: ['create_issue'] }).server;

  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({
    other: { command: 'sh', args: ['-c', 'true'] },
    GitHub: { command: 'sh', args: ['-c', 'exec cat'], env: { GITHUB_TOKEN: 'ghp_R8x2kQ9mZ4vT7nW1pL6sY3bH5jD0cF2gK8aE', LOG: '{{secret:log}}' } },
  }));
  const result = scanConfig(e.options, e.claudeDesktop);
  const matched = getServer(e.store.db, declared.id);
  assert.equal(matched.status, 'approved');
  assert.equal(matched.name, 'github', 'the declared name stays; the entry key matched case-insensitively');
  assert.ok(path.isAbsolute(matched.command ?? ''));
  assert.deepEqual(matched.args, ['-c', 'exec cat']);
  assert.match(matched.command_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(matched.capabilities, ['create_issue']);
  assert.equal(matched.env_template[1]?.value, '{{secret:log}}', 'a handle is kept');
  assert.doesNotMatch(JSON.stringify(matched), /ghp_R8x2kQ9mZ4/, 'a plaintext value never reaches the registry');
  assert.deepEqual(result.servers.find((s) => s.key === 'GitHub')?.server_id, declared.id);
  assert.deepEqual(listServers(e.store.db).map((s) => [s.name, s.status]), [['github', 'approved'], ['other', 'discovered']], 'no discovered duplicate');
  const alerts = listAlerts(e.store.db, { state: 'open' });
  assert.ok(!alerts.some((a) => a.type === 'unapproved_server'), 'the user declared it: no unapproved alert');
  assert.ok(alerts.some((a) => a.type === 'plaintext_secret' && a.server_id === declared.id), 'hygiene still applies to the entry');
  const event = listAudit(e.store.db).find((a) => a.type === 'server.matched');
  assert.deepEqual([event?.server_id, event?.details['client'], event?.details['config_path'], event?.details['key']], [declared.id, 'claude-desktop', e.claudeDesktop.path, 'GitHub']);

  // From now on the entry is compared with the matched launch like any approved server's.
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ other: { command: 'sh', args: ['-c', 'true'] }, GitHub: { command: 'sh', args: ['-c', 'exec cat /etc/shadow'], env: { GITHUB_TOKEN: 'ghp_R8x2kQ9mZ4vT7nW1pL6sY3bH5jD0cF2gK8aE', LOG: '{{secret:log}}' } } }));
  scanConfig(e.options, e.claudeDesktop);
  assert.ok(listAlerts(e.store.db, { state: 'open' }).some((a) => a.type === 'launch_changed' && a.server_id === declared.id));
});

test('declaring a name a config already lists: a discovered server is adopted, an unregistered entry is matched at once', (t) => {
  const e = engine(t);
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ gh: { command: 'sh', args: ['-c', 'true'] } }));
  scanConfig(e.options, e.claudeDesktop); // baseline: gh is registered as discovered
  const discovered = getServer(e.store.db, 'gh');
  assert.equal(discovered.status, 'discovered');

  const adopted = register(e, { name: 'gh', server_url: 'stdio://gh', description: 'GitHub', capabilities: ['search'], display_name: 'GitHub' });
  assert.equal(adopted.outcome, 'adopted');
  assert.deepEqual(
    [adopted.server.id, adopted.server.status, adopted.server.description, adopted.server.display_name, adopted.server.capabilities, adopted.server.source.kind],
    [discovered.id, 'approved', 'GitHub', 'GitHub', ['search'], 'discovered'],
  );
  assert.ok(auditTypes(e).includes('server.approved'));

  // New entries after the baseline only raise an alert under the "alert" policy: they are not registered.
  setSetting(e.store.db, 'new-server-policy', 'alert');
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ gh: { command: 'sh', args: ['-c', 'true'] }, memory: { command: 'cat' } }));
  scanConfig(e.options, e.claudeDesktop);
  assert.ok(listAlerts(e.store.db, { state: 'open' }).some((a) => a.type === 'unregistered_server'));
  const matched = register(e, { name: 'Memory', server_url: 'stdio://Memory', capabilities: ['remember'] });
  assert.equal(matched.outcome, 'matched');
  assert.deepEqual([matched.server.status, path.basename(matched.server.command ?? '')], ['approved', 'cat']);
  assert.ok(!listAlerts(e.store.db, { state: 'open' }).some((a) => a.type === 'unregistered_server'), 'the unregistered alert resolved');

  // A name held by a hand-made or declared server is a conflict.
  register(e, { name: 'later', server_url: 'stdio://later' });
  assert.deepEqual(failure(() => register(e, { name: 'later', server_url: 'stdio://later' })).code, 'conflict');
});

test('updateServer: a rename keeps the id; a discovered launch is refused; a declared server given a command becomes a normal stdio server', (t) => {
  const e = engine(t);
  addSecretName(e, 'api-key');
  const remote = register(e, { name: 'remote', server_url: 'https://a.example/mcp' }).server;
  const renamed = updateServer(e.options, remote.id, { name: 'remote-2', description: 'moved', capabilities: ['x'] }, e.ctx);
  assert.deepEqual([renamed.id, renamed.name, renamed.description, renamed.capabilities, renamed.fingerprint], [remote.id, 'remote-2', 'moved', ['x'], remote.fingerprint]);
  assert.equal(getServer(e.store.db, 'remote-2').id, remote.id);
  const updated = listAudit(e.store.db).filter((a) => a.type === 'server.updated').at(-1);
  assert.deepEqual(updated?.details['fields'], ['name', 'description', 'capabilities']);

  const moved = updateServer(e.options, 'remote-2', { server_url: 'https://b.example/mcp', headers: { Authorization: 'Bearer {{secret:api-key}}' } }, e.ctx);
  assert.deepEqual([moved.url, moved.server_url, moved.headers], ['https://b.example/mcp', 'https://b.example/mcp', { Authorization: 'Bearer {{secret:api-key}}' }]);
  assert.notEqual(moved.fingerprint, remote.fingerprint);
  assert.deepEqual(e.store.db.prepare('SELECT secret_name FROM server_secret_refs WHERE server_id = ?').pluck().all(remote.id), ['api-key']);
  assert.doesNotMatch(JSON.stringify(listAudit(e.store.db).at(-2)?.details), /Bearer/, 'the audit names fields, never values');

  register(e, { name: 'other', server_url: 'https://o.example/mcp' });
  const before = stateChecksum(e.dataDir);
  for (const [change, code, field, message] of [
    [{}, 'invalid_input', 'body', /The change is empty/],
    [{ name: 'OTHER' }, 'conflict', 'name', /A server named "other" is already registered/],
    [{ id: 'srv_x' }, 'invalid_input', 'id', /a server's id cannot be changed/],
    [{ server_url: 'stdio://elsewhere' }, 'invalid_input', 'server_url', /names another server/],
    [{ command: 'sh' }, 'invalid_input', 'command', /A command is only for stdio servers/],
    [{ url: 'ftp://x' }, 'invalid_input', 'url', /must start with http/],
  ] as const) {
    const got = failure(() => updateServer(e.options, remote.id, change, e.ctx));
    assert.deepEqual([got.code, got.field], [code, field], JSON.stringify(change));
    assert.match(got.message, message);
  }
  assert.equal(stateChecksum(e.dataDir), before);

  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] } }));
  scanConfig(e.options, e.claudeDesktop);
  const refused = failure(() => updateServer(e.options, 'found', { args: ['-c', 'false'] }, e.ctx));
  assert.equal(refused.code, 'conflict');
  assert.equal(refused.message, `The launch of "found" comes from ${e.claudeDesktop.path}: edit that file, or approve the change (mcp-warden mcp approve found).`);
  assert.equal(updateServer(e.options, 'found', { description: 'seen in Claude' }, e.ctx).description, 'seen in Claude', 'describing fields change on any server');

  const declared = register(e, { name: 'planned', server_url: 'stdio://planned', capabilities: ['a'] }).server;
  assert.equal(updateServer(e.options, 'planned', { description: 'still planned' }, e.ctx).status, 'declared');
  assert.equal(failure(() => updateServer(e.options, 'planned', { args: ['x'] }, e.ctx)).field, 'args');
  const runnable = updateServer(e.options, declared.id, { command: 'sh', args: ['-c', 'exec cat'] }, e.ctx);
  assert.deepEqual([runnable.id, runnable.status, runnable.transport, path.isAbsolute(runnable.command ?? ''), runnable.capabilities], [declared.id, 'approved', 'stdio', true, ['a']]);
  assert.match(runnable.command_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.notEqual(runnable.fingerprint, declared.fingerprint);
  assert.doesNotThrow(() => measure(e.store, runnable));
});

test('a database at schema 3 gains the declared column (every server not declared) and the agent and key tables', (t) => {
  const e = engine(t);
  const dir = tempDir(t);
  copyFileSync(path.join(ROOT, 'test', 'fixtures', 'db', 'schema-v3.sqlite'), path.join(dir, DATABASE_FILE));
  const store = openStore(dir);
  t.after(() => store.close());
  assert.deepEqual(store.db.prepare('SELECT DISTINCT declared FROM servers').pluck().all(), [0]);
  assert.ok(listServers(store.db).every((s) => s.status !== 'declared'));
  for (const table of ['api_agents', 'api_agent_servers', 'api_keys']) {
    assert.equal(store.db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(table), 1, table);
  }
  const declared = registerFromRequest({ ...e.options, store }, { name: 'planned', server_url: 'stdio://planned' }, e.ctx);
  assert.equal(declared.outcome, 'declared');
  assert.equal(getServer(store.db, 'planned').status, 'declared');
});
