/**
 * The monitor: watches every client config with chokidar and scans a file the moment it changes.
 * No write-stability delay: a change is read at once, and a half-written file is simply read again
 * on the next event. Only a parse failure waits a moment (PARSE_GRACE_MS) for that next event before
 * raising its alert, so an editor's two-step save does not flash an alert.
 *
 * Scans are asynchronous: a config is reconciled in chunks with the event loop served between them
 * (core/discovery/scan.ts), so a config of 20,000 servers does not stop the watcher from seeing
 * events, renewing its lease or answering a signal; `stop()` ends a scan at its next chunk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ConfigLocation, PlatformEnv } from '../api/discovery.ts';
import { projectLocations } from '../discovery/clients/index.ts';
import { knownLocations } from '../discovery/scan-all.ts';
import { ScanInterrupted, scanConfigAsync, type ConfigScanResult, type ScanOptions } from '../discovery/scan.ts';
import { acquireLease, type Lease } from './lease.ts';
import { newSessionId } from '../audit/launcher-sessions.ts';
import { recoverSpool } from '../launcher/spool.ts';
import { verifyServer } from '../attest/attest.ts';
import { findServer } from '../registry/read.ts';
import { stmt } from '../store/statements.ts';
import { isDirectory, isSymbolicLink } from '../util/fs.ts';

export const PARSE_GRACE_MS = 250;
/** How often the monitor takes in what launchers left in the spool (journals of killed sessions). */
export const SPOOL_RECOVERY_MS = 60_000;

export interface MonitorOptions extends ScanOptions {
  where: PlatformEnv;
  /** Called after every scan that was committed (for logs, UIs, benchmarks). */
  onScan?: (result: ConfigScanResult) => void;
  onError?: (error: Error, location?: ConfigLocation) => void;
}

interface Target {
  location: ConfigLocation;
  running: boolean;
  /** A scan is scheduled for the next turn of the event loop. */
  queued: boolean;
  again: boolean;
  force: boolean;
  /** The last scan found a link here that leads nowhere readable (a loop, a missing file). */
  brokenLink: boolean;
  graceTimer?: NodeJS.Timeout;
}

export class Monitor {
  readonly #options: MonitorOptions;
  readonly #targets = new Map<string, Target>();
  /** Folders watched: each config's own folder, or its nearest existing ancestor until that appears. */
  readonly #folders = new Set<string>();
  #watcher: FSWatcher | undefined;
  #lease: Lease | undefined;
  #spoolTimer: NodeJS.Timeout | undefined;
  readonly #session = newSessionId();
  #paused = false;
  #started = false;
  /** Files an attestation measured (executables, scripts) and the servers whose attestation names them. */
  #artifacts = new Map<string, Set<string>>();
  /** The newest attestation id #artifacts was built from (-1: never built). */
  #artifactsAt = -1;
  /** Aborted by stop(): a scan in progress ends at its next chunk. */
  readonly #stopping = new AbortController();
  /** Scans in progress, which stop() waits for. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #starting: Promise<ConfigScanResult[]> | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: MonitorOptions) {
    this.#options = options;
  }

  /**
   * Takes the data directory's monitor lease, scans everything once, then watches. A stop() during
   * the first scans ends them and start() returns what was scanned.
   */
  start(): Promise<ConfigScanResult[]> {
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<ConfigScanResult[]> {
    const stopping = this.#stopping.signal;
    this.#lease = acquireLease(this.#options.store.db, this.#options.store.dataDir);
    this.#recoverSpool();
    this.#spoolTimer = setInterval(() => this.#recoverSpool(), SPOOL_RECOVERY_MS).unref();
    this.#watcher = watch([], { ignoreInitial: true, atomic: false, depth: 0, persistent: true });
    // Listened for now: the scans below yield to the event loop, so it may come before they end.
    const ready = new Promise<void>((resolve) => {
      (this.#watcher as FSWatcher).once('ready', () => resolve());
      stopping.addEventListener('abort', () => resolve(), { once: true });
    });
    this.#watcher.on('all', (event, file) => this.#onEvent(event, file));
    // chokidar drops a second 'change' for a file within 50 ms and never re-emits it, so a quick
    // second save would go unscanned; its raw file-system events are not throttled.
    this.#watcher.on('raw', (_event, name, details) => {
      const folder = (details as { watchedPath?: unknown }).watchedPath;
      if (typeof folder !== 'string' || typeof name !== 'string') return;
      const target = this.#targets.get(path.join(folder, name)) ?? this.#targets.get(folder);
      if (target !== undefined) this.#request(target, false);
      // A link at a config path leads through this folder: creating the file it names (or the link
      // that closes a loop) changes what the config is, though the config itself did not change.
      else for (const t of this.#targets.values()) if (t.brokenLink && path.dirname(t.location.path) === folder) this.#request(t, false);
    });
    this.#watcher.on('error', (error) => this.#onWatchError(error as NodeJS.ErrnoException));
    const first: ConfigScanResult[] = [];
    for (const location of knownLocations(this.#options.store.db, this.#options.where)) this.#track(location);
    // Until nothing new appears: scanning ~/.claude.json can name project configs to scan too.
    const done = new Set<string>();
    for (let pending = [...this.#targets.values()]; pending.length > 0; pending = [...this.#targets.values()].filter((t) => !done.has(t.location.path))) {
      for (const target of pending) {
        if (stopping.aborted) return first;
        done.add(target.location.path);
        const result = await this.#scan(target, { force: true, defer: false });
        if (result !== undefined) first.push(result);
      }
    }
    if (stopping.aborted) return first;
    this.#started = true;
    this.#watchArtifacts();
    await ready;
    return first;
  }

  /**
   * Ends a scan in progress at its next chunk (the database keeps what it committed), then stops
   * watching and releases the lease. Final: a stopped monitor does not start again.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#stopping.abort();
    for (const target of this.#targets.values()) clearTimeout(target.graceTimer);
    this.#started = false;
    clearInterval(this.#spoolTimer);
    await this.#starting?.catch(() => undefined);
    await Promise.all([...this.#inFlight]);
    await this.#watcher?.close();
    this.#lease?.release();
    this.#watcher = undefined;
    this.#lease = undefined;
  }

  /**
   * Launcher events waiting in the spool (a killed launcher's journal, batches no later launch took
   * in) go into the trail. Waits 250 ms at most for the write lock: a busy database is tried again
   * at the next round, and the watcher never stalls on it.
   */
  #recoverSpool(): void {
    const { db, dataDir } = this.#options.store;
    const busy = db.pragma('busy_timeout', { simple: true }) as number;
    db.pragma('busy_timeout = 250');
    try {
      const recovered = recoverSpool(db, dataDir, this.#session);
      for (const f of recovered.failed) this.#options.onError?.(new Error(`The launcher spool file ${f.file} could not be replayed (${f.reason}); it was left in ${path.join(dataDir, 'spool')}.`));
    } catch {
      // Busy: the next round, or the next launcher, takes it in.
    } finally {
      db.pragma(`busy_timeout = ${busy}`);
    }
  }

  /** While paused, changes are not scanned; resuming scans everything once. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    if (!paused) for (const target of this.#targets.values()) this.#request(target, true);
  }

  get watchedConfigs(): ConfigLocation[] {
    return [...this.#targets.values()].map((t) => t.location);
  }

  #track(location: ConfigLocation): void {
    if (this.#targets.has(location.path)) return;
    const target: Target = { location, running: false, queued: false, again: false, force: false, brokenLink: false };
    this.#targets.set(location.path, target);
    this.#watchPath(location.path);
    // A config named after start-up (a project added to ~/.claude.json) is read now, not at its next change.
    if (this.#started) this.#request(target, true);
  }

  /**
   * Watch the folder that holds the file, not the file: a watch on a file dies with its inode, so a
   * deleted and recreated config would go unseen. Where the folder does not exist yet, watch its
   * nearest existing ancestor until it appears.
   */
  #watchPath(file: string): void {
    let folder = path.dirname(file);
    while (!isDirectory(folder) && path.dirname(folder) !== folder) folder = path.dirname(folder);
    if (this.#folders.has(folder)) return;
    this.#folders.add(folder);
    this.#watcher?.add(folder);
  }

  /**
   * A replaced binary or edited script changes no config, so the files attestations measured are
   * watched too (by their folders: a replaced file is a new inode) and re-verified on any change.
   */
  #watchArtifacts(): void {
    // Rebuilt only when an attestation was added since: this runs after every committed scan.
    const newest = stmt<[], { id: number | null }>(this.#options.store.db, 'SELECT max(id) AS id FROM attestations').get()?.id ?? 0;
    if (newest === this.#artifactsAt) return;
    this.#artifactsAt = newest;
    const rows = stmt<[], { server_id: string; statement: string }>(
      this.#options.store.db,
      'SELECT a.server_id, a.statement FROM attestations a WHERE a.id = (SELECT max(id) FROM attestations b WHERE b.server_id = a.server_id)',
    ).all();
    this.#artifacts = new Map();
    for (const row of rows) {
      const statement = JSON.parse(row.statement) as { executable?: { path?: string } | null; script?: { path?: string } | null };
      for (const file of [statement.executable?.path, statement.script?.path]) {
        if (typeof file !== 'string') continue;
        const servers = this.#artifacts.get(file) ?? new Set<string>();
        servers.add(row.server_id);
        this.#artifacts.set(file, servers);
        this.#watchPath(file);
      }
    }
  }

  #reverify(file: string): void {
    for (const serverId of this.#artifacts.get(file) ?? []) {
      try {
        const server = findServer(this.#options.store.db, serverId);
        if (server === undefined) continue;
        verifyServer(this.#options.store, server, { notifier: this.#options.notifier });
      } catch (error) {
        this.#options.onError?.(error as Error);
      }
    }
  }

  #onEvent(event: string, file: string): void {
    if (this.#artifacts.has(file) && (event === 'change' || event === 'add' || event === 'unlink')) this.#reverify(file);
    const target = this.#targets.get(file);
    if (target !== undefined) {
      this.#request(target, false);
      return;
    }
    if (event === 'addDir') {
      // A folder on the way to a config appeared: watch deeper, and scan a config already inside.
      for (const t of this.#targets.values()) {
        if (t.location.path.startsWith(file + path.sep)) {
          this.#watchPath(t.location.path);
          if (fs.existsSync(t.location.path)) this.#request(t, false);
        }
      }
    }
  }

  /**
   * chokidar cannot stat a link loop in a watched folder. At a config path the scan says so in the
   * config's alert (so it is scanned instead of reported as a failure); elsewhere in the folder it is
   * none of our business.
   */
  #onWatchError(error: NodeJS.ErrnoException): void {
    if (error.code === 'ELOOP' && typeof error.path === 'string' && this.#folders.has(path.dirname(error.path))) {
      const target = this.#targets.get(error.path);
      if (target !== undefined) this.#request(target, false);
      return;
    }
    this.#options.onError?.(error);
  }

  #request(target: Target, force: boolean): void {
    if (this.#paused || this.#stopping.signal.aborted) return;
    clearTimeout(target.graceTimer);
    target.graceTimer = undefined;
    target.force ||= force;
    if (target.running) {
      target.again = true;
      return;
    }
    if (target.queued) return;
    // One scan for the burst of events a single write makes, on the next turn of the event loop.
    target.queued = true;
    setImmediate(() => {
      target.queued = false;
      const forced = target.force;
      target.force = false;
      void this.#scan(target, { force: forced, defer: true });
    });
  }

  #scan(target: Target, how: { force: boolean; defer: boolean }): Promise<ConfigScanResult | undefined> {
    const scan = this.#runScan(target, how);
    this.#inFlight.add(scan);
    void scan.finally(() => this.#inFlight.delete(scan));
    return scan;
  }

  async #runScan(target: Target, how: { force: boolean; defer: boolean }): Promise<ConfigScanResult | undefined> {
    if (this.#stopping.signal.aborted) return undefined;
    if (target.running) {
      target.again = true;
      return undefined;
    }
    target.running = true;
    let result: ConfigScanResult | undefined;
    try {
      result = await scanConfigAsync({ ...this.#options, force: how.force, deferParseErrors: how.defer }, target.location, this.#stopping.signal);
      target.brokenLink = result.state === 'unreadable' && isSymbolicLink(target.location.path);
      if (result.state === 'deferred') {
        target.graceTimer = setTimeout(() => void this.#scan(target, { force: false, defer: false }), PARSE_GRACE_MS);
        target.graceTimer.unref();
      } else if (result.state !== 'unchanged' && result.state !== 'absent') {
        this.#options.onScan?.(result);
        // An attestation made since (by the CLI, the app) adds files to watch.
        this.#watchArtifacts();
      }
      for (const project of projectLocations(result.projectPaths)) this.#track(project);
    } catch (error) {
      // Stopped half way: not a failure, and the next scan reads the file again in full.
      if (!(error instanceof ScanInterrupted)) this.#options.onError?.(error as Error, target.location);
    } finally {
      target.running = false;
    }
    if (target.again) {
      target.again = false;
      this.#request(target, false);
    }
    return result;
  }
}

