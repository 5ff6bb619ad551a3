/**
 * Sentences about the data directory a person should read once (a directory made private, the digest
 * key kept outside the keychain). Any process may add one, including a launcher whose stderr nobody
 * reads; the CLI, `serve`, `watch` and the app take them (read and remove) and show them, so each is
 * said once, by whichever of those comes first.
 */
import type { Db } from './database.ts';
import { stmt } from './statements.ts';

const KEY = 'pending_notices';

function read(db: Db): string[] {
  const raw = stmt<[string], { value: string }>(db, 'SELECT value FROM meta WHERE key = ?').get(KEY)?.value;
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

export function addNotice(db: Db, sentence: string): void {
  db.transaction(() => {
    const notices = read(db);
    if (notices.includes(sentence)) return;
    stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(KEY, JSON.stringify([...notices, sentence]));
  }).immediate();
}

/** The pending notices, removed from the database in the same transaction. */
export function takeNotices(db: Db): string[] {
  // Most opens have none: no write lock for them.
  if (read(db).length === 0) return [];
  return db.transaction(() => {
    const notices = read(db);
    if (notices.length > 0) stmt(db, 'DELETE FROM meta WHERE key = ?').run(KEY);
    return notices;
  }).immediate();
}
