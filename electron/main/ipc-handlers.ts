// What the IPC handlers do, without Electron: check the sender frame, check the payload's shape,
// then hand the request to the in-process dispatcher. index.ts registers these with ipcMain; tests
// call them directly under plain Node with the same arguments Electron would pass.
import type { HttpMethod, TransportResponse } from '../../core/api/client.ts';
import type { ApiErrorBody } from '../../core/api/rest.ts';
import type { IpcRequest } from '../shared/ipc.ts';
import { isAllowedSender } from './ipc-guard.ts';

export const IPC_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export interface Dispatch {
  request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse>;
}

/** Thrown for a call from any page but the app's own renderer. Electron passes the message to the caller. */
export class UntrustedSenderError extends Error {
  constructor(url: string) {
    super(`MCP Warden refused an IPC call from an unexpected page: ${url || '(unknown frame)'}`);
    this.name = 'UntrustedSenderError';
  }
}

export function assertTrustedSender(frameUrl: string | undefined, allowedUrl: string): void {
  if (!isAllowedSender(frameUrl ?? '', allowedUrl)) throw new UntrustedSenderError(frameUrl ?? '');
}

function invalid(message: string, field: string): { ok: false; response: TransportResponse } {
  const body: ApiErrorBody = { error: { code: 'invalid_input', message, field } };
  return { ok: false, response: { status: 400, body } };
}

/**
 * The request's shape, or the 400 answer the REST API would give for it. Only the envelope is
 * checked here; the dispatcher holds the body to plain JSON within the REST API's size limit.
 */
export function parseIpcRequest(payload: unknown): { ok: true; request: IpcRequest } | { ok: false; response: TransportResponse } {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return invalid('An IPC request must be an object with method, path and body.', 'request');
  }
  const { method, path, body } = payload as Record<string, unknown>;
  if (typeof method !== 'string' || !(IPC_METHODS as readonly string[]).includes(method)) {
    return invalid(`The method must be one of ${IPC_METHODS.join(', ')}.`, 'method');
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    return invalid('The path must be an API path starting with "/", such as /mcp-servers.', 'path');
  }
  return { ok: true, request: { method: method as HttpMethod, path, ...(body === undefined ? {} : { body }) } };
}

/** `warden:request`: sender check first, then shape, then the dispatcher. */
export async function handleRequest(frameUrl: string | undefined, allowedUrl: string, payload: unknown, dispatch: Dispatch): Promise<TransportResponse> {
  assertTrustedSender(frameUrl, allowedUrl);
  const parsed = parseIpcRequest(payload);
  if (!parsed.ok) return parsed.response;
  const { method, path, body } = parsed.request;
  return dispatch.request(method, path, body);
}

/**
 * The per-window event subscriptions of `warden:subscribe`: a window is either subscribed or not,
 * and is dropped when its web contents are destroyed.
 */
export class Subscriptions<Target> {
  readonly #targets = new Set<Target>();

  /** Returns true when the call changed anything. Throws for an untrusted sender. */
  set(frameUrl: string | undefined, allowedUrl: string, target: Target, on: unknown): boolean {
    assertTrustedSender(frameUrl, allowedUrl);
    if (typeof on !== 'boolean') return false;
    const had = this.#targets.has(target);
    if (on) this.#targets.add(target);
    else this.#targets.delete(target);
    return had !== on;
  }

  remove(target: Target): void {
    this.#targets.delete(target);
  }

  has(target: Target): boolean {
    return this.#targets.has(target);
  }

  forEach(callback: (target: Target) => void): void {
    for (const target of this.#targets) callback(target);
  }
}
