import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from '../../core/api/alert.ts';
import { invalidInput, WardenError } from '../../core/api/errors.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { currentMonitor } from '../../core/monitor/lease.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { isLoopback } from '../../server/binding.ts';
import { emitScanResult } from '../../server/events.ts';
import { startServer } from '../../server/start.ts';
import { openCliStore, printNotices, type GlobalOptions } from '../context.ts';
import { hostPlatform } from '../platform.ts';
import { inline, print, printError } from '../output.ts';
import { listenForStop } from '../stop-signal.ts';

export interface ServeOptions extends GlobalOptions {
  port?: string;
  host?: string;
  allowRemote?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  publicHost?: string[];
  /** commander's negation of --no-monitor. */
  monitor?: boolean;
}

function readPem(file: string, option: string): Buffer {
  try {
    return readFileSync(path.resolve(file));
  } catch (error) {
    throw new WardenError('not_found', `Cannot read ${option} ${path.resolve(file)}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, option);
  }
}

/** Checks the flags before anything is opened or bound. */
function settings(options: ServeOptions): { host: string; port: number; tls?: { cert: Buffer; key: Buffer }; publicHosts: string[] } {
  const port = options.port === undefined ? 8080 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !/^\d+$/.test(options.port ?? '8080')) throw invalidInput('port', `--port takes a port number from 0 to 65535 (0 picks a free one), not "${options.port}".`);
  const host = options.host ?? '127.0.0.1';
  const publicHosts = options.publicHost ?? [];
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw invalidInput(options.tlsCert === undefined ? 'tls-cert' : 'tls-key', 'Give both --tls-cert and --tls-key, or neither.');
  if (!isLoopback(host) && !(options.allowRemote === true && options.tlsCert !== undefined)) {
    throw invalidInput('host', `Serving on ${host} is refused: MCP Warden listens on loopback only, unless --allow-remote is given together with --tls-cert and --tls-key.`);
  }
  if (publicHosts.length > 0 && options.allowRemote !== true) throw invalidInput('public-host', '--public-host names a remote bind: it needs --allow-remote (with TLS).');
  for (const name of publicHosts) if (!/^[A-Za-z0-9.-]{1,253}$/.test(name)) throw invalidInput('public-host', `--public-host takes a host name such as warden.example.com, not "${name}".`);
  const tls = options.tlsCert === undefined || options.tlsKey === undefined ? undefined : { cert: readPem(options.tlsCert, 'tls-cert'), key: readPem(options.tlsKey, 'tls-key') };
  return { host, port, tls, publicHosts };
}

/**
 * `serve`: the REST API and web UI, plus the monitor when no other process holds this data
 * directory's monitor lease. One store (one SQLite connection) serves both: it is synchronous, so
 * they never interleave inside a transaction.
 */
export async function serve(options: ServeOptions): Promise<void> {
  const { host, port, tls, publicHosts } = settings(options);
  const store = openCliStore(options);
  const notifier = { notify: (alerts: readonly Alert[]) => alerts.forEach((a) => printError(`[${a.severity.toUpperCase()}] ${inline(a.title)} (alert ${a.id})\n`)) };
  let running;
  try {
    running = await startServer({ store, keychain: new OsKeychain(store.installId), where: hostPlatform(), env: process.env, cwd: process.cwd(), notifier, host, port, tls, publicHosts });
  } catch (error) {
    store.close();
    throw error;
  }
  const { hub } = running.app;

  const stop = listenForStop();
  let monitor: Monitor | undefined;
  void stop.received.then(() => monitor?.stop());
  let watching: string;
  if (options.monitor === false) {
    watching = 'Not watching client configs (--no-monitor).';
  } else {
    monitor = new Monitor({
      store,
      env: process.env,
      where: hostPlatform(),
      notifier,
      onScan: (r) => emitScanResult(hub, r),
      onError: (error, location) => printError(`mcp-warden: scanning ${location?.path ?? 'a config'} failed: ${error.message}\n`),
    });
    try {
      await monitor.start();
      const found = monitor.watchedConfigs.length;
      watching = `Watching ${found} client config location${found === 1 ? '' : 's'} for ${store.dataDir}.`;
    } catch (error) {
      await monitor.stop();
      monitor = undefined;
      if (!(error instanceof WardenError && error.code === 'conflict')) {
        stop.dispose();
        await running.close();
        store.close();
        throw error;
      }
      const holder = currentMonitor(store.db);
      watching = `Another monitor${holder === undefined ? '' : ` (pid ${holder.pid})`} watches this data directory; serving without watching.`;
    }
  }

  if (!stop.arrived) {
    // After the first scan, which may have made the digest key.
    printNotices(store);
    print(`MCP Warden API on ${running.apiUrl}\nOpen the web UI: ${running.loginUrl()}\n${watching}\nPress Ctrl-C to stop.\n`);
  }
  await stop.received;
  await monitor?.stop();
  await running.close();
  printNotices(store);
  store.close();
}
