import { unavailable } from '../../core/api/errors.ts';
import { launcherContextFromProcess } from '../../core/attach/launcher-entry.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { fixAllSecrets, secureServer, type SecureContext, type SecureOutcome, type SecureOptions } from '../../core/secure/secure.ts';
import type { Store } from '../../core/store/database.ts';
import { dataDirFrom, withStore, type GlobalOptions } from '../context.ts';
import { print, printJson } from '../output.ts';
import { hostPlatform } from '../platform.ts';

/** The keychain (checked first: nothing is read or written when it cannot store) and the launcher entry's context. */
export function secureContext(store: Store, options: GlobalOptions): SecureContext {
  const keychain = new OsKeychain(store.installId);
  const state = keychain.status();
  if (!state.available) throw unavailable(state.problem ?? 'The OS keychain is not available.');
  return { keychain, launcher: launcherContextFromProcess(options.home === undefined ? undefined : dataDirFrom(options)) };
}

export const secureOptions = (store: Store): SecureOptions => ({ store, env: process.env, where: hostPlatform() });

export async function secure(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const results = await withStore(options, (store) => secureServer(secureOptions(store), name, secureContext(store, options)));
  if (options.json === true) printJson({ items: results });
  else print(describe(results));
}

/** What `secure` and `scan --fix-secrets` print: one line per value moved or left, and the backup. */
export function describe(results: readonly SecureOutcome[]): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const m of r.moved) lines.push(`Moved ${m.location} of "${r.server}" (${r.key} in ${r.config_path}) to the keychain as ${m.secret}.`);
    if (r.backup !== null) lines.push(`  The entry now runs through mcp-warden run ${r.server}; the previous file is kept at ${r.backup}.`);
    for (const n of r.not_moved) lines.push(`Left ${n.location} of "${r.server}" (${r.key} in ${r.config_path}): ${n.reason}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** `scan --fix-secrets`: moves every movable plaintext secret; errors are reported, not thrown. */
export function fixSecrets(store: Store, options: GlobalOptions): { results: SecureOutcome[]; errors: { server: string; config_path: string; message: string }[] } {
  return fixAllSecrets(secureOptions(store), secureContext(store, options));
}
