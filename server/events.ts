/**
 * Server-sent events for live UIs (`GET /api/v1/events`). One hub per server: the monitor's scans,
 * the routes (registry changes, probe progress, alert changes) and a poller that notices another
 * process writing the database all emit here, and every connected stream receives each event as
 * `event: <type>` plus `data: <ApiEvent JSON>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEvent } from '../core/api/rest.ts';
import type { Db } from '../core/store/database.ts';
import { stmt } from '../core/store/statements.ts';
import { baseHeaders } from './respond.ts';

export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops. */
export const RETRY_MS = 3_000;
/** A client this far behind (it stopped reading) is dropped instead of buffering without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class EventHub {
  readonly #streams = new Set<ServerResponse>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get connections(): number {
    return this.#streams.size;
  }

  emit(event: ApiEvent): void {
    if (this.#streams.size === 0) return;
    this.#write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Turns the response into an event stream that stays open until the client leaves or the hub closes. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...baseHeaders(),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Proxies that buffer responses would hold events back.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n: connected\n\n`);
    this.#streams.add(res);
    const leave = () => this.#streams.delete(res);
    req.on('close', leave);
    res.on('close', leave);
  }

  #write(frame: string): void {
    for (const res of this.#streams) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.#streams.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }
}

/**
 * `PRAGMA data_version` changes when another connection commits to the database (the CLI, the
 * desktop app), never for this connection's own writes; `total_changes()` counts this connection's.
 * Together they name the state of the data as this process sees it.
 */
export function dataVersion(db: Db): string {
  const row = stmt<[], { external: number; own: number }>(db, 'SELECT (SELECT data_version FROM pragma_data_version) AS external, total_changes() AS own').get() as { external: number; own: number };
  return `${row.external}:${row.own}`;
}

const externalVersion = (db: Db): number => (stmt<[], { v: number }>(db, 'SELECT data_version AS v FROM pragma_data_version').get() as { v: number }).v;

/** Emits `changed` whenever another process has written the database, checked every `intervalMs`. */
export function watchExternalWrites(db: Db, hub: EventHub, intervalMs = 500): () => void {
  let last = externalVersion(db);
  const timer = setInterval(() => {
    if (!db.open) return;
    const now = externalVersion(db);
    if (now !== last) {
      last = now;
      hub.emit({ type: 'changed' });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
