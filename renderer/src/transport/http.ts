/**
 * The web transport (`mcp-warden serve`): same-origin fetch to `/api/v1` with the session cookie, and
 * server-sent events from `/api/v1/events`. The server names every SSE frame by its event type
 * (`event: alert`), so each type needs its own listener: `onmessage` only sees unnamed frames.
 */
import type { HttpMethod, TransportResponse, WardenTransport } from '../../../core/api/client.ts';
import type { ApiEvent } from '../../../core/api/rest.ts';

const EVENT_TYPES: readonly ApiEvent['type'][] = ['alert', 'registry', 'scan', 'probe', 'changed'];

export function httpTransport(base = '/api/v1'): WardenTransport {
  return {
    async request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse> {
      const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
      if (body !== undefined) {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, init);
      } catch {
        return { status: 503, body: { error: { code: 'unavailable', message: 'MCP Warden is not answering: is `mcp-warden serve` still running?' } } };
      }
      const type = response.headers.get('content-type') ?? '';
      const parsed: unknown = type.includes('json') ? await response.json().catch(() => undefined) : await response.text();
      return { status: response.status, body: parsed };
    },

    subscribe(listener: (event: ApiEvent) => void, onStatus?: (connected: boolean) => void): () => void {
      const source = new EventSource(`${base}/events`, { withCredentials: true });
      const handle = (message: MessageEvent<string>): void => {
        try {
          listener(JSON.parse(message.data) as ApiEvent);
        } catch {
          // A frame that is not JSON is not an event of ours; the next one will be.
        }
      };
      for (const type of EVENT_TYPES) source.addEventListener(type, handle);
      source.onopen = () => onStatus?.(true);
      // EventSource reconnects by itself (the server sends `retry:`); a 401 closes it for good.
      source.onerror = () => onStatus?.(false);
      return () => source.close();
    },
  };
}
