/**
 * Where the launcher's events go: never through the relay's thread's database. Each event is numbered
 * in this launcher session and written ahead to the session's journal (one synchronous write, so it
 * survives a killed launcher) before `push` returns; every 200 ms, or at 256 events, the queue is
 * posted to a worker thread that owns its own database connection and writes each batch in one
 * transaction (audit events, alerts, the drift evaluation the probe uses, one receipt per event).
 * When the database is locked or cannot be opened, the worker writes the batch to a spool file of its
 * own instead; a later batch replays whatever the spool holds (batches of any session, journals of
 * sessions that died) in the same transaction. Once the worker says a batch is durable (database or
 * spool file), the journal may drop it. See docs/launcher.md and spool.ts.
 *
 * The worker runs this same module (`new Worker(import.meta.url)`): in the bundled CLI that is the
 * chunk holding it, so no second entry point is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { newSessionId } from '../audit/launcher-sessions.ts';
import { Journal } from './journal.ts';
import { eventLine, headerLine, pendingLine, SPOOL_DIR, type LauncherEvent } from './session-events.ts';

export type { LauncherEvent } from './session-events.ts';
export { SPOOL_DIR } from './session-events.ts';

const FLUSH_MS = 200;
const FLUSH_COUNT = 256;
/** A journal past this size is rewritten with only what is still in flight, at the next durable batch. */
const JOURNAL_REWRITE_BYTES = 1 << 20;
/** While the spool holds files, the writer retries them this often even when the session is quiet. */
const RETRY_MS = 1000;
const WORKER_ROLE = 'mcp-warden-launcher-writer';

interface WriterData {
  role: typeof WORKER_ROLE;
  dataDir: string;
  session: string;
  busyTimeoutMs: number;
}

type ToWorker = { type: 'events'; batch: number; lines: string } | { type: 'close' };
type FromWorker = { type: 'durable'; batch: number } | { type: 'closed'; written: number; spooled: number };
export type WriterSummary = Extract<FromWorker, { type: 'closed' }>;

interface Pending {
  seq: number;
  line: string;
  provisional: LauncherEvent;
}

/** The relay's side: a write-ahead journal and an in-memory queue handed to the writer thread in batches. */
export class EventSink {
  /** This launcher session's id (`<pid>-<start>-<random>`): its events are numbered 1, 2, 3... under it. */
  readonly session: string = newSessionId();
  readonly #worker: Worker;
  readonly #journal: Journal;
  #seq = 0;
  /** Journal lines of events not yet posted to the writer. */
  #queue: string[] = [];
  #batches = 0;
  /** Batches posted and not yet durable in the writer (database or spool file), by id. */
  readonly #posted = new Map<number, { lines: string[]; size: number }>();
  readonly #pending = new Map<string, Pending>();
  /** Characters of journal lines still needed (pending, queued, posted): what a rewrite would keep. */
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing = false;
  /** Something was recorded after close began: only the journal has it, so the journal stays. */
  #late = false;
  #exited = false;
  #closed: Promise<WriterSummary | undefined> | undefined;
  #onClosed: ((summary: WriterSummary) => void) | undefined;

  constructor(dataDir: string, options: { busyTimeoutMs?: number } = {}) {
    this.#journal = new Journal(path.join(dataDir, SPOOL_DIR), this.session, headerLine(this.session, 1));
    const data: WriterData = { role: WORKER_ROLE, dataDir, session: this.session, busyTimeoutMs: options.busyTimeoutMs ?? 250 };
    this.#worker = new Worker(new URL(import.meta.url), { workerData: data, stdout: true, stderr: false });
    // The writer must never keep the launcher alive, nor crash it.
    this.#worker.unref();
    this.#worker.on('message', (message: FromWorker) => {
      if (message.type === 'durable') this.#durable(message.batch);
      else this.#onClosed?.(message);
    });
    this.#worker.on('error', (error) => process.stderr.write(`mcp-warden run: the event writer stopped (${error.message}); this session's events stay in its journal (${this.#journal.file}) for the next launch to recover.\n`));
    this.#worker.once('exit', () => (this.#exited = true));
  }

  /** Records an event: on disk in the journal when this returns, in the database within about 200 ms. */
  push(event: LauncherEvent): void {
    this.#record(++this.#seq, event);
  }

  /**
   * Records an item whose outcome is not known yet (a call sent, its answer awaited): on disk when
   * this returns. If the session ends before `settle(key)` (closed, or killed: recovery), the
   * provisional event is what is written.
   */
  begin(key: string, provisional: LauncherEvent): void {
    const earlier = this.#pending.get(key);
    if (earlier !== undefined) this.settle(key, earlier.provisional);
    const seq = ++this.#seq;
    const line = pendingLine(seq, key, provisional);
    this.#journal.append(line);
    if (this.#closing) this.#late = true;
    this.#pending.set(key, { seq, line, provisional });
    this.#inFlight += line.length;
  }

  /** Replaces a pending item by its final event, or drops it (null); an unknown key with an event is a push. */
  settle(key: string, final: LauncherEvent | null): void {
    const pending = this.#pending.get(key);
    if (pending === undefined) {
      if (final !== null) this.push(final);
      return;
    }
    this.#pending.delete(key);
    this.#inFlight -= pending.line.length;
    // A dropped item keeps its number (a void receipt), so the numbering has no hole.
    this.#record(pending.seq, final ?? { kind: 'void', at: new Date().toISOString() });
  }

  #record(seq: number, event: Parameters<typeof eventLine>[1]): void {
    const line = eventLine(seq, event);
    this.#journal.append(line);
    if (this.#closing) {
      this.#late = true;
      return;
    }
    this.#queue.push(line);
    this.#inFlight += line.length;
    if (this.#queue.length >= FLUSH_COUNT) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const lines = this.#queue;
    this.#queue = [];
    const batch = ++this.#batches;
    this.#posted.set(batch, { lines, size: lines.reduce((n, l) => n + l.length, 0) });
    this.#worker.postMessage({ type: 'events', batch, lines: lines.join('') } satisfies ToWorker);
  }

  /**
   * A batch is in the database or a spool file. Past a size, the journal is rewritten with only what
   * is still in flight, when that is a small part of it (a backlog is not copied batch after batch).
   */
  #durable(batch: number): void {
    this.#inFlight -= this.#posted.get(batch)?.size ?? 0;
    this.#posted.delete(batch);
    if (this.#journal.bytes < JOURNAL_REWRITE_BYTES || this.#inFlight > this.#journal.bytes / 4 || this.#closing) return;
    const lines = [headerLine(this.session, this.#seq + 1), ...[...this.#pending.values()].map((p) => p.line)];
    for (const posted of this.#posted.values()) lines.push(...posted.lines);
    lines.push(...this.#queue);
    this.#journal.rewrite(lines.join(''));
  }

  /**
   * Ends the session: pending items are written as their provisional events, then its end (the
   * last number), and waits (at most `timeoutMs`) for the writer to make everything durable. The
   * journal is removed only then; otherwise it stays for recovery once this process is gone.
   */
  close(timeoutMs = 2000): Promise<WriterSummary | undefined> {
    this.#closed ??= new Promise((resolve) => {
      for (const [key, pending] of [...this.#pending]) this.settle(key, pending.provisional);
      this.#record(++this.#seq, { kind: 'end', at: new Date().toISOString() });
      this.flush();
      this.#closing = true;
      const finish = (summary: WriterSummary | undefined): void => {
        clearTimeout(timer);
        this.#journal.close(summary !== undefined && this.#posted.size === 0 && !this.#late);
        resolve(summary);
      };
      const timer = setTimeout(() => {
        void this.#worker.terminate();
        finish(undefined);
      }, timeoutMs);
      if (this.#exited) return finish(undefined);
      this.#onClosed = finish;
      this.#worker.once('exit', () => finish(undefined));
      this.#worker.postMessage({ type: 'close' } satisfies ToWorker);
    });
    return this.#closed;
  }
}

/** The writer thread: one transaction per batch (with what the spool holds), or a spool file. */
async function runWriter(data: WriterData): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const { openStore } = await import('../store/database.ts');
  const { applySessionEvents } = await import('./apply-events.ts');
  const { applyClaims, claimSpool, finishClaims, isBusy, releaseClaims, writeBatch } = await import('./spool.ts');
  const { parseRecords } = await import('./session-events.ts');
  type Store = import('../store/database.ts').Store;
  type Numbered = import('./session-events.ts').Numbered;

  const me = data.session;
  let store: Store | undefined;
  let written = 0;
  let spooled = 0;
  let batchFiles = 0;
  let retry: NodeJS.Timeout | undefined;
  /** Spool files this writer could not apply (not the database's fault): left to recoverSpool. */
  const skip = new Set<string>();

  const open = (): Store | undefined => {
    if (store !== undefined) return store;
    try {
      // No creating a database here: a missing one is the user's to create (`mcp-warden scan`, `mcp add`).
      if (!fs.existsSync(path.join(data.dataDir, 'warden.db'))) return undefined;
      store = openStore(data.dataDir);
      store.db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
      return store;
    } catch {
      store = undefined;
      return undefined;
    }
  };

  /** Whether the last attempt left spool files it could have taken (a transaction takes a few MB at most). */
  let more = false;
  /** Own events (null: none) and what the spool holds, in one transaction; false when the database would not take them. */
  const tryWrite = (own: Numbered[] | null): boolean => {
    const s = open();
    if (s === undefined) return false;
    const claims = claimSpool(data.dataDir, me, { skip, maxFiles: 16, maxBytes: 2 << 20 });
    more = claims.length >= 16;
    if (own === null && claims.length === 0) return true;
    const commit = (withClaims: typeof claims) => s.db.transaction(() => {
      applyClaims(s.db, withClaims);
      if (own !== null) applySessionEvents(s.db, me, own);
    }).immediate();
    try {
      commit(claims);
      finishClaims(claims);
      return true;
    } catch (error) {
      releaseClaims(claims);
      if (claims.length === 0 || isBusy(error)) return false;
    }
    // Not the lock: one of the files is bad. Leave them to recoverSpool, which isolates it.
    for (const claim of claims) skip.add(claim.name);
    try {
      commit([]);
      return true;
    } catch {
      return false;
    }
  };

  const scheduleRetry = (): void => {
    retry ??= setTimeout(() => {
      retry = undefined;
      if (!tryWrite(null) || more) scheduleRetry();
    }, RETRY_MS);
  };

  const onEvents = (batch: number, lines: string): void => {
    const own = parseRecords(lines).events;
    if (own.length === 0) return void port.postMessage({ type: 'durable', batch } satisfies FromWorker);
    if (tryWrite(own)) {
      written += own.length;
      if (more) scheduleRetry();
    } else {
      try {
        writeBatch(data.dataDir, me, ++batchFiles, [Math.min(...own.map((e) => e.seq)), Math.max(...own.map((e) => e.seq))], lines);
        spooled += own.length;
      } catch {
        // Not durable here: the journal still holds the batch (the sink keeps it there).
        scheduleRetry();
        return;
      }
      scheduleRetry();
    }
    port.postMessage({ type: 'durable', batch } satisfies FromWorker);
  };

  // What earlier sessions left goes in as soon as the database takes it.
  if (!tryWrite(null) || more) scheduleRetry();
  port.on('message', (message: ToWorker) => {
    if (message.type === 'events') return onEvents(message.batch, message.lines);
    if (retry !== undefined) clearTimeout(retry);
    store?.close();
    port.postMessage({ type: 'closed', written, spooled } satisfies FromWorker);
    port.close();
  });
}

const given = workerData as Partial<WriterData> | null;
if (!isMainThread && given?.role === WORKER_ROLE) void runWriter(given as WriterData);
