// The engine of the desktop app, in the main process: the store in the data directory, the monitor
// (when no other process holds this data directory's monitor lease), and the in-process dispatcher
// that answers the renderer's API requests with the same route handlers `serve` uses. No 'electron'
// here, so a plain Node test runs it against a real database and a real fake home.
import os from 'node:os';
import type { Alert } from '../../core/api/alert.ts';
import type { HttpMethod, TransportResponse } from '../../core/api/client.ts';
import type { PlatformEnv } from '../../core/api/discovery.ts';
import { WardenError } from '../../core/api/errors.ts';
import type { ApiEvent } from '../../core/api/rest.ts';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import type { Notifier } from '../../core/alerts/notifier.ts';
import { resolveDataDir } from '../../core/home/data-dir.ts';
import { currentMonitor } from '../../core/monitor/lease.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { moveLegacyDigestKey } from '../../core/secrets/digest-key.ts';
import { OsKeychain, type Keychain } from '../../core/secrets/keychain.ts';
import { allSettings, getSetting } from '../../core/settings/settings.ts';
import { openStore, type Store } from '../../core/store/database.ts';
import { takeNotices } from '../../core/store/notices.ts';
import { createDispatcher, type Dispatcher } from '../../server/dispatch.ts';
import { emitScanResult } from '../../server/events.ts';
import { isNotificationLevel, type NotificationLevel } from './notification-batch.ts';

export interface EngineOptions {
  /** Where client configs are looked for, and the environment commands resolve in. */
  where?: PlatformEnv;
  /** The data directory; default: resolveDataDir (MCP_WARDEN_HOME, else the platform's app-data folder). */
  dataDir?: string;
  cwd?: string;
  keychain?: (store: Store) => Keychain;
  /** Where high and critical alerts go (the notification batcher). */
  notifier: Notifier;
  onError?: (message: string) => void;
  /** What the data directory has to say once (a folder made private, where the digest key is); default stderr. */
  onNotice?: (message: string) => void;
}

export interface MonitorStatus {
  /** This app's monitor runs (it may be paused). */
  running: boolean;
  paused: boolean;
  /** One sentence when the monitor is not running here or is paused. */
  message?: string;
}

export interface Engine {
  readonly dataDir: string;
  request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse>;
  /** Every ApiEvent (scans, alerts, registry changes, other processes' writes) until the returned function is called. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
  monitorStatus(): MonitorStatus;
  setPaused(paused: boolean): void;
  /** Scans every client config now, as `POST /scan` does. */
  scanNow(): Promise<TransportResponse>;
  openAlerts(): Alert[];
  /** The `notifications` setting (high, critical or off); `high` while the setting does not exist. */
  notificationLevel(): NotificationLevel;
  /** The `start-at-login` setting: `on` or `off`. */
  startAtLogin(): string;
  close(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const where = options.where ?? { platform: process.platform, env: process.env, homedir: os.homedir() };
  const dataDir = options.dataDir ?? resolveDataDir(where);
  const store = openStore(dataDir);
  const onError = options.onError ?? ((message: string) => process.stderr.write(`mcp-warden: ${message}\n`));
  const onNotice = options.onNotice ?? ((message: string) => process.stderr.write(`mcp-warden: note: ${message}\n`));
  const sayNotices = () => {
    try {
      takeNotices(store.db).forEach((notice) => onNotice(notice));
    } catch (error) {
      onError(`the data directory's notices could not be read: ${(error as Error).message}`);
    }
  };
  try {
    moveLegacyDigestKey(store.db);
  } catch (error) {
    onError(`the key of the config-value digests is still in the database, because ${(error as Error).message}`);
  }
  let dispatcher: Dispatcher;
  try {
    dispatcher = createDispatcher({
      store,
      keychain: options.keychain?.(store) ?? new OsKeychain(store.installId),
      where,
      env: where.env,
      cwd: options.cwd ?? where.homedir,
      notifier: options.notifier,
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const { hub } = dispatcher;

  let monitor: Monitor | undefined = new Monitor({
    store,
    env: where.env,
    where,
    notifier: options.notifier,
    onScan: (result) => emitScanResult(hub, result),
    onError: (error, location) => onError(`scanning ${location?.path ?? 'a config'} failed: ${error.message}`),
  });
  let notRunning: string | undefined;
  let paused = false;
  try {
    await monitor.start();
  } catch (error) {
    await monitor.stop();
    monitor = undefined;
    if (!(error instanceof WardenError && error.code === 'conflict')) {
      dispatcher.close();
      store.close();
      throw error;
    }
    // Another monitor (serve, watch, a second data-directory user) already raises this directory's
    // alerts: this app shows them, and the hub's poller still notices that process's writes.
    const holder = currentMonitor(store.db);
    notRunning = `Another MCP Warden process${holder === undefined ? '' : ` (pid ${holder.pid})`} monitors this data directory, so this app does not watch the client configs itself.`;
  }

  // After the monitor's first scan, which may have made the digest key.
  sayNotices();
  let closed = false;
  return {
    dataDir,
    request: (method, path, body) => dispatcher.request(method, path, body),
    subscribe: (listener) => hub.subscribe(listener),
    monitorStatus: () =>
      monitor === undefined
        ? { running: false, paused: false, message: notRunning }
        : paused
          ? { running: true, paused: true, message: 'Monitoring is paused: client configs are not watched until it is resumed.' }
          : { running: true, paused: false },
    setPaused: (value) => {
      if (monitor === undefined || value === paused) return;
      paused = value;
      monitor.setPaused(value);
    },
    scanNow: () => dispatcher.request('POST', '/scan', {}),
    openAlerts: () => listAlerts(store.db, { state: 'open' }),
    notificationLevel: () => {
      // Read through allSettings so a `notifications` setting added to core is picked up unchanged.
      const value = (allSettings(store.db) as Record<string, string | undefined>)['notifications'];
      return isNotificationLevel(value) ? value : 'high';
    },
    startAtLogin: () => getSetting(store.db, 'start-at-login'),
    close: async () => {
      if (closed) return;
      closed = true;
      await monitor?.stop();
      dispatcher.close();
      sayNotices();
      store.close();
    },
  };
}
