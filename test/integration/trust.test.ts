import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ContentFinding } from '../../core/api/probe.ts';
import type { ServerDefinition, ServerSource } from '../../core/api/server.ts';
import { listAudit, verifyAudit } from '../../core/audit/audit-log.ts';
import type { PinDiff } from '../../core/pins/pin.ts';
import { registerServer } from '../../core/registry/register.ts';
import { openStore, type Db, type Store } from '../../core/store/database.ts';
import { trustInputs } from '../../core/trust/inputs.ts';
import { computeTrust, latestTrust, latestTrustScores, recomputeAllTrust, recomputeTrust, trustHistory } from '../../core/trust/record.ts';
import type { TrustFactorId, TrustScore } from '../../core/trust/score.ts';
import { tempDir } from '../helpers/cli.ts';

const T0 = new Date('2025-06-01T12:00:00.000Z');
const at = (days: number): Date => new Date(T0.getTime() + days * 86_400_000);
const M1 = '1'.repeat(64);
const M2 = '2'.repeat(64);
const GITHUB_TOKEN = `ghp_${'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5'}`;

function store(t: TestContext): Store {
  const s = openStore(tempDir(t));
  t.after(() => s.close());
  return s;
}

function register(s: Store, input: Record<string, unknown>, source?: ServerSource): ServerDefinition {
  return registerServer(s, input, { cwd: process.cwd(), env: process.env, now: () => T0, ...(source === undefined ? {} : { source }) });
}

const DISCOVERED: ServerSource = { kind: 'discovered', client: 'cursor', config_path: '/home/u/.cursor/mcp.json', key: 'api', pointer: '/mcpServers/api' };

function attest(db: Db, serverId: string, status: 'valid' | 'failed', differences: unknown[] = []): void {
  db.prepare("INSERT INTO attestations (server_id, at, envelope, statement, status, verified_at, differences) VALUES (?, ?, '{}', '{}', ?, ?, ?)").run(serverId, T0.toISOString(), status, T0.toISOString(), JSON.stringify(differences));
}

function probe(db: Db, serverId: string, ok: boolean, manifest: string | null, findings: ContentFinding[] = [], diff: PinDiff | null = null): void {
  db.prepare('INSERT INTO probes (server_id, at, ok, category, message, result, manifest_sha256, diff, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    serverId, T0.toISOString(), ok ? 1 : 0, ok ? null : 'timeout', ok ? null : 'no answer', '{}', manifest, diff === null ? null : JSON.stringify(diff), JSON.stringify(findings),
  );
}

function pin(db: Db, serverId: string, manifest: string): void {
  db.prepare("INSERT INTO pins (server_id, manifest_sha256, pin, pinned_at, probe_id) VALUES (?, ?, '{}', ?, NULL)").run(serverId, manifest, T0.toISOString());
}

let alertSeq = 0;
function alert(db: Db, serverId: string, a: { type: string; severity: string; state?: string; details?: Record<string, unknown>; updated?: Date }): number {
  const info = db
    .prepare('INSERT INTO alerts (type, severity, state, title, details, dedup_key, server_id, agent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)')
    .run(a.type, a.severity, a.state ?? 'open', `${a.type} alert`, JSON.stringify(a.details ?? {}), `${a.type}:${serverId}:${++alertSeq}`, serverId, T0.toISOString(), (a.updated ?? T0).toISOString());
  return Number(info.lastInsertRowid);
}

const setState = (db: Db, id: number, state: string, updated: Date = T0): void => {
  db.prepare("UPDATE alerts SET state = ?, updated_at = ?, resolved_by = CASE WHEN ? = 'resolved' THEN 'monitor' ELSE NULL END WHERE id = ?").run(state, updated.toISOString(), state, id);
};

const count = (db: Db, sql: string, ...params: unknown[]): number => (db.prepare(sql).get(...params) as { n: number }).n;
const factorOf = (trust: TrustScore, id: TrustFactorId) => trust.factors.find((f) => f.factor === id);

test('recomputeTrust stores a row and a trust.changed event only when the score or the breakdown changed', (t) => {
  const s = store(t);
  const { db } = s;
  const server = register(s, { name: 'docs', transport: 'http', url: 'https://docs.example.com/mcp' });
  const rows = (): number => count(db, 'SELECT count(*) AS n FROM trust_scores WHERE server_id = ?', server.id);
  const events = () => listAudit(db, { serverId: server.id, type: 'trust.changed' });

  // Registered by hand, never attested, probed or watched: attestation 0 of 25, provenance 15, hygiene 10.
  // Registration scored it already, so recomputing at the same moment changes nothing.
  const first = recomputeTrust(db, server.id, T0);
  assert.deepEqual([first.changed, first.score, first.breakdown.band], [false, 50, 'amber']);
  assert.deepEqual(first.breakdown.excluded.map((x) => x.factor), ['pin', 'content', 'alerts']);
  assert.deepEqual([rows(), events().length], [1, 1]);
  assert.deepEqual(events()[0]?.details, { name: 'docs', from: null, to: 50, uncapped: 50, capped_by: null, band: 'amber', contributions: { attestation: 0, provenance: 30, hygiene: 20 } });

  const again = recomputeTrust(db, server.id, at(1));
  assert.deepEqual([again.changed, again.score, again.record.id, again.record.at], [false, 50, first.record.id, T0.toISOString()]);
  assert.deepEqual([rows(), events().length], [1, 1]);

  attest(db, server.id, 'valid');
  const attested = recomputeTrust(db, server.id, at(1));
  assert.deepEqual([attested.changed, attested.score], [true, 100]);

  // A successful probe, not yet pinned: the score stays 100 but the breakdown gains content and alert history.
  probe(db, server.id, true, M1);
  const probed = recomputeTrust(db, server.id, at(2));
  assert.deepEqual([probed.changed, probed.score, probed.breakdown.excluded.map((x) => x.reason)], [true, 100, ['no pin is recorded']]);

  pin(db, server.id, M1);
  const pinned = recomputeTrust(db, server.id, at(3));
  assert.deepEqual([pinned.changed, pinned.score, factorOf(pinned.breakdown, 'pin')?.value], [true, 100, 1]);

  // A failed probe changes nothing the score reads.
  probe(db, server.id, false, null);
  assert.equal(recomputeTrust(db, server.id, at(3)).changed, false);

  probe(db, server.id, true, M2, [], { added: [], removed: [], changed: [{ kind: 'tool', key: 'search', fields: [{ path: 'description', before: 'a', after: 'b' }] }], instructions: null, launch_changed: false });
  const drifted = recomputeTrust(db, server.id, at(4));
  assert.deepEqual([drifted.score, factorOf(drifted.breakdown, 'pin')?.value, factorOf(drifted.breakdown, 'pin')?.evidence[1]], [80, 0, 'changed tool search: description']);

  attest(db, server.id, 'failed', [{ field: 'script.sha256', label: 'script file /srv/server.js', before: 'a'.repeat(64), after: 'b'.repeat(64) }, { field: 'args', label: 'arguments', before: ['--port', '1'], after: null, note: 'The server was removed.' }]);
  const failed = recomputeTrust(db, server.id, at(5));
  assert.deepEqual([failed.score, failed.breakdown.uncapped_score, failed.breakdown.capped_by], [39, 55, 'attestation_failed']);
  assert.deepEqual(failed.breakdown.caps[0]?.evidence, [
    'the latest attestation failed re-verification',
    `differs: script file /srv/server.js (script.sha256): ${'a'.repeat(12)}… → ${'b'.repeat(12)}…`,
    'differs: arguments (args): ["--port","1"] → none (The server was removed.)',
  ]);

  const history = trustHistory(db, server.id);
  assert.deepEqual(history.map((h) => h.score), [50, 100, 100, 100, 80, 39]);
  assert.deepEqual(history.map((h) => h.at), [T0, at(1), at(2), at(3), at(4), at(5)].map((d) => d.toISOString()));
  assert.deepEqual(trustHistory(db, server.id, { limit: 2 }).map((h) => h.score), [80, 39]);
  assert.deepEqual(latestTrust(db, server.id)?.breakdown, failed.breakdown);
  // The stored breakdown is the whole explanation, and the stored score column agrees with it.
  const stored = db.prepare('SELECT score, breakdown FROM trust_scores WHERE id = ?').get(failed.record.id) as { score: number; breakdown: string };
  assert.deepEqual([stored.score, JSON.parse(stored.breakdown)], [39, failed.breakdown]);
  assert.deepEqual(events().map((e) => [e.details['from'], e.details['to']]), [[null, 50], [50, 100], [100, 100], [100, 100], [100, 80], [80, 39]]);
  assert.equal(verifyAudit(db).ok, true);
});

test('hygiene: a hand-written definition is checked itself; a discovered one through its open config alerts', (t) => {
  const s = store(t);
  const { db } = s;
  const secret = register(s, { name: 'gh', transport: 'stdio', command: process.execPath, env_template: [{ key: 'GITHUB_TOKEN', value: GITHUB_TOKEN }] });
  const handle = register(s, { name: 'gh-safe', transport: 'stdio', command: process.execPath, env_template: [{ key: 'GITHUB_TOKEN', value: '${env:GITHUB_TOKEN}' }] });
  const plain = register(s, { name: 'remote', transport: 'http', url: 'http://mcp.example.com:8080/mcp' });

  const hygiene = (id: string) => factorOf(computeTrust(db, id, T0), 'hygiene');
  assert.deepEqual([hygiene(secret.id)?.value, hygiene(handle.id)?.value, hygiene(plain.id)?.value], [0.25, 1, 0.25]);
  assert.deepEqual(hygiene(secret.id)?.evidence, ['high plaintext_secret at env.GITHUB_TOKEN (risk 0.75, from the stored definition): GitHub token (ghp_…, 40 characters)']);
  assert.match(hygiene(plain.id)?.evidence[0] ?? '', /^high insecure_http at url .*http:\/\/mcp\.example\.com:8080/);
  assert.ok(!JSON.stringify(computeTrust(db, secret.id, T0)).includes(GITHUB_TOKEN.slice(4)), 'the breakdown never holds the secret');

  // Discovered from Cursor: its stored definition is a redacted copy; the scan's alerts speak for the config.
  const found = register(s, { name: 'api', transport: 'stdio', command: process.execPath, env_template: [{ key: 'GITHUB_TOKEN', value: GITHUB_TOKEN }] }, DISCOVERED);
  db.prepare("UPDATE servers SET status = 'discovered' WHERE id = ?").run(found.id);
  assert.equal(hygiene(found.id)?.value, 1);
  const a = alert(db, found.id, { type: 'plaintext_secret', severity: 'high', details: { location: 'env.GITHUB_TOKEN', evidence: 'GitHub token (ghp_…, 40 characters)' } });
  alert(db, found.id, { type: 'plaintext_secret', severity: 'high', details: { location: 'env.GITHUB_TOKEN', evidence: 'GitHub token (ghp_…, 40 characters)' } });
  const b = alert(db, found.id, { type: 'unpinned_package', severity: 'medium', state: 'acknowledged', details: { location: 'args[1]', evidence: 'npx pkg (no version)' } });
  const withAlerts = computeTrust(db, found.id, T0);
  assert.deepEqual([factorOf(withAlerts, 'hygiene')?.value, factorOf(withAlerts, 'hygiene')?.evidence.length], [0.125, 2], 'one finding per type and location; acknowledged still counts');
  assert.match(factorOf(withAlerts, 'hygiene')?.evidence[0] ?? '', new RegExp(`from alert #${a}\\)`));
  assert.equal(factorOf(withAlerts, 'alerts')?.value, 1, 'hygiene alerts are not counted again as alert history');
  assert.deepEqual(factorOf(withAlerts, 'provenance')?.evidence, ['approved by the user: no (discovered, not yet approved)', 'definition written by the user: no (taken from cursor config /home/u/.cursor/mcp.json (entry "api"))']);

  db.prepare("UPDATE alerts SET state = 'resolved', resolved_by = 'monitor' WHERE server_id = ? AND type = 'plaintext_secret'").run(found.id);
  setState(db, b, 'resolved');
  assert.equal(factorOf(computeTrust(db, found.id, T0), 'hygiene')?.value, 1);
});

test('an unresolved critical alert caps the score until it is resolved, then counts less as it ages', (t) => {
  const s = store(t);
  const { db } = s;
  const server = register(s, { name: 'tool', transport: 'http', url: 'https://tool.example.com/mcp' });
  attest(db, server.id, 'valid');
  const id = alert(db, server.id, { type: 'executable_changed', severity: 'critical' });

  const open = recomputeTrust(db, server.id, T0);
  assert.deepEqual([open.score, open.breakdown.capped_by, factorOf(open.breakdown, 'alerts')?.value], [39, 'critical_alert', 0]);
  setState(db, id, 'acknowledged');
  const acknowledged = recomputeTrust(db, server.id, T0);
  assert.deepEqual([acknowledged.changed, acknowledged.score, acknowledged.breakdown.capped_by], [true, 39, 'critical_alert']);

  setState(db, id, 'resolved', T0);
  const steps: [number, number, number][] = [];
  for (const day of [1, 2, 31, 61, 179, 180, 400]) {
    const r = recomputeTrust(db, server.id, at(day));
    steps.push([day, factorOf(r.breakdown, 'alerts')?.value ?? -1, r.changed ? 1 : 0]);
    assert.equal(r.breakdown.capped_by, null);
  }
  // Resolved: 1/2 at once, halving every 30 days, gone after 180; a row only where the value steps.
  assert.deepEqual(steps, [[1, 0.5, 1], [2, 0.5, 0], [31, 0.75, 1], [61, 0.875, 1], [179, 1 - 1 / 64, 1], [180, 1, 1], [400, 1, 0]]);
  // The first 50 is the score registration gave it, before the attestation and the alert.
  assert.deepEqual(trustHistory(db, server.id).map((h) => h.score), [50, 39, 39, 92, 96, 98, 100, 100]);
});

test('content findings come from the latest successful probe; a failed probe after it changes nothing', (t) => {
  const s = store(t);
  const { db } = s;
  const server = register(s, { name: 'fs', transport: 'http', url: 'https://fs.example.com/mcp' });
  const high: ContentFinding = { rule: 'hidden-instructions', severity: 'high', where: 'tool:read.description', match: '<IMPORTANT>', message: 'instructions aimed at the model' };
  probe(db, server.id, true, M1, [high]);
  probe(db, server.id, false, null);
  const inputs = trustInputs(db, 'fs', T0);
  assert.deepEqual(inputs.probe, { manifest_sha256: M1, findings: [high], changes: [] });
  assert.equal(factorOf(computeTrust(db, server.id, T0), 'content')?.value, 0.25);
  probe(db, server.id, true, M1, []);
  assert.equal(factorOf(computeTrust(db, server.id, T0), 'content')?.value, 1);
  assert.throws(() => trustInputs(db, 'nope', T0), /No server named "nope"/);
});

test('inside a caller transaction the new score commits or rolls back with the change', (t) => {
  const s = store(t);
  const { db } = s;
  const server = register(s, { name: 'x', transport: 'http', url: 'https://x.example.com/mcp' });
  recomputeTrust(db, server.id, T0);
  assert.throws(() =>
    db.transaction(() => {
      attest(db, server.id, 'valid');
      assert.equal(recomputeTrust(db, server.id, at(1)).changed, true);
      throw new Error('the change fails');
    }).immediate(),
  /the change fails/);
  assert.deepEqual(trustHistory(db, server.id).map((h) => h.score), [50]);
  assert.equal(listAudit(db, { type: 'trust.changed' }).length, 1);
  db.transaction(() => {
    attest(db, server.id, 'valid');
    recomputeTrust(db, server.id, at(1));
  }).immediate();
  assert.deepEqual(trustHistory(db, server.id).map((h) => h.score), [50, 100]);
  assert.equal(verifyAudit(db).ok, true);
});

test('recomputeAllTrust and latestTrustScores serve the periodic tick and `mcp list`', (t) => {
  const s = store(t);
  const { db } = s;
  const a = register(s, { name: 'a', transport: 'http', url: 'https://a.example.com/mcp' });
  const b = register(s, { name: 'b', transport: 'http', url: 'http://b.example.com/mcp' });
  // Registration scored both already; a server with no score yet (inserted without one) gets one.
  assert.equal(latestTrustScores(db).size, 2);
  db.prepare('DELETE FROM trust_scores WHERE server_id = ?').run(b.id);
  assert.deepEqual(recomputeAllTrust(db, T0), [b.id]);
  assert.deepEqual(recomputeAllTrust(db, at(1)), []);
  attest(db, a.id, 'valid');
  assert.deepEqual(recomputeAllTrust(db, at(2)), [a.id]);
  // b: attestation 0 of 25, provenance 15, hygiene 0.25 of 10 (plain http to a remote host): 17.5 of 50.
  assert.deepEqual(Object.fromEntries(latestTrustScores(db)), { [a.id]: { score: 100, band: 'green' }, [b.id]: { score: 35, band: 'red' } });
  db.prepare('DELETE FROM servers WHERE id = ?').run(b.id);
  assert.equal(count(db, 'SELECT count(*) AS n FROM trust_scores WHERE server_id = ?', b.id), 0, 'history goes with the server');
});
