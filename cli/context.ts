import os from 'node:os';
import { resolveDataDir } from '../core/home/data-dir.ts';
import { openStore, type Store } from '../core/store/database.ts';

export interface GlobalOptions {
  home?: string;
}

export function dataDirFrom(options: GlobalOptions): string {
  return resolveDataDir({ platform: process.platform, env: process.env, homedir: os.homedir() }, options.home);
}

/** Opens the store for one command and closes it when the command is done. */
export async function withStore<T>(options: GlobalOptions, run: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openStore(dataDirFrom(options));
  try {
    return await run(store);
  } finally {
    store.close();
  }
}
