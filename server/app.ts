/**
 * The request pipeline of `mcp-warden serve`, in this order:
 *
 * 1. Host: only the names this server is bound to (403; DNS rebinding).
 * 2. Origin: a browser request from any other origin is refused, preflights included (403). No CORS
 *    header is ever sent, so no other page can read an answer either.
 * 3. Route: unknown API paths are a JSON 404, a known path with another method a 405.
 * 4. Authentication (all but /health): `Authorization: Bearer <key>`, else the web UI's session
 *    cookie; with the cookie a change (POST/PUT/PATCH/DELETE) must also come from our own origin.
 *    Failed attempts are limited per client address (rate-limit.ts).
 * 5. Body: JSON only, at most 1 MiB (413), parsed with the parser's message on failure (400).
 * 6. The handler, which calls the engine; a WardenError becomes its HTTP status.
 *
 * Steps 3 to 6 are `answer()` in routing.ts, which the desktop app's dispatcher (dispatch.ts) runs
 * too; this file adds what only HTTP has: Host, Origin, authentication, reading the body, the web UI.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { API_PREFIX } from '../core/api/rest.ts';
import { authenticateApiKey } from '../core/api-keys/api-keys.ts';
import { allowedHosts, allowedOrigins, type Binding } from './binding.ts';
import { readJsonBody } from './body.ts';
import { EventHub, watchExternalWrites } from './events.ts';
import { FailureLimiter } from './rate-limit.ts';
import { ApiError, baseHeaders, sendError, sendHtml, sendJson } from './respond.ts';
import { STREAMED, type Services } from './route.ts';
import { ROUTES } from './routes/index.ts';
import { answer, CHANGES, createServices, routeTable, type ApiOptions } from './routing.ts';
import { SESSION_COOKIE, Sessions } from './sessions.ts';
import { defaultUiDir, serveWebUi } from './web-ui.ts';

export { ROUTES };

export interface AppOptions extends ApiOptions {
  /** The renderer build to serve; default `out/renderer` in the package. */
  uiDir?: string;
}

type Principal = { kind: 'key'; name: string } | { kind: 'session' };

export class WardenApp {
  readonly hub = new EventHub();
  readonly sessions = new Sessions();
  readonly #limiter = new FailureLimiter();
  readonly #services: Services;
  readonly #stopping = new AbortController();
  readonly #stopPolling: () => void;
  readonly #uiDir: string;
  #binding: Binding | undefined;
  #hosts: ReadonlySet<string> = new Set();
  #origins: ReadonlySet<string> = new Set();

  constructor(options: AppOptions) {
    this.#services = createServices(options, this.hub, this.#stopping.signal);
    this.#uiDir = options.uiDir ?? defaultUiDir();
    this.#stopPolling = watchExternalWrites(options.store.db, this.hub);
  }

  /** Sets the names this server answers to, once the socket is bound. Until then every request is refused. */
  bind(binding: Binding): void {
    this.#binding = binding;
    this.#hosts = allowedHosts(binding);
    this.#origins = allowedOrigins(binding, this.#hosts);
  }

  get services(): Services {
    return this.#services;
  }

  /** The `request` listener of the http(s) server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#dispatch(req, res).catch((error: unknown) => {
      // An answer sent before the request body was read: close the connection rather than read it.
      if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
      sendError(res, error, `${req.method} ${(req.url ?? '').split('?', 1)[0]}`);
    });
  };

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.#hosts.has(host)) {
      throw new ApiError('forbidden', `This server answers only to ${[...this.#hosts].join(', ') || 'its bound address'}, not to the Host ${JSON.stringify(host.slice(0, 100))}.`, { field: 'Host' });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#origins.has(origin.toLowerCase())) {
      throw new ApiError('forbidden', `Requests from other origins are refused: ${JSON.stringify(origin.slice(0, 100))} is not this server's origin.`, { field: 'Origin' });
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') throw new ApiError('forbidden', 'Cross-origin requests are refused: this server answers no CORS preflight.');
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);

    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return this.#api(req, res, method, url);
    if (path.startsWith('/api/')) throw new ApiError('not_found', `No API endpoint at ${path}: the API is under ${API_PREFIX}.`);
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError('method_not_allowed', `${method} is not supported on ${path}: the web UI is read with GET.`, { headers: { Allow: 'GET, HEAD' } });
    if (path === '/login') return this.#login(req, res, url);
    serveWebUi(req, res, path, this.#uiDir, url);
  }

  async #api(req: IncomingMessage, res: ServerResponse, method: string, url: string): Promise<void> {
    const result = await answer(routeTable(), this.#services, {
      method,
      url,
      http: { req, res },
      admit: (route) => {
        if (route.public !== true) this.#authenticate(req, method);
      },
      body: () => readJsonBody(req),
      signal: () => {
        const gone = new AbortController();
        res.on('close', () => {
          if (!res.writableFinished) gone.abort();
        });
        return AbortSignal.any([gone.signal, this.#stopping.signal]);
      },
    });
    if (result === STREAMED) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // An error sent before the request body was read: close the connection rather than read it.
    if (result.status >= 400 && !req.complete) res.setHeader('Connection', 'close');
    sendJson(res, result.status, result.body, 'headers' in result ? result.headers : undefined);
  }

  #authenticate(req: IncomingMessage, method: string): Principal {
    const client = req.socket.remoteAddress ?? '';
    const wait = this.#limiter.retryAfter(client);
    if (wait > 0) {
      throw new ApiError('rate_limited', `Too many failed authentication attempts from ${client}: try again in ${wait} s.`, { headers: { 'Retry-After': String(wait) } });
    }
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
      const key = match === null ? null : authenticateApiKey(this.#services.store.db, match[1] as string);
      if (key === null) {
        this.#limiter.fail(client);
        throw new ApiError('unauthorized', match === null ? 'The Authorization header must be "Bearer <key>".' : 'The API key is not valid: it is unknown or was revoked.', { headers: { 'WWW-Authenticate': 'Bearer realm="mcp-warden"' } });
      }
      return { kind: 'key', name: key.name };
    }
    const session = req.headers.cookie === undefined ? undefined : parseCookie(req.headers.cookie)[SESSION_COOKIE];
    if (session !== undefined) {
      if (!this.sessions.check(session)) {
        this.#limiter.fail(client);
        throw new ApiError('unauthorized', 'The session has ended: open the login link `mcp-warden serve` printed (restart serve for a new one).');
      }
      // SameSite=Strict already keeps the cookie off other sites' requests; a change must also prove it came from our own page.
      if (CHANGES.has(method) && req.headers.origin === undefined && req.headers['sec-fetch-site'] !== 'same-origin') {
        throw new ApiError('forbidden', 'A change made with the session cookie must come from the web UI itself (an Origin header of this server).', { field: 'Origin' });
      }
      return { kind: 'session' };
    }
    throw new ApiError('unauthorized', 'Send an API key as "Authorization: Bearer <key>" (create one with `mcp-warden api-key create --name NAME`).', {
      headers: { 'WWW-Authenticate': 'Bearer realm="mcp-warden"' },
    });
  }

  /** `GET /login?token=`: a one-time token for a session cookie, then on to the UI. */
  #login(req: IncomingMessage, res: ServerResponse, url: string): void {
    const client = req.socket.remoteAddress ?? '';
    const wait = this.#limiter.retryAfter(client);
    if (wait > 0) return sendHtml(res, 429, `<!doctype html><title>Too many attempts</title><p>Too many failed attempts: try again in ${wait} s.</p>\n`, { 'Retry-After': String(wait) });
    const token = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('token');
    const session = token === null || url.indexOf('?') === -1 ? undefined : this.sessions.redeem(token);
    if (session === undefined) {
      this.#limiter.fail(client);
      return sendHtml(res, 403, '<!doctype html><title>Login link not valid</title><h1>This login link is not valid</h1><p>It is unknown, expired (after 10 minutes) or was already used. Restart <code>mcp-warden serve</code> for a new one.</p>\n');
    }
    const cookie = stringifySetCookie({ name: SESSION_COOKIE, value: session, httpOnly: true, sameSite: 'strict', path: '/', secure: this.#binding?.scheme === 'https' });
    res.writeHead(303, { ...baseHeaders(), 'Cache-Control': 'no-store', Location: '/', 'Set-Cookie': cookie, 'Content-Length': '0' });
    res.end();
  }

  /** Ends every event stream and long operation; the caller closes the listening socket and the store. */
  close(): void {
    this.#stopping.abort();
    this.#stopPolling();
    this.hub.close();
  }
}
