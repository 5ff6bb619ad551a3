/** core/api-keys against a real database file: the key is shown once and only its hash is kept. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { API_KEY_PREFIX, authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from '../../core/api-keys/api-keys.ts';
import { listAudit } from '../../core/audit/audit-log.ts';
import { openStore } from '../../core/store/database.ts';
import { tempDir } from '../helpers/cli.ts';
import { failure } from '../helpers/engine.ts';

test('a key is shown once; the database files hold its hash and prefix, never the key', (t) => {
  const dir = tempDir(t);
  const store = openStore(dir);
  const created = createApiKey(store, 'ci', new Date('2026-01-01T00:00:00Z'));
  assert.equal(created.name, 'ci');
  assert.match(created.key, /^mcpw_[A-Za-z0-9_-]{43}$/, 'mcpw_ and base64url of 32 random bytes');
  assert.ok(created.key.startsWith(API_KEY_PREFIX));
  assert.notEqual(createApiKey(store, 'other').key, created.key);
  assert.deepEqual(listApiKeys(store.db)[0], { name: 'ci', prefix: created.key.slice(0, 12), created_at: '2026-01-01T00:00:00.000Z', last_used_at: null, revoked_at: null });
  assert.ok(!('key' in (listApiKeys(store.db)[0] as object)) && !('hash' in (listApiKeys(store.db)[0] as object)));
  const audit = listAudit(store.db).find((a) => a.type === 'api_key.created');
  assert.deepEqual(audit?.details, { name: 'ci', prefix: created.key.slice(0, 12) });
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();

  const secretPart = created.key.slice(12);
  for (const file of readdirSync(dir)) {
    const bytes = readFileSync(path.join(dir, file));
    assert.equal(bytes.indexOf(secretPart), -1, `${file} does not hold the key`);
    assert.equal(bytes.indexOf(Buffer.from(secretPart).toString('hex')), -1, `${file} does not hold the key in hex`);
  }
});

test('authenticate: the right key names its key; a wrong, truncated or revoked one does not; last use is written at most once a minute', (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const { key } = createApiKey(store, 'ci');
  const t0 = new Date('2026-01-01T00:00:00Z');
  assert.deepEqual(authenticateApiKey(store.db, key, t0), { name: 'ci' });
  for (const wrong of ['', key.slice(0, -1), `${key}x`, key.toUpperCase(), 'mcpw_', 'Bearer ' + key]) assert.equal(authenticateApiKey(store.db, wrong, t0), null, JSON.stringify(wrong));

  const lastUsed = () => listApiKeys(store.db)[0]?.last_used_at;
  assert.equal(lastUsed(), t0.toISOString());
  authenticateApiKey(store.db, key, new Date(t0.getTime() + 30_000));
  assert.equal(lastUsed(), t0.toISOString(), 'not rewritten within a minute');
  authenticateApiKey(store.db, key, new Date(t0.getTime() + 61_000));
  assert.equal(lastUsed(), new Date(t0.getTime() + 61_000).toISOString());

  // Revoked by another process (a second connection): refused on the next request.
  const other = openStore(store.dataDir);
  const revoked = revokeApiKey(other, 'CI', new Date('2026-01-02T00:00:00Z'));
  other.close();
  assert.deepEqual([revoked.name, revoked.revoked_at], ['ci', '2026-01-02T00:00:00.000Z']);
  assert.equal(authenticateApiKey(store.db, key), null);
  assert.ok(listAudit(store.db).some((a) => a.type === 'api_key.revoked' && a.details['name'] === 'ci'));
});

test('names: the API key name rules; an active name is unique (any case); a revoked name can be used again', (t) => {
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  assert.deepEqual(Object.values(failure(() => createApiKey(store, 'bad name'))).slice(0, 2), ['invalid_input', 'name']);
  assert.deepEqual(Object.values(failure(() => createApiKey(store, ''))).slice(0, 2), ['invalid_input', 'name']);
  const first = createApiKey(store, 'deploy');
  assert.deepEqual(Object.values(failure(() => createApiKey(store, 'DEPLOY'))).slice(0, 2), ['conflict', 'name']);
  assert.equal(failure(() => revokeApiKey(store, 'nobody')).code, 'not_found');
  revokeApiKey(store, 'deploy');
  assert.equal(failure(() => revokeApiKey(store, 'deploy')).code, 'not_found', 'no active key of that name any more');
  const second = createApiKey(store, 'deploy');
  assert.deepEqual(listApiKeys(store.db).map((k) => [k.name, k.revoked_at === null]), [['deploy', false], ['deploy', true]]);
  assert.equal(authenticateApiKey(store.db, first.key), null);
  assert.deepEqual(authenticateApiKey(store.db, second.key), { name: 'deploy' });
});
