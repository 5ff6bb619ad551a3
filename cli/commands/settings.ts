import { allSettings, setSetting } from '../../core/settings/settings.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson } from '../output.ts';

export async function show(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const settings = await withStore(options, (store) => allSettings(store.db));
  if (options.json === true) return printJson({ settings });
  print(`${formatTable(['SETTING', 'VALUE'], Object.entries(settings))}\n`);
}

export async function set(key: string, value: string, options: GlobalOptions): Promise<void> {
  await withStore(options, (store) => setSetting(store.db, key, value));
  print(`Set ${key} to ${value}.\n`);
}
