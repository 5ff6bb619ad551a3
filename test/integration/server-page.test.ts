/** listServerPage / serverView: filters, paging and the columns beside each server, on a real store. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { attestServer, verifyServer } from '../../core/attest/attest.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { listServersQuerySchema } from '../../core/api/rest.ts';
import { scanConfig } from '../../core/discovery/scan.ts';
import { registerFromRequest } from '../../core/registry/api-register.ts';
import { listServerPage, serverView } from '../../core/registry/page.ts';
import { getServer } from '../../core/registry/read.ts';
import { latestTrustScores } from '../../core/trust/record.ts';
import { engine, type Engine } from '../helpers/engine.ts';
import { claudeDesktopConfig, writeByRename } from '../helpers/fake-home.ts';

const page = (e: Engine, query: Record<string, string>) => listServerPage(e.store.db, listServersQuerySchema.parse(query));
const names = (e: Engine, query: Record<string, string>) => page(e, query).items.map((s) => s.name);

test('q matches name, display name and description case-insensitively, with % and _ taken literally', (t) => {
  const e = engine(t);
  const rows: [string, string, string][] = [
    ['alpha', 'Alpha', 'reads 100% of files'],
    ['beta_1', 'Beta', 'plain'],
    ['betax1', 'Beta X', 'plain'],
    ['gamma', 'The Gamma Server', 'back\\slash'],
  ];
  for (const [name, display_name, description] of rows) registerFromRequest(e.options, { name, display_name, description, server_url: `https://${name.replace('_', '-')}.example/mcp` }, e.ctx);

  assert.deepEqual(names(e, { q: '100%' }), ['alpha']);
  assert.deepEqual(names(e, { q: '%' }), ['alpha'], '% is not a wildcard');
  assert.deepEqual(names(e, { q: 'a_1' }), ['beta_1'], '_ is not a wildcard (betax1 does not match)');
  assert.deepEqual(names(e, { q: 'GAMMA server' }), ['gamma'], 'display name, any case');
  assert.deepEqual(names(e, { q: 'back\\slash' }), ['gamma'], 'the escape character itself');
  assert.deepEqual(names(e, { q: 'BETA' }), ['beta_1', 'betax1']);
  assert.deepEqual(names(e, { q: 'nothing like it' }), []);
  assert.deepEqual(names(e, {}), ['alpha', 'beta_1', 'betax1', 'gamma'], 'ordered by name');
});

test('paging: total, limit, offset and next_offset', (t) => {
  const e = engine(t);
  for (let i = 0; i < 7; i++) registerFromRequest(e.options, { name: `s${i}`, server_url: `https://s${i}.example/mcp` }, e.ctx);
  const first = page(e, { limit: '3' });
  assert.deepEqual([first.items.map((s) => s.name), first.total, first.limit, first.offset, first.next_offset], [['s0', 's1', 's2'], 7, 3, 0, 3]);
  const last = page(e, { limit: '3', offset: '6' });
  assert.deepEqual([last.items.map((s) => s.name), last.total, last.next_offset], [['s6'], 7, null]);
  const beyond = page(e, { limit: '3', offset: '10' });
  assert.deepEqual([beyond.items, beyond.total, beyond.next_offset], [[], 7, null]);
  assert.equal(page(e, {}).limit, 100, 'the default page size');
});

test('status and client filters, and the trust, open alerts, clients and last probe beside each server', (t) => {
  const e = engine(t);
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'], env: { API_TOKEN: 'sk_live_R8x2kQ9mZ4vT7nW1pL6sY3bH' } } }));
  writeByRename(e.cursor.path, { mcpServers: { elsewhere: { url: 'http://mcp.example.com/mcp' } } });
  scanConfig(e.options, e.claudeDesktop);
  scanConfig(e.options, e.cursor);
  registerFromRequest(e.options, { name: 'manual', server_url: 'https://manual.example/mcp' }, e.ctx);
  registerFromRequest(e.options, { name: 'planned', server_url: 'stdio://planned' }, e.ctx);
  const manual = getServer(e.store.db, 'manual');
  e.store.db.prepare("INSERT INTO probes (server_id, at, ok, result) VALUES (?, '2026-02-01T00:00:00.000Z', 0, '{}'), (?, '2026-03-01T00:00:00.000Z', 1, '{}')").run(manual.id, manual.id);

  assert.deepEqual(names(e, { status: 'discovered' }), ['elsewhere', 'found']);
  assert.deepEqual(names(e, { status: 'approved' }), ['manual']);
  assert.deepEqual(names(e, { status: 'declared' }), ['planned']);
  assert.deepEqual(names(e, { client: 'cursor' }), ['elsewhere']);
  assert.deepEqual(names(e, { client: 'claude-desktop', status: 'approved' }), []);
  assert.equal(page(e, { status: 'discovered' }).total, 2);

  const all = new Map(page(e, {}).items.map((s) => [s.name, s]));
  const found = all.get('found');
  const openAlerts = e.store.db.prepare("SELECT count(*) FROM alerts WHERE server_id = ? AND state != 'resolved'").pluck().get(found?.id) as number;
  assert.ok(openAlerts > 0, 'the plaintext token is an open alert of "found"');
  assert.equal(found?.open_alerts, openAlerts);
  assert.deepEqual(found?.clients, ['claude-desktop']);
  assert.equal(all.get('manual')?.last_probe_at, '2026-03-01T00:00:00.000Z', 'the latest probe, successful or not');
  assert.equal(all.get('planned')?.last_probe_at, null);
  assert.deepEqual(all.get('manual')?.clients, []);
  const scores = latestTrustScores(e.store.db);
  for (const server of all.values()) {
    const latest = scores.get(server.id);
    assert.deepEqual(server.trust, latest === undefined ? null : { score: latest.score, band: latest.band }, server.name);
  }
  assert.ok(all.get('manual')?.trust !== null);
  assert.doesNotMatch(JSON.stringify([...all.values()]), /sk_live_R8x2/, 'no secret value in any view');

  // One server's view is the same as its row in the list.
  assert.deepEqual(serverView(e.store.db, manual), all.get('manual'));

  // Severity: servers with an open alert of at least that severity (the plaintext token is high).
  const severities = (name: string) => e.store.db.prepare("SELECT severity FROM alerts WHERE server_id = ? AND state != 'resolved'").pluck().all(all.get(name)?.id) as string[];
  const withAtLeast = (levels: string[]) => [...all.keys()].filter((name) => severities(name).some((sev) => levels.includes(sev))).sort();
  assert.ok(severities('found').includes('high'));
  assert.ok(!severities('manual').includes('high'), 'a server without a high alert');
  assert.deepEqual(names(e, { severity: 'high' }), withAtLeast(['high', 'critical']));
  assert.ok(names(e, { severity: 'high' }).includes('found') && !names(e, { severity: 'high' }).includes('manual'));
  assert.deepEqual(names(e, { severity: 'critical' }), withAtLeast(['critical']));
  assert.equal(page(e, { severity: 'high' }).total, withAtLeast(['high', 'critical']).length);
  const anyAlert = [...all.values()].filter((v) => v.open_alerts > 0).map((v) => v.name).sort();
  assert.deepEqual(names(e, { severity: 'info' }), anyAlert);

  // Sorts: by open alerts (most first, then name), by trust (least first, never scored last, then name).
  registerFromRequest(e.options, { name: 'aaa-quiet', server_url: 'https://quiet.example/mcp' }, e.ctx);
  const views = page(e, {}).items;
  assert.equal(views[0]?.name, 'aaa-quiet');
  assert.deepEqual(names(e, { sort: 'alerts' }), [...views].sort((a, b) => b.open_alerts - a.open_alerts || a.name.localeCompare(b.name)).map((v) => v.name));
  assert.deepEqual(names(e, { sort: 'trust' }), [...views].sort((a, b) => (a.trust?.score ?? 101) - (b.trust?.score ?? 101) || a.name.localeCompare(b.name)).map((v) => v.name));
  assert.notDeepEqual(names(e, { sort: 'alerts' }), names(e, {}), 'the order really changes');
  assert.throws(() => listServersQuerySchema.parse({ sort: 'newest' }), /sort must be name, trust or alerts/);
});

test('the attestation column follows the latest attestation: null, valid, then failed once the script changes', (t) => {
  const e = engine(t);
  const script = path.join(e.home, 'server.js');
  writeFileSync(script, 'console.log("v1")\n');
  registerFromRequest(e.options, { name: 'local', server_url: 'stdio://local', command: process.execPath, args: [script] }, e.ctx);
  assert.equal(serverView(e.store.db, getServer(e.store.db, 'local')).attestation, null);
  attestServer(e.store, new OsKeychain(e.store.installId), getServer(e.store.db, 'local'));
  assert.equal(page(e, {}).items[0]?.attestation, 'valid');
  writeFileSync(script, 'console.log("v2, replaced")\n');
  assert.equal(verifyServer(e.store, getServer(e.store.db, 'local')).ok, false);
  assert.equal(page(e, {}).items[0]?.attestation, 'failed');
  assert.equal(serverView(e.store.db, getServer(e.store.db, 'local')).attestation, 'failed');
});
