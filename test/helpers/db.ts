import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../core/store/database.ts';

/**
 * A checksum of every row of every table (and the schema version), read through a separate
 * connection: equal before and after means the operation changed no stored byte of data.
 */
export function databaseChecksum(dataDir: string, only?: readonly string[]): string {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const hash = createHash('sha256');
    hash.update(`user_version=${String(db.pragma('user_version', { simple: true }))}\n`);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().filter((t) => only === undefined || only.includes(t.name));
    for (const { name } of tables) {
      hash.update(`table ${name}\n`);
      for (const row of db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).raw().all()) hash.update(`${JSON.stringify(row)}\n`);
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

export function countRows(dataDir: string, table: string): number {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
