/**
 * A HashCache kept in the database, so executables are not re-hashed on every scan of every process.
 * Assumes the table (created by a migration):
 *
 *   file_hashes(path TEXT PRIMARY KEY, size INTEGER, mtime_ms REAL, ctime_ms REAL, ino TEXT, dev TEXT, sha256 TEXT, hashed_at TEXT)
 *
 * One row per path; a row whose size, mtime, ctime, inode or device differs from the file's is a miss and is
 * overwritten by the next set. Statements are prepared once, so it is cheap inside a transaction.
 */
import type { Db } from '../store/database.ts';
import type { FileHashKey, HashCache } from './file-hash.ts';

interface Row {
  size: number;
  mtime_ms: number;
  ctime_ms: number;
  ino: string;
  dev: string;
  sha256: string;
}

export interface SqliteHashCacheOptions {
  /** For tests: the clock `hashed_at` is read from. */
  now?: (() => Date) | undefined;
}

export function createSqliteHashCache(db: Db, options: SqliteHashCacheOptions = {}): HashCache & { forget(path: string): void } {
  const now = options.now ?? (() => new Date());
  const select = db.prepare<[string], Row>('SELECT size, mtime_ms, ctime_ms, ino, dev, sha256 FROM file_hashes WHERE path = ?');
  const upsert = db.prepare<[string, number, number, number, string, string, string, string]>(
    `INSERT INTO file_hashes (path, size, mtime_ms, ctime_ms, ino, dev, sha256, hashed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, ctime_ms = excluded.ctime_ms, ino = excluded.ino,
       dev = excluded.dev, sha256 = excluded.sha256, hashed_at = excluded.hashed_at`,
  );
  const remove = db.prepare<[string]>('DELETE FROM file_hashes WHERE path = ?');
  return {
    get(key: FileHashKey): string | undefined {
      const row = select.get(key.path);
      if (row === undefined) return undefined;
      // Compared here, not in SQL, so a REAL that reads back differently cannot turn a miss into a hit.
      const same = Number(row.size) === key.size && Number(row.mtime_ms) === key.mtimeMs && Number(row.ctime_ms) === key.ctimeMs && String(row.ino) === key.ino && String(row.dev) === key.dev;
      return same ? row.sha256 : undefined;
    },
    set(key: FileHashKey, sha256: string): void {
      upsert.run(key.path, key.size, key.mtimeMs, key.ctimeMs, key.ino, key.dev, sha256, now().toISOString());
    },
    forget(path: string): void {
      remove.run(path);
    },
  };
}
