import path from 'node:path';
import type { ApplyChange } from '../../core/api/launcher.ts';
import { launcherContextFromProcess } from '../../core/attach/launcher-entry.ts';
import { applyManifestFile } from '../../core/manifest/apply.ts';
import { dataDirFrom, withStore, type GlobalOptions } from '../context.ts';
import { print, printJson } from '../output.ts';
import { hostPlatform } from '../platform.ts';

export async function apply(options: GlobalOptions & { file?: string; dryRun?: boolean; json?: boolean }): Promise<void> {
  const dryRun = options.dryRun === true;
  const result = await withStore(options, (store) =>
    applyManifestFile(
      { store, env: process.env, where: hostPlatform() },
      { file: path.resolve(options.file ?? ""), dryRun, launcher: launcherContextFromProcess(options.home === undefined ? undefined : dataDirFrom(options)) },
    ),
  );
  if (options.json === true) return printJson(result);
  if (dryRun) print('Dry run: nothing was changed. The plan:\n');
  print(result.changes.map((c) => `${line(c)}\n`).join(''));
}

/** `+ register github`, `~ update github: args, env_template`, `→ attach github to claude-desktop`, `= github unchanged`. */
function line(change: ApplyChange): string {
  switch (change.action) {
    case 'register':
      return `+ register ${change.server}`;
    case 'update':
      return `~ update ${change.server}: ${change.detail}`;
    case 'attach':
      return `→ attach ${change.server} to ${change.detail}`;
    case 'detach':
      return `← detach ${change.server} from ${change.detail}`;
    case 'unchanged':
      return `= ${change.server} unchanged`;
  }
}
