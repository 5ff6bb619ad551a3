import { invalidInput } from '../../core/api/errors.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/api-keys/api-keys.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson } from '../output.ts';

/** `api-key create --name N`: the key is printed here, once, and kept nowhere but as a hash. */
export async function create(options: GlobalOptions & { name?: string; json?: boolean }): Promise<void> {
  if (options.name === undefined) throw invalidInput('name', 'Name the key with --name NAME (what will use it: my-agent, ci, ...).');
  const created = await withStore(options, (store) => createApiKey(store, options.name as string));
  if (options.json === true) return printJson(created);
  print(`Created API key "${created.name}". It is shown this once; keep it somewhere safe:\n${created.key}\nSend it as "Authorization: Bearer <key>" to mcp-warden serve.\n`);
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const keys = await withStore(options, (store) => listApiKeys(store.db));
  if (options.json === true) return printJson({ api_keys: keys });
  if (keys.length === 0) {
    print('No API keys. Create one with `mcp-warden api-key create --name NAME`.\n');
    return;
  }
  const rows = keys.map((k) => [k.name, `${k.prefix}…`, k.created_at, k.last_used_at ?? '-', k.revoked_at === null ? 'active' : `revoked ${k.revoked_at}`]);
  print(`${formatTable(['NAME', 'PREFIX', 'CREATED', 'LAST USED', 'STATE'], rows)}\n`);
}

export async function revoke(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const info = await withStore(options, (store) => revokeApiKey(store, name));
  if (options.json === true) return printJson({ api_key: info });
  print(`Revoked API key "${info.name}": requests using it are refused from now on.\n`);
}
