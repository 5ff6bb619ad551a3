import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../core/api/audit.ts';
import { appendAudit, appendAuditMany, eventHash, verifyAudit } from '../../core/audit/audit-log.ts';
import { DATABASE_FILE, openStore } from '../../core/store/database.ts';
import { cli, tempDir } from '../helpers/cli.ts';

/** A data directory whose trail holds real events written through the CLI. */
function trail(t: Parameters<typeof tempDir>[0]): string {
  const home = tempDir(t);
  for (const [i, url] of ['https://a.example/mcp', 'https://b.example/mcp', 'https://c.example/mcp'].entries()) {
    assert.equal(cli(['--home', home, 'mcp', 'add', `s${i}`, 'http', '--url', url]).code, 0);
  }
  assert.equal(cli(['--home', home, 'mcp', 'remove', 's1']).code, 0);
  assert.equal(cli(['--home', home, 'settings', 'set', 'new-server-policy', 'alert']).code, 0);
  return home;
}

function tamper(home: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path.join(home, DATABASE_FILE));
  db.prepare(sql).run(...params);
  db.close();
}

test('an intact trail verifies, lists and exports as JSON Lines', (t) => {
  const home = trail(t);
  const verified = cli(['--home', home, 'audit', 'verify']);
  assert.equal(verified.code, 0, verified.stderr);
  const listed = JSON.parse(cli(['--home', home, 'audit', '--json']).stdout) as { events: AuditEvent[] };
  assert.match(verified.stdout, new RegExp(`^The audit trail is intact: ${listed.events.length} events, head [0-9a-f]{16}\\.\\n$`));
  // Each registration is followed by the server's first trust score.
  assert.deepEqual(listed.events.map((e) => e.type), ['server.registered', 'trust.changed', 'server.registered', 'trust.changed', 'server.registered', 'trust.changed', 'server.removed', 'setting.changed']);
  assert.deepEqual(listed.events.map((e) => e.seq), listed.events.map((_e, i) => i + 1));
  const exported = cli(['--home', home, 'audit', 'export', '--format', 'jsonl']);
  const lines = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEvent);
  assert.deepEqual(lines, listed.events);
  const byServer = JSON.parse(cli(['--home', home, 'audit', '--json', '--server', 's0']).stdout) as { events: AuditEvent[] };
  assert.deepEqual(byServer.events.map((e) => e.type), ['server.registered', 'trust.changed']);
  const badFormat = cli(['--home', home, 'audit', 'export', '--format', 'csv']);
  assert.equal(badFormat.code, 2);
  assert.equal(badFormat.stderr, 'mcp-warden: Unknown export format "csv": use jsonl.\n');
});

test('audit verify names the first broken event for an edited, a deleted and a swapped row', (t) => {
  const cases: { name: string; change: (home: string) => void; broken: number; reason: RegExp }[] = [
    { name: 'edited', change: (h) => tamper(h, "UPDATE audit_events SET details = json_set(details, '$.name', 'evil') WHERE seq = 2"), broken: 2, reason: /event 2 was edited after it was written/ },
    { name: 'edited actor', change: (h) => tamper(h, "UPDATE audit_events SET actor = 'monitor' WHERE seq = 4"), broken: 4, reason: /event 4 was edited/ },
    { name: 'deleted', change: (h) => tamper(h, 'DELETE FROM audit_events WHERE seq = 3'), broken: 4, reason: /event 3 is missing \(the next one is 4\)/ },
    { name: 'deleted from the end', change: (h) => tamper(h, 'DELETE FROM audit_events WHERE seq = 8'), broken: 8, reason: /events 8 to 8 were removed from the end/ },
    {
      name: 'swapped',
      change: (h) => {
        const db = new Database(path.join(h, DATABASE_FILE));
        db.transaction(() => {
          db.prepare('UPDATE audit_events SET seq = -2 WHERE seq = 2').run();
          db.prepare('UPDATE audit_events SET seq = 2 WHERE seq = 3').run();
          db.prepare('UPDATE audit_events SET seq = 3 WHERE seq = -2').run();
        })();
        db.close();
      },
      broken: 2,
      reason: /event 2 does not follow event 1/,
    },
  ];
  for (const c of cases) {
    const home = trail(t);
    c.change(home);
    const result = cli(['--home', home, 'audit', 'verify']);
    assert.equal(result.code, 1, `${c.name}: exit code`);
    assert.match(result.stderr, new RegExp(`^mcp-warden: The audit trail is broken at event ${c.broken}: `), c.name);
    assert.match(result.stderr, c.reason, c.name);
    const json = JSON.parse(cli(['--home', home, 'audit', 'verify', '--json']).stdout) as { verification: { ok: boolean; broken_at: number } };
    assert.deepEqual([json.verification.ok, json.verification.broken_at], [false, c.broken], c.name);
  }
});

test('concurrent appends from two connections keep one unbroken chain', (t) => {
  const home = tempDir(t);
  const a = openStore(home);
  const b = openStore(home);
  for (let i = 0; i < 50; i++) {
    for (const store of [a, b]) store.db.transaction(() => appendAudit(store.db, { actor: 'system', type: 'test.event', details: { i } })).immediate();
  }
  assert.deepEqual(verifyAudit(a.db), { ok: true, events: 100, head: (verifyAudit(b.db) as { head: string }).head });
  a.close();
  b.close();
});

test('a batch of events is one chain: each links to the one before, the stored head is the last, and it verifies', (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const first = store.db.transaction(() => appendAudit(store.db, { actor: 'user', type: 'server.registered', details: { name: 'a' } })).immediate();
  const batch = store.db
    .transaction(() => appendAuditMany(store.db, [1, 2, 3].map((i) => ({ input: { actor: 'system', type: 'tool.called', server_id: 'srv_x', details: { tool: `t${i}` } }, now: new Date(Date.UTC(2026, 0, i)) }))))
    .immediate();
  assert.deepEqual(batch.map((e) => e.seq), [2, 3, 4]);
  assert.equal(batch[0]?.prev_hash, first.hash);
  for (const [i, event] of batch.entries()) {
    if (i > 0) assert.equal(event.prev_hash, batch[i - 1]?.hash);
    const { hash, ...rest } = event;
    assert.equal(hash, eventHash(rest), 'each hash covers its own event');
    assert.equal(event.at, new Date(Date.UTC(2026, 0, i + 1)).toISOString(), 'each keeps its own time');
  }
  assert.equal(store.db.prepare("SELECT value FROM meta WHERE key = 'audit_head'").pluck().get(), `4:${batch[2]?.hash}`);
  assert.deepEqual(verifyAudit(store.db), { ok: true, events: 4, head: batch[2]?.hash });
  assert.deepEqual(store.db.transaction(() => appendAuditMany(store.db, [])).immediate(), [], 'an empty batch writes nothing');
  assert.equal(store.db.prepare('SELECT count(*) FROM audit_events').pluck().get(), 4);
});
