/**
 * Where the launcher's events go: never through the relay's thread. The relay queues them in memory
 * (`EventSink`); every 200 ms, or at 256 events, the queue is posted to a worker thread that owns its
 * own database connection and writes each batch in one transaction (audit events, alerts, the drift
 * evaluation the probe uses). When the database is locked or cannot be opened, the worker appends the
 * batch to a spool file in `<data dir>/spool/` instead; the next batch that can be written replays
 * every spool file first (from this run or an earlier one), so the trail catches up on the next
 * launch at the latest. See docs/launcher.md.
 *
 * The worker runs this same module (`new Worker(import.meta.url)`): in the bundled CLI that is the
 * chunk holding it, so no second entry point is needed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Condition } from '../alerts/alert-store.ts';
import type { AuditInput } from '../audit/audit-log.ts';
import type { Definition } from '../api/probe.ts';

export type LauncherEvent =
  | { kind: 'audit'; at: string; event: AuditInput }
  | { kind: 'alert'; at: string; condition: Condition }
  /** A tools/list answer that differs from the pin: evaluated in the worker with the probe's own code. */
  | { kind: 'tools_drift'; at: string; server_id: string; tools: Definition[] };

export const SPOOL_DIR = 'spool';
const FLUSH_MS = 200;
const FLUSH_COUNT = 256;
const WORKER_ROLE = 'mcp-warden-launcher-writer';

interface WriterData {
  role: typeof WORKER_ROLE;
  dataDir: string;
  busyTimeoutMs: number;
}

type ToWorker = { type: 'events'; events: LauncherEvent[] } | { type: 'close' };
type FromWorker = { type: 'closed'; written: number; spooled: number };

/** The relay's side: an in-memory queue handed to the writer thread in batches. */
export class EventSink {
  readonly #worker: Worker;
  #queue: LauncherEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed: Promise<FromWorker | undefined> | undefined;

  constructor(dataDir: string, options: { busyTimeoutMs?: number } = {}) {
    const data: WriterData = { role: WORKER_ROLE, dataDir, busyTimeoutMs: options.busyTimeoutMs ?? 250 };
    this.#worker = new Worker(new URL(import.meta.url), { workerData: data, stdout: true, stderr: false });
    // The writer must never keep the launcher alive, nor crash it.
    this.#worker.unref();
    this.#worker.on('error', (error) => process.stderr.write(`mcp-warden run: the event writer stopped (${error.message}); events of this session after that point are lost.\n`));
  }

  push(event: LauncherEvent): void {
    this.#queue.push(event);
    if (this.#queue.length >= FLUSH_COUNT) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const events = this.#queue;
    this.#queue = [];
    this.#worker.postMessage({ type: 'events', events } satisfies ToWorker);
  }

  /** Hands over what is queued and waits (at most `timeoutMs`) for the writer to finish it. */
  close(timeoutMs = 2000): Promise<FromWorker | undefined> {
    this.#closed ??= new Promise((resolve) => {
      // Records begun and never settled go in as they were begun.
      for (const provisional of this.#pending.values()) this.push(provisional);
      this.#pending.clear();
      this.flush();
      const timer = setTimeout(() => {
        void this.#worker.terminate();
        resolve(undefined);
      }, timeoutMs);
      this.#worker.once('message', (message: FromWorker) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      this.#worker.postMessage({ type: 'close' } satisfies ToWorker);
    });
    return this.#closed;
  }

  // Stub of the write-ahead record (the audit-spool branch brings the durable version): `begin` keeps
  // `provisional` until `settle` replaces it with the final event (or drops it, `null`).
  readonly #pending = new Map<string, LauncherEvent>();
  begin(key: string, provisional: LauncherEvent): void {
    this.#pending.set(key, provisional);
  }
  settle(key: string, final: LauncherEvent | null): void {
    this.#pending.delete(key);
    if (final !== null) this.push(final);
  }
}

/** The files of events written while the database could not take them. */
export function spoolFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, SPOOL_DIR);
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith('.jsonl')).sort().map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** The writer thread: one transaction per batch, or the spool. */
async function runWriter(data: WriterData): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const { openStore } = await import('../store/database.ts');
  const { appendAudit, appendAuditMany } = await import('../audit/audit-log.ts');
  const { syncConditions } = await import('../alerts/alert-store.ts');
  const { evaluateProbe, readPin } = await import('../pins/record.ts');
  const { findServer } = await import('../registry/read.ts');
  type Store = import('../store/database.ts').Store;

  const spoolPath = path.join(data.dataDir, SPOOL_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
  let store: Store | undefined;
  let written = 0;
  let spooled = 0;

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

  /** One event other than an audit event (those are chained in runs by applyAll). */
  const apply = (s: Store, event: Exclude<LauncherEvent, { kind: 'audit' }>): void => {
    const now = new Date(event.at);
    switch (event.kind) {
      case 'alert':
        // Open only (types: []): the launcher sees one condition, never the absence of others.
        syncConditions(s.db, { server_id: event.condition.server_id ?? '', types: [] }, [event.condition], now);
        return;
      case 'tools_drift': {
        const server = findServer(s.db, event.server_id);
        const pin = readPin(s.db, event.server_id);
        if (server === undefined || pin === undefined) return;
        // The relay saw tools only: prompts, resources and instructions are taken from the pin, so the
        // probe's evaluation reports exactly the tools that changed.
        const of = (kind: string) => pin.entries.filter((e) => e.kind === kind).map((e) => e.definition);
        const result = {
          ok: true as const, server: pin.server, protocol_version: pin.protocol_version, capabilities: {}, instructions: pin.instructions,
          tools: event.tools, prompts: of('prompt'), resources: of('resource'), resource_templates: of('resource_template'), stderr: '', duration_ms: 0,
        };
        const drift = evaluateProbe(s.db, server, result).conditions.filter((c) => c.type === 'definition_changed');
        syncConditions(s.db, { server_id: server.id, types: [] }, drift, now);
        return;
      }
    }
  };

  /** Applies events in order; each run of audit events is chained in one appendAuditMany. */
  const applyAll = (s: Store, events: readonly LauncherEvent[]): void => {
    let audits: { input: Parameters<typeof appendAudit>[1]; now: Date }[] = [];
    const flushAudits = () => {
      appendAuditMany(s.db, audits);
      audits = [];
    };
    for (const event of events) {
      if (event.kind === 'audit') audits.push({ input: event.event, now: new Date(event.at) });
      else {
        flushAudits();
        apply(s, event);
      }
    }
    flushAudits();
  };

  const replay = (s: Store): void => {
    for (const file of spoolFiles(data.dataDir)) {
      // Claim the file by renaming it, so two launchers never replay the same events twice.
      const claimed = `${file}.replay-${process.pid}`;
      try {
        fs.renameSync(file, claimed);
      } catch {
        continue;
      }
      const events = fs.readFileSync(claimed, 'utf8').split('\n').filter((l) => l.trim() !== '').flatMap((l) => {
        try {
          return [JSON.parse(l) as LauncherEvent];
        } catch {
          return [];
        }
      });
      try {
        s.db.transaction(() => {
          applyAll(s, events);
          appendAudit(s.db, { actor: 'system', type: 'launcher.spool_replayed', details: { file: path.basename(file), events: events.length } });
        }).immediate();
        fs.rmSync(claimed, { force: true });
        written += events.length;
      } catch (error) {
        fs.renameSync(claimed, file);
        throw error;
      }
    }
  };

  const spool = (events: LauncherEvent[]): void => {
    fs.mkdirSync(path.dirname(spoolPath), { recursive: true, mode: 0o700 });
    fs.appendFileSync(spoolPath, events.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    spooled += events.length;
  };

  const write = (events: LauncherEvent[]): void => {
    const s = open();
    if (s === undefined) return spool(events);
    try {
      replay(s);
      s.db.transaction(() => {
        applyAll(s, events);
      }).immediate();
      written += events.length;
    } catch {
      // Locked (SQLITE_BUSY), read-only, or gone: the events wait in the spool for a later batch.
      spool(events);
    }
  };

  // Events spooled by earlier launches go in as soon as the database takes them.
  const first = open();
  if (first !== undefined) {
    try {
      replay(first);
    } catch {
      // still locked: a later batch retries
    }
  }
  port.on('message', (message: ToWorker) => {
    if (message.type === 'events') write(message.events);
    else {
      store?.close();
      port.postMessage({ type: 'closed', written, spooled } satisfies FromWorker);
      port.close();
    }
  });
}

const given = workerData as Partial<WriterData> | null;
if (!isMainThread && given?.role === WORKER_ROLE) void runWriter(given as WriterData);
