/**
 * What an endpoint of `/api/v1` is, and the one way any client turns an endpoint and its arguments
 * into a request line. The table of endpoints is ./endpoints.ts; the server attaches handlers to its
 * entries (server/route.ts `handle`), the UI client and the SDK call through them. Plain data and
 * types: no zod, no DOM, no Node, so the SDK bundle stays dependency-free.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What an endpoint takes and answers, as types only. */
export interface Shape {
  query?: object;
  body?: unknown;
  response: unknown;
}

export interface Endpoint<M extends HttpMethod = HttpMethod, P extends string = string, S extends Shape = Shape> {
  /** Its key in ENDPOINTS (`listServers`). */
  readonly name: string;
  readonly method: M;
  /** Under `/api/v1`, `:name` for a path parameter (find-my-way's syntax, as the server routes it). */
  readonly path: P;
  /** No authentication (health only). */
  readonly public?: true;
  /** Only over HTTP (the event stream): the desktop app's in-process dispatcher answers 404. */
  readonly httpOnly?: true;
  /** Types only: never set at run time. */
  readonly shape?: S;
}

type ParamNames<P extends string> = P extends `${string}:${infer Name}/${infer Rest}` ? Name | ParamNames<`/${Rest}`> : P extends `${string}:${infer Name}` ? Name : never;

/** `{id: string}` for `/mcp-servers/:id`. */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string | number };

type ShapeOf<E> = E extends Endpoint<HttpMethod, string, infer S> ? S : never;
type PathOf<E> = E extends Endpoint<HttpMethod, infer P, Shape> ? P : never;

/** The arguments of a call: path parameters when the path has any, the query and the body when the endpoint takes them. */
export type CallArgs<E extends Endpoint> = ([ParamNames<PathOf<E>>] extends [never] ? { params?: undefined } : { params: PathParams<PathOf<E>> }) &
  ('query' extends keyof ShapeOf<E> ? { query?: ShapeOf<E>['query'] } : { query?: undefined }) &
  ('body' extends keyof ShapeOf<E> ? { body?: ShapeOf<E>['body'] } : { body?: undefined });

export type ResponseOf<E extends Endpoint> = ShapeOf<E>['response'];

/** The types of an endpoint, for `endpoint()`: `shape<{ body: X; response: Y }>()`. Nothing at run time. */
export const shape = <S extends Shape>(): S => undefined as unknown as S;

/** One endpoint; its name is stamped by `defineEndpoints`. */
export function endpoint<M extends HttpMethod, P extends string, S extends Shape>(method: M, path: P, _shape: S, flags: { public?: true; httpOnly?: true } = {}): Endpoint<M, P, S> {
  return { name: '', method, path, ...flags };
}

/** The table, each entry named by its key. */
export function defineEndpoints<T extends Record<string, Endpoint>>(table: T): { readonly [K in keyof T]: T[K] & { readonly name: K } } {
  for (const [name, entry] of Object.entries(table)) (entry as { name: string }).name = name;
  return table as { readonly [K in keyof T]: T[K] & { readonly name: K } };
}

/** `?a=1&b=x` from the defined, non-empty values (empty string: no filter), or ''. */
export function queryString(query: object | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The path under `/api/v1` with its parameters filled in (each encoded as one segment) and the query appended. */
export function requestPath<E extends Endpoint>(endpoint: E, args: CallArgs<E>): string {
  const params = (args.params ?? {}) as Record<string, string | number | undefined>;
  const path = endpoint.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`${endpoint.method} ${endpoint.path} needs the path parameter ${name}.`);
    return encodeURIComponent(String(value));
  });
  return `${path}${queryString(args.query ?? undefined)}`;
}
