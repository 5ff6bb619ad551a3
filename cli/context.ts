import os from 'node:os';
import { resolveDataDir } from '../core/home/data-dir.ts';
import { moveLegacyDigestKey } from '../core/secrets/digest-key.ts';
import { openStore, type Store } from '../core/store/database.ts';
import { takeNotices } from '../core/store/notices.ts';
import { printError } from './output.ts';

export interface GlobalOptions {
  home?: string;
}

export function dataDirFrom(options: GlobalOptions): string {
  return resolveDataDir({ platform: process.platform, env: process.env, homedir: os.homedir() }, options.home);
}

/**
 * What the data directory has to tell the user (a folder made private, the digest key kept outside
 * the keychain), once, on stderr: stdout stays the command's own output (JSON included).
 */
export function printNotices(store: Store): void {
  for (const notice of takeNotices(store.db)) printError(`mcp-warden: note: ${notice}\n`);
}

/**
 * Opens the store of a command, `watch` or `serve`: the data directory made private (openStore), a
 * digest key an older version left in the database moved out of it, and what that has to say said.
 */
export function openCliStore(options: GlobalOptions): Store {
  const store = openStore(dataDirFrom(options));
  try {
    moveLegacyDigestKey(store.db);
  } catch (error) {
    // Not fatal for a command that needs no digests; the next try (or scan) moves it.
    printError(`mcp-warden: note: the key of the config-value digests is still in the database, because ${(error as Error).message}\n`);
  }
  printNotices(store);
  return store;
}

/** Opens the store for one command and closes it when the command is done. */
export async function withStore<T>(options: GlobalOptions, run: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openCliStore(options);
  try {
    return await run(store);
  } finally {
    try {
      printNotices(store);
    } finally {
      store.close();
    }
  }
}
