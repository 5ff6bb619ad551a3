/**
 * Serialised answers of a read route (the server list), kept while the database is unchanged. The
 * key is the query string; the whole cache is dropped the moment the data version moves: another
 * process's commit (`PRAGMA data_version`) or any write on this connection (`total_changes()`), which
 * includes the monitor, the routes and the API-key bookkeeping. A stale page is therefore never
 * answered, and a hit costs one small statement instead of a page query and a JSON.stringify.
 */
import type { Db } from '../core/store/database.ts';
import { dataVersion } from '../core/store/data-version.ts';

const MAX_ENTRIES = 256;

export class ResponseCache {
  #version = '';
  readonly #entries = new Map<string, Buffer>();

  /** The cached bytes for `key`, valid for the database as it is now. */
  get(db: Db, key: string): Buffer | undefined {
    const version = dataVersion(db);
    if (version !== this.#version) {
      this.#version = version;
      this.#entries.clear();
      return undefined;
    }
    return this.#entries.get(key);
  }

  /** Stores an answer computed right after `get` (no write can happen between: both are synchronous). */
  set(key: string, bytes: Buffer): void {
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, bytes);
  }
}
