import { unavailable } from '../../core/api/errors.ts';
import { digestKeyStatus } from '../../core/secrets/digest-key.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { addSecret, listSecrets, removeSecret, validateSecretName } from '../../core/secrets/secrets.ts';
import type { Store } from '../../core/store/database.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson, truncate } from '../output.ts';
import { readSecretValue } from '../read-secret.ts';

const keychainFor = (store: Store) => new OsKeychain(store.installId);

export async function add(name: string, options: GlobalOptions & { description?: string; replace?: boolean; json?: boolean }): Promise<void> {
  validateSecretName(name);
  const info = await withStore(options, async (store) => {
    const keychain = keychainFor(store);
    // Say so before asking for a value that could not be stored.
    const state = keychain.status();
    if (!state.available) throw unavailable(state.problem ?? 'The OS keychain is not available.');
    const value = await readSecretValue(`Value for secret ${name} (input hidden): `);
    return addSecret(store, keychain, { name, value, description: options.description, replace: options.replace });
  });
  if (options.json === true) printJson({ secret: info });
  else print(`Stored secret "${info.name}" in the OS keychain; use it as {{secret:${info.name}}}.\n`);
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const secrets = await withStore(options, (store) => listSecrets(store.db));
  if (options.json === true) return printJson({ secrets });
  if (secrets.length === 0) {
    print('No secrets are stored. Add one with `mcp-warden secrets add <name>`.\n');
    return;
  }
  const rows = secrets.map((s) => [s.name, s.created_at, s.used_by.join(',') || '-', truncate(s.description, 50)]);
  print(`${formatTable(['NAME', 'ADDED', 'USED BY', 'DESCRIPTION'], rows)}\n`);
}

export async function remove(name: string, options: GlobalOptions & { force?: boolean; json?: boolean }): Promise<void> {
  const info = await withStore(options, (store) => removeSecret(store, keychainFor(store), name, { force: options.force }));
  if (options.json === true) printJson({ removed: info });
  else {
    const dangling = info.used_by.length > 0 ? ` Servers still naming it (${info.used_by.join(', ')}) will fail to launch until it is added again.` : '';
    print(`Removed secret "${info.name}" from the OS keychain.${dangling}\n`);
  }
}

export async function status(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const [result, digestKey] = await withStore(options, (store) => [keychainFor(store).status(), digestKeyStatus(store.db)] as const);
  if (options.json === true) printJson({ keychain: result, digest_key: digestKey });
  else {
    if (result.available) print(`The OS keychain (${result.backend}) is available and persistent.\n`);
    else print(`${result.problem ?? 'The OS keychain is not available.'}\n`);
    if (digestKey.store === 'keychain') print('The key of the config-value digests is in the OS keychain.\n');
    else if (digestKey.store === 'file') print(`The key of the config-value digests is in ${digestKey.file} (mode 0600), not in the OS keychain.\n`);
  }
  if (!result.available) process.exitCode = 1;
}
