/**
 * The request pipeline of `mcp-warden serve`, in this order:
 *
 * 1. Host: only the names this server is bound to (403; DNS rebinding).
 * 2. Origin: a browser request from any other origin is refused, preflights included (403). No CORS
 *    header is ever sent, so no other page can read an answer either.
 * 3. Another site: `Sec-Fetch-Site: cross-site | same-site` or a foreign Referer is refused (403),
 *    before anything counts as a failed authentication (cross-site.ts).
 * 4. Route: unknown API paths are a JSON 404, a known path with another method a 405.
 * 5. Authentication (all but /health): `Authorization: Bearer <credential>`, an API key (`mcpw_`)
 *    or the web UI's session (`mcpws_`, sessions.ts). No cookie is read. Failed attempts are
 *    counted per client (rate-limit.ts); a valid credential always passes.
 * 6. Body: JSON only, at most 1 MiB (413); malformed JSON is a 400 giving the position only.
 * 7. The handler, which calls the engine; a WardenError becomes its HTTP status.
 *
 * Steps 4 to 7 are `answer()` in routing.ts, which the desktop app's dispatcher (dispatch.ts) runs
 * too; this file adds what only HTTP has: Host, Origin, other sites, authentication, reading the
 * body, the login exchange and the web UI.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCookie, stringifySetCookie } from 'cookie';
import { API_PREFIX } from '../core/api/rest.ts';
import { authenticateApiKey } from '../core/api-keys/api-keys.ts';
import { allowedHosts, allowedOrigins, type Binding } from './binding.ts';
import { readJsonBody } from './body.ts';
import { crossSiteRefusal } from './cross-site.ts';
import { EventHub, watchExternalWrites } from './events.ts';
import { clientKey, FailureLimiter } from './rate-limit.ts';
import { ApiError, sendError, sendJson } from './respond.ts';
import { STREAMED, type Caller, type Services } from './route.ts';
import { ROUTES } from './routes/index.ts';
import { answer, createServices, routeTable, type ApiOptions } from './routing.ts';
import { isSessionSecret, LEGACY_SESSION_COOKIE, Sessions } from './sessions.ts';
import { defaultUiDir, serveWebUi, serveWebUiPage } from './web-ui.ts';

export { ROUTES };

export interface AppOptions extends ApiOptions {
  /** The renderer build to serve; default `out/renderer` in the package. */
  uiDir?: string;
}

const UNAUTHORIZED = { 'WWW-Authenticate': 'Bearer realm="mcp-warden"' };

export class WardenApp {
  readonly hub = new EventHub();
  readonly sessions = new Sessions();
  readonly #limiter = new FailureLimiter();
  readonly #services: Services;
  readonly #stopping = new AbortController();
  readonly #stopPolling: () => void;
  readonly #uiDir: string;
  #hosts: ReadonlySet<string> = new Set();
  #origins: ReadonlySet<string> = new Set();

  constructor(options: AppOptions) {
    this.#services = createServices(options, this.hub, this.#stopping.signal);
    this.#uiDir = options.uiDir ?? defaultUiDir();
    this.#stopPolling = watchExternalWrites(options.store.db, this.hub);
  }

  /** Sets the names this server answers to, once the socket is bound. Until then every request is refused. */
  bind(binding: Binding): void {
    this.#hosts = allowedHosts(binding);
    this.#origins = allowedOrigins(binding, this.#hosts);
  }

  get services(): Services {
    return this.#services;
  }

  /** The `request` listener of the http(s) server. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#clearLegacyCookie(req, res);
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
    const foreign = crossSiteRefusal(req.headers, method, path, this.#origins);
    if (foreign !== undefined) throw foreign;

    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return this.#api(req, res, method, url);
    if (path.startsWith('/api/')) throw new ApiError('not_found', `No API endpoint at ${path}: the API is under ${API_PREFIX}.`);
    if (path === '/login' && method === 'POST') return this.#login(req, res);
    if (method !== 'GET' && method !== 'HEAD') throw new ApiError('method_not_allowed', `${method} is not supported on ${path}: the web UI is read with GET.`, { headers: { Allow: path === '/login' ? 'GET, HEAD, POST' : 'GET, HEAD' } });
    // The login page is the app itself: it reads the token from the fragment (`#token=`), which never reaches us.
    if (path === '/login') return serveWebUiPage(req, res, this.#uiDir);
    serveWebUi(req, res, path, this.#uiDir, url);
  }

  async #api(req: IncomingMessage, res: ServerResponse, method: string, url: string): Promise<void> {
    const result = await answer(routeTable(), this.#services, {
      method,
      url,
      http: { req, res },
      admit: (route) => (route.endpoint.public === true ? null : this.#authenticate(req)),
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
    // Sent already, or the client went away (an aborted upload): nobody is left to answer.
    if (res.headersSent || req.socket.destroyed) {
      res.destroy();
      return;
    }
    // An error sent before the request body was read: close the connection rather than read it.
    if (result.status >= 400 && !req.complete) res.setHeader('Connection', 'close');
    sendJson(res, result.status, result.body, 'headers' in result ? result.headers : undefined);
  }

  /**
   * Who sends this request: `Authorization: Bearer` with an API key or a web UI session. A valid
   * credential always passes; a wrong one counts against its client (429 once that is spent); no
   * credential at all is no guess and counts nothing.
   */
  #authenticate(req: IncomingMessage): Caller {
    const authorization = req.headers.authorization;
    if (authorization === undefined) {
      throw new ApiError('unauthorized', 'Send an API key as "Authorization: Bearer <key>" (create one with `mcp-warden api-key create --name NAME`), or open the login link `mcp-warden serve` printed.', { headers: UNAUTHORIZED });
    }
    const credential = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization)?.[1];
    let caller: Caller | null = null;
    if (credential !== undefined && isSessionSecret(credential)) caller = this.sessions.check(credential) ? { kind: 'session' } : null;
    else if (credential !== undefined) {
      const key = authenticateApiKey(this.#services.store.db, credential);
      caller = key === null ? null : { kind: 'key', name: key.name };
    }
    if (caller !== null) return caller;
    this.#failed(req);
    if (credential === undefined) throw new ApiError('unauthorized', 'The Authorization header must be "Bearer <key>".', { headers: UNAUTHORIZED });
    if (isSessionSecret(credential)) throw new ApiError('unauthorized', 'The session has ended: open the login link `mcp-warden serve` printed (restart serve for a new one).', { headers: UNAUTHORIZED });
    throw new ApiError('unauthorized', 'The API key is not valid: it is unknown or was revoked.', { headers: UNAUTHORIZED });
  }

  /** Counts a failed attempt of this request's client; once its attempts are spent, this one is a 429. */
  #failed(req: IncomingMessage): void {
    const client = clientKey(req.socket.remoteAddress);
    const wait = this.#limiter.fail(client);
    if (wait > 0) {
      const who = client === 'loopback' ? 'this machine' : client;
      throw new ApiError('rate_limited', `Too many failed authentication attempts from ${who}: try again in ${wait} s.`, { headers: { 'Retry-After': String(wait) } });
    }
  }

  /**
   * `POST /login` `{"token"}`: the page at `/login#token=…` trades the one-time token for a session
   * secret, which it keeps in its own memory (and sessionStorage, to survive a reload) and sends as
   * a Bearer credential. Same origin only: a browser sends Origin with every POST, and the other
   * checks (Host, Origin, other sites) ran before this.
   */
  async #login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req);
    const token = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).token : undefined;
    if (typeof token !== 'string' || Object.keys(body as object).length !== 1) throw new ApiError('invalid_input', 'Send the login token as {"token": "…"}: the part of the login link after #token=.', { field: 'token' });
    const session = this.sessions.redeem(token);
    if (session === undefined) {
      this.#failed(req);
      throw new ApiError('forbidden', 'This login link is not valid: it is unknown, expired (after 10 minutes) or was already used. Restart `mcp-warden serve` for a new one.', { field: 'token' });
    }
    sendJson(res, 200, { session });
  }

  /** Earlier versions kept the session in a cookie, which every port of this host received: drop it. */
  #clearLegacyCookie(req: IncomingMessage, res: ServerResponse): void {
    const cookie = req.headers.cookie;
    if (cookie === undefined || !(LEGACY_SESSION_COOKIE in parseCookie(cookie))) return;
    res.setHeader('Set-Cookie', stringifySetCookie({ name: LEGACY_SESSION_COOKIE, value: '', maxAge: 0, path: '/', httpOnly: true, sameSite: 'strict' }));
  }

  /** Ends every event stream and long operation; the caller closes the listening socket and the store. */
  close(): void {
    this.#stopping.abort();
    this.#stopPolling();
    this.hub.close();
  }
}
