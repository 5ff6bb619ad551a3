/**
 * Live events for UIs. One hub per server (or per desktop app): the monitor's scans, the routes
 * (registry changes, probe progress, alert changes) and a poller that notices another process
 * writing the database all emit here. Every connected server-sent event stream (`GET /api/v1/events`)
 * receives each event as `event: <type>` plus `data: <ApiEvent JSON>`; in-process subscribers (the
 * desktop app's main process, which forwards them over IPC) receive the ApiEvent itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEvent } from '../core/api/rest.ts';
import type { ConfigScanResult } from '../core/discovery/scan.ts';
import type { Db } from '../core/store/database.ts';
import { dataVersion, externalVersion } from '../core/store/data-version.ts';
import { baseHeaders } from './respond.ts';

export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting after the stream drops. */
export const RETRY_MS = 3_000;
/** A client this far behind (it stopped reading) is dropped instead of buffering without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class EventHub {
  readonly #streams = new Set<ServerResponse>();
  readonly #listeners = new Set<(event: ApiEvent) => void>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor() {
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  get connections(): number {
    return this.#streams.size;
  }

  emit(event: ApiEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // One failing subscriber (a window that went away) must not keep the event from the others.
        process.stderr.write(`mcp-warden: an event subscriber failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    if (this.#streams.size === 0) return;
    this.#write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /** Calls `listener` with every event until the returned function is called or the hub closes. */
  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
    this.#listeners.clear();
  }
}

/**
 * One config scan (the monitor's or `POST /scan`'s) as events: `scan` when the file's state or
 * findings may have changed, then an `alert` for each alert it opened. Unchanged, deferred and
 * absent (no such file, never seen) configs say nothing new.
 */
export function emitScanResult(hub: EventHub, result: ConfigScanResult): void {
  if (result.state === 'unchanged' || result.state === 'deferred' || result.state === 'absent') return;
  hub.emit({ type: 'scan', client: result.location.client, config_path: result.location.path, state: result.state, opened: result.opened.length, resolved: result.resolved.length });
  for (const alert of result.opened) hub.emit({ type: 'alert', alert });
}

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
