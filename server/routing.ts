/**
 * The one path from a request to its answer, shared by `serve` (HTTP, app.ts) and the desktop app
 * (in-process, dispatch.ts): find the route (404 or 405), admit the caller (HTTP authenticates here),
 * take the body, run the handler, and turn any error into its status and `{"error": ...}` body. What
 * differs between the two lives in the `Exchange` each passes in, never in a second copy of this.
 */
import FindMyWay from 'find-my-way';
import type { Notifier } from '../core/alerts/notifier.ts';
import type { PlatformEnv } from '../core/api/discovery.ts';
import { API_PREFIX } from '../core/api/rest.ts';
import type { Keychain } from '../core/secrets/keychain.ts';
import type { Store } from '../core/store/database.ts';
import type { EventHub } from './events.ts';
import { ApiError, errorAnswer, type ErrorAnswer } from './respond.ts';
import { ResponseCache } from './response-cache.ts';
import { STREAMED, type ApiRequest, type Caller, type Method, type Reply, type Route, type Services } from './route.ts';
import { ROUTES } from './routes/index.ts';

export const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** The methods that change something: they carry a body. */
export const CHANGES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Found {
  route: Route;
  params: Record<string, string | undefined>;
  query: ApiRequest['query'];
}

/** The routes of the API under `/api/v1`, looked up by method and URL. */
export class RouteTable {
  readonly #router = FindMyWay({ ignoreTrailingSlash: true, maxParamLength: 500 });

  constructor(routes: readonly Route[]) {
    for (const route of routes) this.#router.on(route.endpoint.method, `${API_PREFIX}${route.endpoint.path}`, () => undefined, route);
  }

  /** What the router holds, as method and `/api/v1/...` path (test/api/endpoint-table.test.ts compares it with the endpoint table). */
  registered(): { method: string; path: string; route: Route }[] {
    // find-my-way keeps its routes on `routes` but does not declare it.
    const { routes } = this.#router as unknown as { routes: { method: string; path: string; store: Route }[] };
    return routes.map((r) => ({ method: r.method, path: r.path, route: r.store }));
  }

  /**
   * The route for `method` and `url` (`/api/v1/...?query`), or a 404 / 405 naming what exists.
   * In-process (`http: false`) the HTTP-only routes (the event stream) do not exist.
   */
  find(method: string, url: string, path: string, http: boolean): Found {
    const lookup = (m: Method) => {
      const found = this.#router.find(m, url);
      return found === null || (!http && (found.store as Route).endpoint.httpOnly === true) ? null : found;
    };
    const found = METHODS.includes(method as Method) ? lookup(method as Method) : null;
    if (found === null) {
      const allowed = METHODS.filter((m) => lookup(m) !== null);
      if (allowed.length > 0) throw new ApiError('method_not_allowed', `${method} is not supported on ${path}: use ${allowed.join(' or ')}.`, { headers: { Allow: allowed.join(', ') } });
      const streamed = !http && this.#router.find('GET', url) !== null;
      throw new ApiError('not_found', streamed ? `No endpoint at ${path} in the desktop app: its events arrive through the event subscription.` : `No API endpoint at ${path}.`);
    }
    return { route: found.store as Route, params: found.params, query: found.searchParams as ApiRequest['query'] };
  }
}

/** The route table, built once per process (find-my-way compiles it). */
let table: RouteTable | undefined;
export const routeTable = (): RouteTable => (table ??= new RouteTable(ROUTES));

/** What the API needs from the process hosting it: `serve` (AppOptions adds the web UI) or the desktop app. */
export interface ApiOptions {
  store: Store;
  keychain: Keychain;
  /** Where client configs are looked for, and the PATH commands resolve on. */
  where: PlatformEnv;
  env: Record<string, string | undefined>;
  /** Where relative commands in a registration resolve. */
  cwd: string;
  /** Where high and critical alerts raised by API actions (and POST /scan) go besides the events. */
  notifier?: Notifier;
}

/** The services every handler gets, one set per server or desktop app. */
export function createServices(options: ApiOptions, hub: EventHub, stopping: AbortSignal): Services {
  return {
    store: options.store,
    keychain: options.keychain,
    hub,
    scan: { store: options.store, env: options.env, where: options.where, notifier: options.notifier },
    // Command lines registered or changed here wait for a person's confirmation (core/probe/consent.ts).
    register: { cwd: options.cwd, env: options.env, fromApi: true },
    stopping,
    listCache: new ResponseCache(),
  };
}

/** How one caller's request reaches the shared path. */
export interface Exchange {
  /** As requested; HEAD is looked up as GET. */
  method: string;
  /** `/api/v1/<path>?<query>` */
  url: string;
  /** The HTTP exchange, when there is one. */
  http?: ApiRequest['http'];
  /** Called once the route is known, before the body is taken: HTTP authenticates here. Answers who asks (null on a public route). */
  admit: (route: Route) => Caller | null;
  /** The parsed body of a change; asked for only after admit. */
  body: () => unknown;
  /** The request's abort signal, built only when a handler asks for it (probes). */
  signal: () => AbortSignal;
}

export type Answer = Reply | ErrorAnswer | typeof STREAMED;

/** Route, admit, body, handler, error mapping: the answer to one request, never a throw. */
export async function answer(table: RouteTable, services: Services, exchange: Exchange): Promise<Answer> {
  const query = exchange.url.indexOf('?');
  const path = query === -1 ? exchange.url : exchange.url.slice(0, query);
  try {
    const found = table.find(exchange.method === 'HEAD' ? 'GET' : exchange.method, exchange.url, path, exchange.http !== undefined);
    const caller = exchange.admit(found.route);
    const body = CHANGES.has(exchange.method) ? await exchange.body() : undefined;
    let signal: AbortSignal | undefined;
    const request: ApiRequest = {
      caller,
      http: exchange.http,
      get signal() {
        return (signal ??= exchange.signal());
      },
      params: found.params,
      query: found.query,
      search: query === -1 ? '' : exchange.url.slice(query + 1),
      body,
    };
    return await found.route.handler(request, services);
  } catch (error) {
    return errorAnswer(error, `${exchange.method} ${path}`);
  }
}
