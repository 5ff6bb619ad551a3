/**
 * SHA-256 of the executable a server runs, cached in the database by (path, size, mtime, inode,
 * device) so scanning thousands of servers that share `npx` or `node` hashes each file once.
 */
import type { Db } from '../store/database.ts';
import { hashFileSync, type HashCache } from './file-hash.ts';
import { createSqliteHashCache } from './sqlite-hash-cache.ts';

const caches = new WeakMap<Db, HashCache>();

/** The file's SHA-256 (hex), or null when it cannot be read (it is then reported elsewhere, not here). */
export function hashExecutable(db: Db, file: string): string | null {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = createSqliteHashCache(db);
    caches.set(db, cache);
  }
  const result = hashFileSync(file, { cache });
  return result.ok ? result.sha256 : null;
}
