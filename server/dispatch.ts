/**
 * The REST API in-process, for the desktop app: the Electron main process answers the renderer's
 * `warden:request` IPC calls with `dispatcher.request(method, path, body)`, which runs the same
 * route table, handlers and error mapping as `serve` (routing.ts), so the desktop UI and the web UI
 * can never see different shapes. What HTTP adds is not here: no Host, Origin or authentication (the
 * main process checks which frame sent the IPC message instead), and no event stream (`GET /events`
 * is a 404: events reach the main process through `hub.subscribe`).
 *
 * Bodies arrive already parsed, by structured clone from the renderer, which can carry values JSON
 * cannot (dates, maps, typed arrays, cycles): they are held to what a JSON body could be, and to the
 * same size limit, before a handler sees them.
 *
 *   const dispatcher = createDispatcher({ store, keychain: new OsKeychain(store.installId), where, env: process.env, cwd, notifier });
 *   ipcMain.handle(IPC_CHANNELS.request, (e, r: IpcRequest) => dispatcher.request(r.method, r.path, r.body));
 *   const stop = dispatcher.hub.subscribe((event) => window.webContents.send(IPC_CHANNELS.event, event));
 */
import type { TransportResponse } from '../core/api/client.ts';
import { API_PREFIX, MAX_BODY_BYTES } from '../core/api/rest.ts';
import { EventHub, watchExternalWrites } from './events.ts';
import { refuseProtoKeys } from './proto-keys.ts';
import { ApiError, errorAnswer } from './respond.ts';
import { STREAMED } from './route.ts';
import { answer, createServices, routeTable, type ApiOptions } from './routing.ts';

/** Deeper than any request shape; a cycle ends here too. */
const MAX_DEPTH = 64;
/** Longer than any path and query the UI builds (a `q` is at most 200 characters). */
const MAX_PATH_LENGTH = 8192;

export interface Dispatcher {
  /** `/api/v1<path>` (path with its query, e.g. `/mcp-servers?q=git`) as the REST API answers it: status and JSON body. */
  request(method: string, path: string, body?: unknown): Promise<TransportResponse>;
  /** Every ApiEvent: `hub.subscribe(listener)` returns the function that stops it. */
  readonly hub: EventHub;
  /** Ends long operations (probes), stops watching for other processes' writes, ends subscriptions. Does not close the store. */
  close(): void;
}

const notJson = () => new ApiError('invalid_input', 'The request body must be JSON data: objects, lists, strings, finite numbers, true, false and null only.', { field: 'body' });

/** Throws unless `value` is exactly what JSON.parse could have produced. */
function assertPlainJson(value: unknown, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notJson();
    return;
  }
  if (typeof value !== 'object' || depth > MAX_DEPTH) throw notJson();
  if (Array.isArray(value)) {
    for (const item of value) assertPlainJson(item, depth + 1);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw notJson();
  for (const item of Object.values(value)) assertPlainJson(item, depth + 1);
}

/** The body as the HTTP path would have parsed it: plain JSON within the size limit, as a fresh copy. */
function jsonBody(body: unknown): unknown {
  if (body === undefined) return undefined;
  assertPlainJson(body, 0);
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ApiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB.`, { field: 'body' });
  const copy = JSON.parse(text) as unknown;
  refuseProtoKeys(copy);
  return copy;
}

/** A handler's body as the HTTP client would parse it: serialised bytes (the list cache) or any JSON value. */
const asJson = (body: unknown): unknown => (Buffer.isBuffer(body) ? JSON.parse(body.toString('utf8')) : body === undefined ? undefined : JSON.parse(JSON.stringify(body)));

export function createDispatcher(options: ApiOptions): Dispatcher {
  const hub = new EventHub();
  const stopping = new AbortController();
  const services = createServices(options, hub, stopping.signal);
  const stopPolling = watchExternalWrites(options.store.db, hub);

  async function request(method: string, path: string, body?: unknown): Promise<TransportResponse> {
    try {
      if (stopping.signal.aborted) throw new ApiError('unavailable', 'MCP Warden is shutting down: the request was not carried out.');
      if (typeof method !== 'string' || !/^[A-Z]{3,7}$/.test(method)) throw new ApiError('invalid_input', 'The method must be GET, POST, PUT, PATCH or DELETE.', { field: 'method' });
      if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_PATH_LENGTH) {
        throw new ApiError('invalid_input', `The path must start with "/" and be at most ${MAX_PATH_LENGTH} characters (e.g. /mcp-servers).`, { field: 'path' });
      }
    } catch (error) {
      const refused = errorAnswer(error);
      return { status: refused.status, body: refused.body };
    }
    const result = await answer(routeTable(), services, {
      method,
      url: `${API_PREFIX}${path}`,
      // The main process answers only its own window's frame: the person at the desktop app.
      admit: () => ({ kind: 'desktop' }),
      body: () => jsonBody(body),
      signal: () => stopping.signal,
    });
    // Only HTTP-only routes stream, and they are not found here.
    if (result === STREAMED) throw new Error(`${method} ${path} tried to stream in-process.`);
    return { status: result.status, body: asJson(result.body) };
  }

  return {
    request,
    hub,
    close() {
      stopping.abort();
      stopPolling();
      hub.close();
    },
  };
}
