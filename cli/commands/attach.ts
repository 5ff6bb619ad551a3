/** `mcp attach` / `mcp detach`: put the launcher between a client and a server, or take it out. */
import type { AttachResult } from '../../core/api/launcher.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { print, printJson } from '../output.ts';

interface AttachFlags extends GlobalOptions {
  client?: string;
  config?: string;
  key?: string;
  json?: boolean;
}

export async function attach(name: string, options: AttachFlags): Promise<void> {
  const { attachServer } = await import('../../core/attach/attach.ts');
  const { launcherContextFromProcess } = await import('../../core/attach/launcher-entry.ts');
  const { hostPlatform } = await import('../platform.ts');
  const launcher = launcherContextFromProcess(options.home);
  const result = await withStore(options, (store) =>
    attachServer({ store, env: process.env, where: hostPlatform() }, name, { client: options.client ?? '', configPath: options.config, key: options.key, launcher }),
  );
  report(result, 'attach', options.json === true);
}

export async function detach(name: string, options: AttachFlags & { remove?: boolean }): Promise<void> {
  const { detachServer } = await import('../../core/attach/attach.ts');
  const { hostPlatform } = await import('../platform.ts');
  const result = await withStore(options, (store) =>
    detachServer({ store, env: process.env, where: hostPlatform() }, name, { client: options.client ?? '', configPath: options.config, remove: options.remove === true }),
  );
  report(result, options.remove === true ? 'remove' : 'detach', options.json === true);
}

function report(result: AttachResult, action: 'attach' | 'detach' | 'remove', json: boolean): void {
  if (json) return printJson({ result });
  const where = `${result.client} (${result.config_path}, entry "${result.key}")`;
  if (!result.changed) {
    print(action === 'attach' ? `"${result.server}" is already attached in ${where}: nothing was written.\n` : `"${result.server}" is not attached in ${where}: nothing was written.\n`);
    return;
  }
  const done = action === 'attach' ? 'now starts through the MCP Warden launcher in' : action === 'remove' ? 'was removed from' : 'is a plain entry again in';
  print(`"${result.server}" ${done} ${where}. Backup of the previous file: ${result.backup ?? 'none (the file was new)'}.\n`);
}
