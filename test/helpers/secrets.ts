import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { openStore } from '../../core/store/database.ts';

/** The OS keychain as the data directory `home` uses it (its install id scopes the entries). */
export function keychainOf(home: string): OsKeychain {
  const store = openStore(home);
  try {
    return new OsKeychain(store.installId);
  } finally {
    store.close();
  }
}

/** Every file under `dir` (the WAL and shared-memory files included) whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => statSync(file).isFile() && readFileSync(file).includes(Buffer.from(needle)));
}
