/**
 * Probing over HTTP: Streamable HTTP first, legacy SSE when that answers 4xx (the fallback the MCP
 * specification describes for servers from before 2025-03-26), SSE directly for `sse` definitions.
 * Every response body passes through a counting fetch, so an endless stream hits the byte cap.
 */
import { STATUS_CODES } from 'node:http';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { bytes, duration, errorText, ProbeStop } from './failure.ts';
import { runSession, type SessionResult } from './session.ts';

export interface HttpProbeInput {
  label: string;
  /** The definition's URL exactly as registered (for messages). */
  url: URL;
  /** Headers with secret handles already filled in. */
  headers: Record<string, string>;
  transport: 'http' | 'sse';
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxBytes: number;
  maxPages: number;
  signal?: AbortSignal | undefined;
}

/** Bytes received over the whole probe, shared by both attempts. */
class ByteBudget {
  used = 0;
  readonly max: number;
  readonly tripped: Promise<void>;
  #trip!: () => void;
  #isTripped = false;

  constructor(max: number) {
    this.max = max;
    this.tripped = new Promise((resolve) => {
      this.#trip = resolve;
    });
  }

  get isTripped(): boolean {
    return this.#isTripped;
  }

  /** Counts `n` bytes; false (and tripped for good) once past the cap. */
  take(n: number): boolean {
    this.used += n;
    if (this.used > this.max && !this.#isTripped) {
      this.#isTripped = true;
      this.#trip();
    }
    return !this.#isTripped;
  }
}

/** A fetch whose response bodies are counted against `budget`; past it the body stream errors. */
function countingFetch(budget: ByteBudget): FetchLike {
  return async (url, init) => {
    if (budget.isTripped) throw new Error('The byte cap for this probe is used up.');
    const response = await fetch(url, init);
    if (response.body === null || (response.status >= 300 && response.status < 400)) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          if (budget.take(chunk.byteLength)) controller.enqueue(chunk);
          else controller.error(new Error(`The server sent more than ${bytes(budget.max)}.`));
        },
      }),
    );
    const wrapped = new Response(counted, { status: response.status, statusText: response.statusText, headers: response.headers });
    // The SDK and the EventSource read these off the response when describing redirects.
    Object.defineProperty(wrapped, 'url', { value: response.url });
    Object.defineProperty(wrapped, 'redirected', { value: response.redirected });
    return wrapped;
  };
}

export async function probeHttp(input: HttpProbeInput): Promise<SessionResult> {
  const budget = new ByteBudget(input.maxBytes);
  if (input.transport === 'sse') return attempt('sse', input, budget);
  try {
    return await attempt('streamable', input, budget);
  } catch (error) {
    const status = error instanceof ProbeStop ? error.details.http_status : undefined;
    if (status === undefined || status < 400 || status > 499) throw error;
    // A 4xx to the Streamable HTTP POST: the server may speak the older HTTP+SSE transport.
    try {
      return await attempt('sse', input, budget);
    } catch (fallback) {
      throw combine(input, status, fallback);
    }
  }
}

/** The failure after both transports failed: the more useful HTTP status wins. */
function combine(input: HttpProbeInput, streamableStatus: number, fallback: unknown): unknown {
  if (!(fallback instanceof ProbeStop)) return fallback;
  const sseStatus = fallback.details.http_status;
  if (fallback.category !== 'http_status' || sseStatus === undefined) {
    if (fallback.category === 'timeout' || fallback.category === 'too_much_output') return fallback;
    return new ProbeStop(
      'http_status',
      `${input.label} at ${shown(input.url)} answered HTTP ${statusText(streamableStatus)} to Streamable HTTP and the legacy SSE attempt failed too (${fallback.message.replace(/\.$/, '')}): check the URL and the server's transport.`,
      { http_status: streamableStatus },
    );
  }
  // Authentication problems are the actionable cause; otherwise report what the SSE attempt got.
  const status = streamableStatus === 401 || streamableStatus === 403 ? streamableStatus : sseStatus;
  return new ProbeStop('http_status', `${input.label} at ${shown(input.url)} answered HTTP ${statusText(streamableStatus)} to Streamable HTTP and HTTP ${statusText(sseStatus)} to legacy SSE: ${advice(status)}.`, { http_status: status });
}

async function attempt(kind: 'streamable' | 'sse', input: HttpProbeInput, budget: ByteBudget): Promise<SessionResult> {
  const fetchImpl = countingFetch(budget);
  const requestInit = { headers: input.headers };
  const transport: Transport =
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(input.url, { requestInit, fetch: fetchImpl, reconnectionOptions: { initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1, maxRetries: 0 } })
      : new SSEClientTransport(input.url, { requestInit, fetch: fetchImpl });
  const tooMuch = (): ProbeStop =>
    new ProbeStop('too_much_output', `${input.label} at ${shown(input.url)} sent more than ${bytes(input.maxBytes)}, so MCP Warden cut it off: a server this chatty is broken or hostile.`);
  const fault = budget.tripped.then(tooMuch);
  try {
    return await runSession(transport, {
      label: input.label,
      connectTimeoutMs: input.connectTimeoutMs,
      requestTimeoutMs: input.requestTimeoutMs,
      maxPages: input.maxPages,
      signal: input.signal,
      fault,
      explain: async (error) => (budget.isTripped ? tooMuch() : explainHttpError(error, input, kind)),
      timedOut: (step, ms) =>
        new ProbeStop(
          'timeout',
          step === 'initialize'
            ? `${input.label} at ${shown(input.url)} did not answer initialize over ${kind === 'sse' ? 'legacy SSE' : 'Streamable HTTP'} within ${duration(ms)}: check that an MCP server is listening there, or allow a longer connect timeout.`
            : `${input.label} did not answer ${step} within ${duration(ms)}: it may be overloaded or hung.`,
        ),
    });
  } finally {
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
      // Polite: end the session on the server (bounded, errors ignored).
      await Promise.race([transport.terminateSession().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
    await transport.close().catch(() => {});
  }
}

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EADDRNOTAVAIL|UND_ERR_CONNECT/;

function explainHttpError(error: unknown, input: HttpProbeInput, kind: 'streamable' | 'sse'): ProbeStop | undefined {
  const who = `${input.label} at ${shown(input.url)}`;
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400) {
    return new ProbeStop('http_status', `${who} answered HTTP ${statusText(status)}: ${advice(status)}.`, { http_status: status });
  }
  const text = causeChain(error);
  if (UNREACHABLE.test(text)) {
    const code = UNREACHABLE.exec(text)?.[0];
    return new ProbeStop('not_found', `${who} could not be reached (${code}): check the URL and that the server is running.`);
  }
  if (error instanceof StreamableHTTPError && error.code === -1) {
    return new ProbeStop('protocol_error', `${who} answered with a content type that is not MCP (${errorText(error.message.replace(/^.*Unexpected content type:\s*/, ''))}): check that the URL is the server's MCP endpoint.`);
  }
  if (error instanceof SseError && /content type/i.test(error.message)) {
    return new ProbeStop('protocol_error', `${who} did not answer with an event stream, so it is not a legacy SSE MCP endpoint: check the URL.`);
  }
  if (status !== undefined && status >= 300 && status < 400) {
    return new ProbeStop('http_status', `${who} redirected (HTTP ${statusText(status)}) somewhere MCP Warden will not follow: register the final URL instead.`, { http_status: status });
  }
  if (kind === 'sse' && error instanceof SseError) {
    return new ProbeStop('protocol_error', `${who} broke off the legacy SSE connection (${errorText(error.message.replace(/^SSE error:\s*/, ''))}): check the URL and the server's log.`);
  }
  return undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code > 0) return error.code;
  if (error instanceof SseError && typeof error.code === 'number' && error.code > 0 && error.code !== 200) return error.code;
  // The SSE transport's POST failures are plain errors with the status in the text.
  const match = error instanceof Error ? /\(HTTP (\d{3})\)/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const e = current as { message?: unknown; code?: unknown; cause?: unknown };
    parts.push(String(e.message ?? current), String(e.code ?? ''));
    current = e.cause;
  }
  return parts.join(' ');
}

/** The URL as messages show it: no credentials, query or fragment (they may hold keys). */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text === undefined ? String(status) : `${status} ${text}`;
}

function advice(status: number): string {
  if (status === 401 || status === 403) return 'check the headers the server needs (an API key or token, perhaps a secret that is out of date)';
  if (status === 404 || status === 405) return "check that the URL is the server's MCP endpoint";
  if (status >= 500) return 'the server failed; try again later or see its log';
  return 'check the URL and the headers';
}
