/**
 * Which state of the database this process sees, for caching responses and telling the UI that
 * another process wrote (server/response-cache.ts, server/events.ts). In the store: shells write no SQL.
 */
import type { Db } from './database.ts';
import { stmt } from './statements.ts';

/**
 * `PRAGMA data_version` changes when another connection commits to the database (the CLI, the
 * desktop app), never for this connection's own writes; `total_changes()` counts this connection's.
 * Together they name the state of the data as this process sees it.
 */
export function dataVersion(db: Db): string {
  const row = stmt<[], { external: number; own: number }>(db, 'SELECT (SELECT data_version FROM pragma_data_version) AS external, total_changes() AS own').get() as { external: number; own: number };
  return `${row.external}:${row.own}`;
}

/** The other connections' commit counter alone. */
export const externalVersion = (db: Db): number => (stmt<[], { v: number }>(db, 'SELECT data_version AS v FROM pragma_data_version').get() as { v: number }).v;
