/**
 * What a route is: an endpoint of the table in core/api/endpoints.ts (its method, path and flags are
 * that entry's, never written here) and a handler that gets the parsed request and the services of
 * this server, and answers a status and a JSON body (or takes the HTTP response over, as the event
 * stream does). `handle(ENDPOINTS.x, handler)` is the only way to make one. Routes are registered
 * once at start-up and served both over HTTP (app.ts) and in-process to the desktop app
 * (dispatch.ts): a handler sees the HTTP exchange only through `http`, which the in-process path
 * does not have.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { HttpMethod } from '../core/api/endpoint.ts';
import type { DeclaredEndpoint } from '../core/api/endpoints.ts';
import type { PlatformEnv } from '../core/api/discovery.ts';
import { toWardenError } from '../core/api/server-schema.ts';
import type { ScanOptions } from '../core/discovery/scan.ts';
import type { RegisterContext } from '../core/registry/register.ts';
import type { Keychain } from '../core/secrets/keychain.ts';
import type { Store } from '../core/store/database.ts';
import type { EventHub } from './events.ts';
import type { ResponseCache } from './response-cache.ts';

export type Method = HttpMethod;

/** Everything a handler may use. One instance per server; nothing here is per request. */
export interface Services {
  store: Store;
  keychain: Keychain;
  hub: EventHub;
  /** Options for engine calls that scan or approve: the store, PATH, client config locations, the notifier. */
  scan: ScanOptions & { where: PlatformEnv };
  /** Where relative commands in a registration resolve (serve's working directory and environment). */
  register: RegisterContext;
  /** Aborted when the server stops: long operations (probes) end with it. */
  stopping: AbortSignal;
  /** Serialised server list pages. */
  listCache: ResponseCache;
}

/**
 * Who is asking: a program holding an API key, a person in the web UI (its session), or the desktop
 * app's own window. Only a person may confirm a command line that came in through the API
 * (core/probe/consent.ts).
 */
export type Caller = { kind: 'key'; name: string } | { kind: 'session' } | { kind: 'desktop' };

export const isPerson = (caller: Caller | null): boolean => caller !== null && caller.kind !== 'key';

export interface ApiRequest {
  /** Who is asking; null on a public route (health). */
  caller: Caller | null;
  /** The HTTP exchange; absent in-process (the desktop app). Only HTTP-only routes may rely on it. */
  http?: { req: IncomingMessage; res: ServerResponse };
  /** Aborted when the caller goes away (an HTTP client closing its connection) or the server stops. */
  readonly signal: AbortSignal;
  params: Record<string, string | undefined>;
  /** The query string parsed; a repeated parameter is a list. */
  query: Record<string, string | string[]>;
  /** The raw query string (cache key). */
  search: string;
  /** The parsed JSON body; undefined when none was sent. */
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

/** Returned by a handler that wrote the response itself (the event stream). */
export const STREAMED = Symbol('streamed');

export type Handler = (request: ApiRequest, services: Services) => Reply | typeof STREAMED | Promise<Reply | typeof STREAMED>;

export interface Route {
  /** An entry of ENDPOINTS: the method, path (under `/api/v1`), `public` and `httpOnly` come from it. */
  readonly endpoint: DeclaredEndpoint;
  readonly handler: Handler;
}

/** The route of one declared endpoint: `handle(ENDPOINTS.listServers, (r, s) => ...)`. */
export const handle = (endpoint: DeclaredEndpoint, handler: Handler): Route => ({ endpoint, handler });

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** A validated query, or a 400 naming the parameter at fault. */
export function parseQuery<S extends z.ZodType>(schema: S, query: ApiRequest['query']): z.infer<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  throw toWardenError(result.error);
}

/** The body parsed with a schema (a missing body as `{}`), or a 400 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw toWardenError(result.error);
}

/** A path parameter, which find-my-way guarantees for a matched route. */
export const param = (request: ApiRequest, name: string): string => request.params[name] as string;
