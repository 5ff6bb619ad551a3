/**
 * One MCP session over any transport: initialize, then list what the server declares, page by page,
 * each step under a time limit and raced against the transport's own faults (process exited, byte
 * cap reached). Definitions are kept exactly as the server sent them: the SDK's typed list helpers
 * parse with zod objects that drop unknown fields, which would hide a changed field from a pin, so
 * lists are requested raw and checked here, and the raw initialize result is read off the wire.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { McpError, type JSONRPCMessage, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Definition, ProbeSuccess } from '../api/probe.ts';
import { errorText, ProbeStop } from './failure.ts';
import { MAX_LIST_ENTRIES } from './list-limit.ts';

const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;
const METHOD_NOT_FOUND = -32601;

export const CLIENT_INFO = { name: 'mcp-warden', version: '0.1.0' };

export interface SessionOptions {
  /** `Server "notes"`: how messages name the server. */
  label: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxPages: number;
  signal?: AbortSignal | undefined;
  /** Resolves with a stop when the transport fails on its own (exit, byte cap, ...). */
  fault: Promise<ProbeStop>;
  /**
   * Turns an error thrown by the SDK into a stop, for errors that only the transport understands
   * (HTTP statuses, an exited process). May wait briefly for the transport's fault to arrive.
   */
  explain: (error: unknown, step: string) => Promise<ProbeStop | undefined>;
  /** The stop for a step that ran out of time. */
  timedOut: (step: string, ms: number) => ProbeStop;
}

export type SessionResult = Omit<ProbeSuccess, 'stderr' | 'duration_ms'>;

/**
 * Records the raw `initialize` result as it crosses the wire, before the SDK parses (and trims) it.
 * Everything else passes through untouched.
 */
export class InitializeTap implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  result: Record<string, unknown> | undefined;
  readonly #inner: Transport;
  #initializeId: RequestId | undefined;

  constructor(inner: Transport) {
    this.#inner = inner;
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      if (this.#initializeId !== undefined && 'id' in message && message.id === this.#initializeId && 'result' in message) {
        this.result = message.result as Record<string, unknown>;
      }
      this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ('method' in message && message.method === 'initialize' && 'id' in message) this.#initializeId = message.id;
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Runs `work` until it settles, the transport faults, time runs out or the caller aborts. */
export function within<T>(work: Promise<T>, ms: number, onTimeout: () => ProbeStop, fault: Promise<ProbeStop>, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    const onAbort = (): void => reject(new ProbeStop('failed', 'The probe was cancelled before it finished.'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
    void fault.then((stop) => {
      done();
      reject(stop);
    });
  });
}

/** Connects, initializes, lists, and returns what the server said. Throws a `ProbeStop` on any failure. */
export async function runSession(transport: Transport, options: SessionOptions): Promise<SessionResult> {
  const tap = new InitializeTap(transport);
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  client.onerror = () => {}; // transport noise (a log line on stdout, a dropped SSE stream) is judged by its effect
  let step = 'initialize';
  try {
    // The SDK's own timeout only covers the request; `within` also covers `start()`, which for legacy
    // SSE waits for an `endpoint` event that a hostile server may never send.
    await within(client.connect(tap, { timeout: options.connectTimeoutMs + 1000 }), options.connectTimeoutMs, () => options.timedOut('initialize', options.connectTimeoutMs), options.fault, options.signal);
    const init = tap.result;
    if (init === undefined) throw new ProbeStop('protocol_error', `${options.label} answered initialize with something MCP Warden could not read.`);
    const capabilities = isObject(init.capabilities) ? init.capabilities : {};
    const serverInfo = isObject(init.serverInfo) ? init.serverInfo : {};
    const server: SessionResult['server'] = { name: String(serverInfo.name ?? ''), version: String(serverInfo.version ?? '') };
    if (typeof serverInfo.title === 'string') server.title = serverInfo.title;

    const list = async (method: string, key: string, required: string): Promise<Definition[]> => {
      step = method;
      return listAll(client, method, key, required, options);
    };
    const tools = 'tools' in capabilities ? await list('tools/list', 'tools', 'name') : [];
    const prompts = 'prompts' in capabilities ? await list('prompts/list', 'prompts', 'name') : [];
    const resources = 'resources' in capabilities ? await list('resources/list', 'resources', 'uri') : [];
    let resourceTemplates: Definition[] = [];
    if ('resources' in capabilities) {
      try {
        resourceTemplates = await list('resources/templates/list', 'resourceTemplates', 'uriTemplate');
      } catch (error) {
        // Many servers with plain resources never implemented templates: that is not a failure.
        if (!(error instanceof McpError && error.code === METHOD_NOT_FOUND)) throw error;
      }
    }
    return {
      ok: true,
      server,
      protocol_version: String(init.protocolVersion ?? ''),
      capabilities,
      instructions: typeof init.instructions === 'string' ? init.instructions : null,
      tools,
      prompts,
      resources,
      resource_templates: resourceTemplates,
    };
  } catch (error) {
    throw await toStop(error, step, options);
  }
}

async function toStop(error: unknown, step: string, options: SessionOptions): Promise<ProbeStop> {
  if (error instanceof ProbeStop) return error;
  const explained = await options.explain(error, step);
  if (explained !== undefined) return explained;
  const { label } = options;
  if (error instanceof McpError) {
    if (error.code === REQUEST_TIMEOUT) {
      return options.timedOut(step, step === 'initialize' ? options.connectTimeoutMs : options.requestTimeoutMs);
    }
    if (error.code === CONNECTION_CLOSED) {
      return new ProbeStop('protocol_error', `${label} closed the connection during ${step}: check that it is an MCP server and see its log.`);
    }
    const what = error.message.replace(/^MCP error -?\d+: /, '');
    return new ProbeStop('protocol_error', `${label} answered ${step} with error ${error.code} (${errorText(what)}): it may not implement MCP correctly.`);
  }
  if (error instanceof z.ZodError || (error instanceof Error && error.name === 'ZodError')) {
    return new ProbeStop('protocol_error', `${label} answered ${step} with a result that does not follow the MCP schema: it may not be an MCP server, or speaks another version.`);
  }
  if (error instanceof Error && /protocol version is not supported/i.test(error.message)) {
    return new ProbeStop('protocol_error', `${label} asked for an MCP protocol version this version of MCP Warden does not support (${errorText(error.message.replace(/^.*supported:\s*/, ''))}): update MCP Warden or the server.`);
  }
  return new ProbeStop('failed', `Probing ${label.replace(/^Server/, 'server')} failed during ${step} (${errorText(error)}).`);
}

const PageSchema = z.record(z.string(), z.unknown());

/** Every entry of one list, following `nextCursor` until the server stops giving one. */
async function listAll(client: Client, method: string, key: string, required: string, options: SessionOptions): Promise<Definition[]> {
  const items: Definition[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= options.maxPages) {
      throw new ProbeStop('protocol_error', `${options.label} kept returning more pages of ${key} after ${options.maxPages}, so MCP Warden stopped asking: it may be paginating without end.`);
    }
    const request = { method, params: cursor === undefined ? {} : { cursor } } as Parameters<Client['request']>[0];
    const result = await within(
      client.request(request, PageSchema, { timeout: options.requestTimeoutMs + 1000 }),
      options.requestTimeoutMs,
      () => options.timedOut(method, options.requestTimeoutMs),
      options.fault,
      options.signal,
    );
    const entries = result[key];
    if (!Array.isArray(entries)) {
      throw new ProbeStop('protocol_error', `${options.label} answered ${method} without a "${key}" list: it does not follow the MCP schema.`);
    }
    entries.forEach((entry: unknown, index) => {
      if (!isObject(entry) || typeof entry[required] !== 'string') {
        throw new ProbeStop('protocol_error', `${options.label} sent entry ${items.length + index} of its ${key} without a "${required}" string: it does not follow the MCP schema.`);
      }
    });
    if (items.length + entries.length > MAX_LIST_ENTRIES) {
      throw new ProbeStop('protocol_error', `${options.label} listed more than ${MAX_LIST_ENTRIES.toLocaleString('en-US')} ${key}, far more than any real server, so MCP Warden stopped reading: it may be trying to exhaust memory.`);
    }
    // One by one: a spread of a hostile page's hundred thousand entries overflows the call stack.
    for (const entry of entries as Definition[]) items.push(entry);
    const next = result.nextCursor;
    if (next === undefined || next === null || next === '') return items;
    if (typeof next !== 'string') {
      throw new ProbeStop('protocol_error', `${options.label} answered ${method} with a nextCursor that is not a string: it does not follow the MCP schema.`);
    }
    if (cursors.has(next)) {
      throw new ProbeStop('protocol_error', `${options.label} sent the same ${key} page cursor twice, which would page forever: it has a pagination bug.`);
    }
    cursors.add(next);
    cursor = next;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
