import type { Alert } from '../../core/api/alert.ts';
import { CLIENT_NAMES } from '../../core/discovery/clients/index.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { openCliStore, printNotices, type GlobalOptions } from '../context.ts';
import { hostPlatform } from '../platform.ts';
import { inline, print, printError } from '../output.ts';
import { listenForStop } from '../stop-signal.ts';

/** `watch`: the monitor in the foreground. High and critical alerts go to stderr as they are raised. */
export async function watchConfigs(options: GlobalOptions): Promise<void> {
  const store = openCliStore(options);
  const monitor = new Monitor({
    store,
    env: process.env,
    where: hostPlatform(),
    notifier: { notify: (alerts: readonly Alert[]) => alerts.forEach((a) => printError(`[${a.severity.toUpperCase()}] ${inline(a.title)} (alert ${a.id})\n`)) },
    onScan: (r) => {
      const what = r.state === 'ok' ? `${r.servers.length} server${r.servers.length === 1 ? '' : 's'}` : r.state === 'unreadable' ? `cannot be read: ${r.error?.message ?? ''}` : r.state;
      print(`${new Date().toISOString()} ${CLIENT_NAMES[r.location.client] ?? r.location.client} ${r.location.path}: ${what}; ${r.opened.length} alert${r.opened.length === 1 ? '' : 's'} raised, ${r.reopened.length > 0 ? `${r.reopened.length} re-opened, ` : ''}${r.resolved.length} resolved\n`);
    },
    onError: (error, location) => printError(`mcp-warden: scanning ${location?.path ?? 'a config'} failed: ${error.message}\n`),
  });
  const stop = listenForStop();
  const stopped = stop.received.then(() => monitor.stop());
  try {
    await monitor.start();
  } catch (error) {
    stop.dispose();
    await monitor.stop();
    store.close();
    throw error;
  }
  if (!stop.arrived) {
    const found = monitor.watchedConfigs.length;
    print(`Watching ${found} client config location${found === 1 ? '' : 's'} for ${store.dataDir}. Press Ctrl-C to stop.\n`);
  }
  await stopped;
  printNotices(store);
  store.close();
}
