/**
 * The web transport (`mcp-warden serve`): same-origin fetch to `/api/v1` with the session as
 * `Authorization: Bearer` (web-session.ts), and server-sent events from `/api/v1/events` read with
 * fetch (event-stream.ts). The server names every SSE frame by its event type (`event: alert`).
 */
import type { HttpMethod, TransportResponse, WardenTransport } from '../../../core/api/client.ts';
import { ENDPOINTS } from '../../../core/api/endpoints.ts';
import type { ApiEvent } from '../../../core/api/rest.ts';
import { openEventStream } from './event-stream.ts';
import type { WebSession } from './web-session.ts';

const EVENT_TYPES: ReadonlySet<string> = new Set<ApiEvent['type']>(['alert', 'registry', 'scan', 'probe', 'changed']);

const authorization = (secret: string | null): Record<string, string> => (secret === null ? {} : { authorization: `Bearer ${secret}` });

export function httpTransport(session: WebSession, base = '/api/v1'): WardenTransport {
  return {
    async request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse> {
      const secret = await session.credential();
      const problem = session.loginProblem();
      // A refused login link says why, rather than the server's "no credentials".
      if (secret === null && problem !== null) return { status: 401, body: { error: { code: 'unauthorized', message: problem } } };
      const init: RequestInit = { method, credentials: 'omit', cache: 'no-store', headers: { accept: 'application/json', ...authorization(secret) } };
      if (body !== undefined) {
        init.headers = { accept: 'application/json', 'content-type': 'application/json', ...authorization(secret) };
        init.body = JSON.stringify(body);
      }
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, init);
      } catch {
        return { status: 503, body: { error: { code: 'unavailable', message: 'MCP Warden is not answering: is `mcp-warden serve` still running?' } } };
      }
      if (response.status === 401 && secret !== null) session.forget();
      const type = response.headers.get('content-type') ?? '';
      const parsed: unknown = type.includes('json') ? await response.json().catch(() => undefined) : await response.text();
      return { status: response.status, body: parsed };
    },

    subscribe(listener: (event: ApiEvent) => void, onStatus?: (connected: boolean) => void): () => void {
      return openEventStream({
        url: `${base}${ENDPOINTS.events.path}`,
        headers: async () => {
          const secret = await session.credential();
          return secret === null ? null : authorization(secret);
        },
        onFrame: (frame) => {
          if (!EVENT_TYPES.has(frame.event)) return;
          try {
            listener(JSON.parse(frame.data) as ApiEvent);
          } catch {
            // A frame that is not JSON is not an event of ours; the next one will be.
          }
        },
        onStatus,
        onUnauthorized: () => session.forget(),
      });
    },
  };
}
