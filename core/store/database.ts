import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WardenError } from '../api/errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export type Db = Database.Database;

export const DATABASE_FILE = 'warden.db';
/** How long a writer waits for another process's transaction before giving up. */
const BUSY_TIMEOUT_MS = 10_000;

export interface Store {
  db: Db;
  dataDir: string;
  /** Random id of this database, created with it; scopes keychain entries to it. */
  installId: string;
  close(): void;
}

export interface OpenOptions {
  /** For tests: the migrations to run instead of the shipped ones. */
  migrations?: readonly Migration[];
}

/** Opens (creating if needed) the database in `dataDir` and brings its schema up to date. */
export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DATABASE_FILE);
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new WardenError('failed', `Cannot open the database ${file}: ${(error as Error).message}.`);
  }
  try {
    configure(db);
    migrate(db, options.migrations ?? MIGRATIONS);
    const installId = ensureInstallId(db);
    return { db, dataDir, installId, close: () => db.close() };
  } catch (error) {
    db.close();
    if (error instanceof WardenError) throw error;
    throw new WardenError('failed', `Cannot use the database ${file}: ${(error as Error).message}.`);
  }
}

function configure(db: Db): void {
  // busy_timeout first: switching to WAL itself needs a lock another process may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Runs every migration above the file's version, each in its own IMMEDIATE transaction that
 * re-reads the version, so two processes opening a new file at once migrate it exactly once.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new WardenError(
      'failed',
      `The database ${db.name} was written by a newer MCP Warden (schema ${current}; this version knows up to ${latest}): upgrade MCP Warden to open it.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

function ensureInstallId(db: Db): string {
  const read = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'install_id'");
  const existing = read.get();
  if (existing !== undefined) return existing.value;
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('install_id', ?)").run(randomUUID());
  return (read.get() as { value: string }).value;
}
