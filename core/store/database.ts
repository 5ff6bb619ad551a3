import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WardenError } from '../api/errors.ts';
import { createPrivateFile, ensurePrivateDir, makePrivate, makeTreePrivate, tightenedNotice } from '../home/private-files.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';
import { addNotice } from './notices.ts';

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

/**
 * Opens (creating if needed) the database in `dataDir` and brings its schema up to date. The data
 * directory is made private first (0700; another user's is refused) and the database files 0600;
 * when either was looser, everything else in the directory is made private too, and a notice says so.
 */
export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const tightenedDir = ensurePrivateDir(dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  // Created here, 0600: SQLite would create it 0644 (minus the umask); its -wal and -shm take its mode.
  createPrivateFile(file);
  let db: Db;
  try {
    db = new Database(file);
  } catch (error) {
    throw new WardenError('failed', `Cannot open the database ${file}: ${(error as Error).message}.`);
  }
  try {
    configure(db);
    // Files an older version created 0644 (the -wal and -shm exist once WAL is on).
    const looseFiles = [file, `${file}-wal`, `${file}-shm`].map(makePrivate).filter((t) => t !== null);
    migrate(db, options.migrations ?? MIGRATIONS);
    const installId = ensureInstallId(db);
    if (tightenedDir !== null || looseFiles.length > 0) makeTreePrivate(dataDir);
    if (tightenedDir !== null) addNotice(db, tightenedNotice(tightenedDir));
    return { db, dataDir, installId, close: () => closeDatabase(db) };
  } catch (error) {
    db.close();
    if (error instanceof WardenError) throw error;
    throw new WardenError('failed', `Cannot use the database ${file}: ${(error as Error).message}.`);
  }
}

const truncateOnClose = new WeakSet<Db>();

/**
 * Asks for the WAL to be checkpointed and truncated when this connection closes: after bytes that
 * must not linger (a key moved out of the database) were overwritten, their older page images in the
 * WAL go too. SQLite does the same by itself when the last connection closes; this covers a close
 * while others (a running `serve`) keep the file open.
 */
export function truncateWalOnClose(db: Db): void {
  truncateOnClose.add(db);
}

/**
 * Copies every WAL frame into warden.db and empties the WAL file, now (outside a transaction). True
 * when it completed; false when another process's reader or writer kept it from finishing in time,
 * which leaves it to the next checkpoint.
 */
export function truncateWal(db: Db): boolean {
  if (!db.open || db.inTransaction) return false;
  try {
    // Readers of other processes hold it up briefly at most: wait a little, not the full busy timeout.
    db.pragma('busy_timeout = 2000');
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result?.busy === 0;
  } catch {
    return false;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

function closeDatabase(db: Db): void {
  if (truncateOnClose.has(db)) truncateWal(db);
  db.close();
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
