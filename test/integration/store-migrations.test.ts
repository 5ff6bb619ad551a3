import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { WardenError } from '../../core/api/errors.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { verifyAudit } from '../../core/audit/audit-log.ts';
import { listServers } from '../../core/registry/read.ts';
import { registerServer } from '../../core/registry/register.ts';
import { DATABASE_FILE, migrate, openStore, schemaVersion } from '../../core/store/database.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../core/store/migrations.ts';
import { ROOT, tempDir } from '../helpers/cli.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'db');
const ctx = (dir: string) => ({ cwd: dir, env: { PATH: '/bin:/usr/bin' } });

test('an empty file is migrated to the latest schema, with WAL, a busy timeout and foreign keys', (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, DATABASE_FILE), '');
  const store = openStore(dir);
  assert.equal(schemaVersion(store.db), LATEST_SCHEMA_VERSION);
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.ok((store.db.pragma('busy_timeout', { simple: true }) as number) >= 5000);
  assert.equal(store.db.pragma('foreign_keys', { simple: true }), 1);
  assert.match(store.installId, /^[0-9a-f-]{36}$/);
  registerServer(store, { name: 'kept', transport: 'http', url: 'https://kept.example/mcp' }, ctx(dir));
  const installId = store.installId;
  store.close();

  const again = openStore(dir);
  assert.equal(schemaVersion(again.db), LATEST_SCHEMA_VERSION);
  assert.equal(again.installId, installId, 'the install id survives a reopen');
  assert.deepEqual(listServers(again.db).map((s) => s.name), ['kept']);
  again.close();
});

test('a new data directory is created private to the user', (t) => {
  const dir = path.join(tempDir(t), 'nested', 'home');
  openStore(dir).close();
  assert.ok(existsSync(path.join(dir, DATABASE_FILE)));
  assert.equal(statSync(dir).mode & 0o077, 0, 'no access for group or others');
});

test('a database at every earlier schema version, made by the migrations of its day, opens at the latest', (t) => {
  for (let version = 0; version < LATEST_SCHEMA_VERSION; version++) {
    const dir = tempDir(t);
    const old = new Database(path.join(dir, DATABASE_FILE));
    migrate(old, MIGRATIONS.slice(0, version));
    assert.equal(schemaVersion(old), version);
    old.close();
    const current = openStore(dir);
    assert.equal(schemaVersion(current.db), LATEST_SCHEMA_VERSION, `from v${version}`);
    current.close();
  }
});

test('there is a fixture file for every schema version', () => {
  for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++) {
    assert.ok(existsSync(path.join(FIXTURES, `schema-v${version}.sqlite`)), `test/fixtures/db/schema-v${version}.sqlite is missing: run node scripts/make-db-fixture.ts`);
  }
});

test('a copy of a database saved at every schema version opens at the latest, with its data intact', (t) => {
  for (let version = 1; version <= LATEST_SCHEMA_VERSION; version++) {
    const dir = tempDir(t);
    copyFileSync(path.join(FIXTURES, `schema-v${version}.sqlite`), path.join(dir, DATABASE_FILE));
    const expected = (JSON.parse(readFileSync(path.join(FIXTURES, `schema-v${version}.expected.json`), 'utf8')) as { servers: ServerDefinition[] }).servers;
    const store = openStore(dir);
    assert.equal(schemaVersion(store.db), LATEST_SCHEMA_VERSION, `v${version} migrated`);
    const servers = listServers(store.db);
    assert.equal(servers.length, expected.length);
    // Later schemas may add fields; every field the old version had must read back the same.
    servers.forEach((server, i) => assert.partialDeepStrictEqual(server, expected[i], `v${version}: ${server.name}`));
    assert.equal(verifyAudit(store.db).ok, true, `v${version}: the audit trail survives the upgrade`);
    store.close();
    const reopened = openStore(dir);
    assert.equal(listServers(reopened.db).length, expected.length, 'a second open changes nothing');
    reopened.close();
  }
});

test('a database from a newer MCP Warden is refused, untouched', (t) => {
  const dir = tempDir(t);
  openStore(dir).close();
  const raw = new Database(path.join(dir, DATABASE_FILE));
  raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => openStore(dir), (error: unknown) => {
    assert.ok(error instanceof WardenError);
    assert.match(error.message, new RegExp(`was written by a newer MCP Warden \\(schema ${LATEST_SCHEMA_VERSION + 1}; this version knows up to ${LATEST_SCHEMA_VERSION}\\): upgrade MCP Warden to open it\\.$`));
    return true;
  });
  const check = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  assert.equal(check.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION + 1);
  check.close();
});

test('a migration that fails is rolled back whole and the version does not move', (t) => {
  const dir = tempDir(t);
  openStore(dir).close();
  const broken = [...MIGRATIONS, { version: LATEST_SCHEMA_VERSION + 1, name: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);' }];
  assert.throws(() => openStore(dir, { migrations: broken }), /no such table: no_such_table/);
  const store = openStore(dir);
  assert.equal(schemaVersion(store.db), LATEST_SCHEMA_VERSION);
  assert.equal((store.db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get() as { n: number }).n, 0);
  store.close();
});
