/**
 * What the data looks like from this connection, as numbers that change when it changes: for the
 * server's response cache and its watch for other processes' writes (server/events.ts), which must
 * not hold SQL of their own.
 *
 * `PRAGMA data_version` changes when another connection commits to the database (the CLI, the
 * desktop app), never for this connection's own writes; `total_changes()` counts this connection's.
 * Together they name the state of the data as this process sees it.
 */
import type { Db } from './database.ts';
import { stmt } from './statements.ts';

export function dataVersion(db: Db): string {
  const row = stmt<[], { external: number; own: number }>(db, 'SELECT (SELECT data_version FROM pragma_data_version) AS external, total_changes() AS own').get() as { external: number; own: number };
  return `${row.external}:${row.own}`;
}

/** Changes only when another connection commits. */
export const externalVersion = (db: Db): number => (stmt<[], { v: number }>(db, 'SELECT data_version AS v FROM pragma_data_version').get() as { v: number }).v;
