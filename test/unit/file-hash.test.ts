import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { WardenError } from '../../core/api/errors.ts';
import {
  fileHashOrThrow,
  hashFile,
  hashFileSync,
  MemoryHashCache,
  RACY_WINDOW_MS,
  type FileHashKey,
  type FileHashResult,
  type HashCache,
} from '../../core/integrity/file-hash.ts';
import { createSqliteHashCache } from '../../core/integrity/sqlite-hash-cache.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-file-hash-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
/** A fixed mtime well in the past, so the racy-file rule does not apply. */
const OLD = new Date('2024-03-01T12:00:00.250Z');

function write(name: string, content: Buffer | string, mtime: Date | null = OLD): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, content);
  if (mtime !== null) fs.utimesSync(file, mtime, mtime);
  return file;
}

/** Overwrites the bytes in place: same inode, same size. */
function overwriteInPlace(file: string, content: Buffer | string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content, 0, undefined, 0);
  } finally {
    fs.closeSync(fd);
  }
}

function ok(result: FileHashResult) {
  assert.ok(result.ok, `expected a hash, got ${JSON.stringify(result)}`);
  return result;
}

test('the hash is the SHA-256 of the content, sync and async, across chunk boundaries', async () => {
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['small', Buffer.from('hello, warden\n')],
    ['random 100k', randomBytes(100_000)],
  ];
  for (const [name, content] of cases) {
    const file = write(`content-${name}`, content);
    for (const chunkSize of [undefined, 7, 4096, content.length || 1]) {
      assert.equal(ok(hashFileSync(file, { chunkSize })).sha256, sha256(content), `${name}, sync, chunk ${chunkSize}`);
      assert.equal(ok(await hashFile(file, { chunkSize })).sha256, sha256(content), `${name}, async, chunk ${chunkSize}`);
    }
    const r = ok(hashFileSync(file));
    assert.equal(r.size, content.length);
    assert.equal(r.path, file);
    assert.equal(r.cached, false);
  }
});

test('a file over 64 MiB hashes correctly, sync and async', async () => {
  const content = randomBytes(64 * 1024 * 1024 + 12_345);
  const file = write('big.bin', content);
  const expected = sha256(content);
  const sync = ok(hashFileSync(file));
  assert.equal(sync.sha256, expected);
  assert.equal(sync.size, content.length);
  const async = ok(await hashFile(file));
  assert.equal(async.sha256, expected);
  assert.equal(async.size, content.length);
  fs.rmSync(file);
});

/** The cache test, run against each cache implementation and each of sync and async. */
async function cacheHitDoesNotReRead(cache: HashCache, hash: (file: string, cache: HashCache) => FileHashResult | Promise<FileHashResult>, name: string): Promise<void> {
  const v1 = 'version one of the file\n';
  const v2 = 'VERSION TWO OF THE FILE\n';
  assert.equal(v1.length, v2.length);
  const file = write(name, v1);

  const first = ok(await hash(file, cache));
  assert.equal(first.sha256, sha256(v1));
  assert.equal(first.cached, false, 'the first call reads the file');
  const second = ok(await hash(file, cache));
  assert.equal(second.cached, true, 'the second call is served from the cache');
  assert.equal(second.sha256, sha256(v1));

  // Rewrite the content in place and put size and mtime back, as a careful attacker would: ctime,
  // which cannot be set back, still moved, so the file is read again and the change is seen.
  overwriteInPlace(file, v2);
  fs.utimesSync(file, OLD, OLD);
  const rewritten = ok(await hash(file, cache));
  assert.equal(rewritten.cached, false, 'a restored mtime does not hide an in-place rewrite');
  assert.equal(rewritten.sha256, sha256(v2));

  // Move the mtime: the file is read again and the new hash is returned, then cached.
  const later = new Date(OLD.getTime() + 1000);
  fs.utimesSync(file, later, later);
  const fresh = ok(await hash(file, cache));
  assert.equal(fresh.cached, false);
  assert.equal(fresh.sha256, sha256(v2));
  assert.equal(ok(await hash(file, cache)).cached, true);

  // A different size is a miss.
  fs.appendFileSync(file, '!');
  fs.utimesSync(file, later, later);
  const grown = ok(await hash(file, cache));
  assert.equal(grown.cached, false);
  assert.equal(grown.sha256, sha256(`${v2}!`));

  // A different inode (the file replaced by another with the same size and mtime) is a miss.
  const replacement = write(`${name}.new`, `${v1}?`, later);
  fs.renameSync(replacement, file);
  const replaced = ok(await hash(file, cache));
  assert.equal(replaced.cached, false);
  assert.equal(replaced.sha256, sha256(`${v1}?`));
  assert.notEqual(replaced.key.ino, grown.key.ino);
}

const syncHash = (file: string, cache: HashCache): FileHashResult => hashFileSync(file, { cache });
const asyncHash = (file: string, cache: HashCache): Promise<FileHashResult> => hashFile(file, { cache });

test('memory cache: a hit is served from the cache; moving size, mtime, ctime or inode is a miss', async () => {
  await cacheHitDoesNotReRead(new MemoryHashCache(), syncHash, 'mem-sync.txt');
  await cacheHitDoesNotReRead(new MemoryHashCache(), asyncHash, 'mem-async.txt');
});

function tempDb(name: string): Database.Database {
  const db = new Database(path.join(tmp, name));
  db.exec('CREATE TABLE file_hashes (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, ctime_ms REAL, ino TEXT, dev TEXT, sha256 TEXT, hashed_at TEXT)');
  return db;
}

test('SQLite cache: a hit is served from the cache; moving size, mtime, ctime or inode is a miss', async () => {
  const db = tempDb('cache-a.db');
  try {
    await cacheHitDoesNotReRead(createSqliteHashCache(db), syncHash, 'sql-sync.txt');
    await cacheHitDoesNotReRead(createSqliteHashCache(db), asyncHash, 'sql-async.txt');
  } finally {
    db.close();
  }
});

const KEY: FileHashKey = { path: '/opt/tool/bin/tool', size: 1234, mtimeMs: 1709294400250.5, ctimeMs: 1709294400999.25, ino: '18446744073709551557', dev: '2049' };

function eachFieldMoved(): FileHashKey[] {
  return [
    { ...KEY, path: '/opt/tool/bin/other' },
    { ...KEY, size: 1235 },
    { ...KEY, mtimeMs: KEY.mtimeMs + 0.001 },
    { ...KEY, ctimeMs: KEY.ctimeMs + 0.001 },
    { ...KEY, ino: '18446744073709551556' }, // differs from KEY.ino only past 2^53
    { ...KEY, dev: '2050' },
  ];
}

test('a cache answers only for the exact key: any field moved is a miss', () => {
  const db = tempDb('cache-b.db');
  try {
    for (const cache of [new MemoryHashCache(), createSqliteHashCache(db)]) {
      assert.equal(cache.get(KEY), undefined);
      cache.set(KEY, 'a'.repeat(64));
      assert.equal(cache.get({ ...KEY }), 'a'.repeat(64));
      for (const moved of eachFieldMoved()) assert.equal(cache.get(moved), undefined, JSON.stringify(moved));
      cache.set({ ...KEY, size: 99 }, 'b'.repeat(64));
      assert.equal(cache.get(KEY), undefined, 'a new set for the path replaces the old entry');
      assert.equal(cache.get({ ...KEY, size: 99 }), 'b'.repeat(64));
    }
  } finally {
    db.close();
  }
});

test('SQLite cache: rows persist across connections, one per path, with hashed_at', () => {
  const file = path.join(tmp, 'cache-c.db');
  const db = new Database(file);
  db.exec('CREATE TABLE file_hashes (path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, ctime_ms REAL, ino TEXT, dev TEXT, sha256 TEXT, hashed_at TEXT)');
  const cache = createSqliteHashCache(db, { now: () => new Date('2025-01-02T03:04:05.000Z') });
  cache.set(KEY, 'c'.repeat(64));
  cache.set(KEY, 'd'.repeat(64));
  db.close();

  const again = new Database(file);
  try {
    const rows = again.prepare('SELECT * FROM file_hashes').all();
    assert.deepEqual(rows, [{ path: KEY.path, size: KEY.size, mtime_ms: KEY.mtimeMs, ctime_ms: KEY.ctimeMs, ino: KEY.ino, dev: KEY.dev, sha256: 'd'.repeat(64), hashed_at: '2025-01-02T03:04:05.000Z' }]);
    const reopened = createSqliteHashCache(again);
    assert.equal(reopened.get(KEY), 'd'.repeat(64));
    reopened.forget(KEY.path);
    assert.equal(reopened.get(KEY), undefined);
  } finally {
    again.close();
  }
});

test('hashFileSync works inside a SQLite transaction with the SQLite cache', () => {
  const db = tempDb('cache-d.db');
  try {
    const cache = createSqliteHashCache(db);
    const file = write('in-tx.bin', 'inside a transaction');
    const inTx = db.transaction(() => ok(hashFileSync(file, { cache })));
    assert.equal(inTx().sha256, sha256('inside a transaction'));
    const row = db.prepare<[string], { sha256: string }>('SELECT sha256 FROM file_hashes WHERE path = ?').get(file);
    assert.equal(row?.sha256, sha256('inside a transaction'));
    assert.equal(inTx().cached, true);
  } finally {
    db.close();
  }
});

test('a file modified just now is hashed but not cached; once its mtime is old enough it is', async () => {
  const cache = new MemoryHashCache();
  const file = write('racy.txt', 'just written', null);
  assert.equal(ok(hashFileSync(file, { cache })).cached, false);
  assert.equal(ok(hashFileSync(file, { cache })).cached, false, 'still read: its mtime may not move on a change within the same tick');
  assert.equal(ok(await hashFile(file, { cache })).cached, false);
  assert.equal(cache.size, 0);
  const later = () => Date.now() + RACY_WINDOW_MS + 1000;
  assert.equal(ok(hashFileSync(file, { cache, now: later })).cached, false);
  assert.equal(cache.size, 1);
  assert.equal(ok(hashFileSync(file, { cache })).cached, true);
});

test('a missing file is a typed result with a clear sentence, or a not_found WardenError', async () => {
  const missing = path.join(tmp, 'nope', 'missing.bin');
  for (const result of [hashFileSync(missing), await hashFile(missing)]) {
    assert.deepEqual(result, { ok: false, path: missing, reason: 'missing', message: `The file ${missing} does not exist.` });
  }
  assert.throws(
    () => fileHashOrThrow(hashFileSync(missing), 'command'),
    (error: unknown) => error instanceof WardenError && error.code === 'not_found' && error.field === 'command' && error.message === `The file ${missing} does not exist.` && !error.message.includes('ENOENT'),
  );
  const under = path.join(write('plain.txt', 'x'), 'child');
  assert.equal((hashFileSync(under) as { reason?: string }).reason, 'missing', 'a path under a file is missing too');
});

test('a directory is not a file', async () => {
  for (const result of [hashFileSync(tmp), await hashFile(tmp)]) {
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'not_a_file');
    assert.equal(!result.ok && result.message, `${tmp} is not a regular file, so it has no content hash.`);
  }
  assert.throws(() => fileHashOrThrow(hashFileSync(tmp)), (e: unknown) => e instanceof WardenError && e.code === 'failed');
});

test('a relative path is resolved; a symbolic link hashes its target under the link path', () => {
  const target = write('target.txt', 'the target');
  const link = path.join(tmp, 'link.txt');
  fs.symlinkSync(target, link);
  const viaLink = ok(hashFileSync(link));
  assert.equal(viaLink.sha256, sha256('the target'));
  assert.equal(viaLink.key.path, link);
  assert.equal(viaLink.key.ino, ok(hashFileSync(target)).key.ino);
  const relative = path.relative(process.cwd(), target);
  assert.equal(ok(hashFileSync(relative)).path, target);
});

test('a cache hit reads no byte of the file; a rewrite with mtime restored is read again', (t) => {
  const file = write('hit-count.txt', 'same length A\n');
  const cache = new MemoryHashCache();
  ok(hashFileSync(file, { cache }));
  const reads = t.mock.method(fs, 'readSync');
  assert.equal(ok(hashFileSync(file, { cache })).cached, true);
  assert.equal(reads.mock.callCount(), 0, 'served from the cache without reading');
  overwriteInPlace(file, 'same length B\n');
  fs.utimesSync(file, OLD, OLD);
  assert.equal(ok(hashFileSync(file, { cache })).sha256, sha256('same length B\n'));
  assert.ok(reads.mock.callCount() > 0, 'the rewritten file was read');
});
