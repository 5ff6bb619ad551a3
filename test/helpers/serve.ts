/**
 * A real `mcp-warden serve` for a test: its own data directory, a fake HOME for client configs, a
 * free loopback port, and an API key made with the CLI the way a user makes one. Stopped (SIGTERM,
 * then SIGKILL) when the test ends.
 *
 *   const served = await startServe(t);
 *   const res = await served.request('GET', '/mcp-servers');   // Bearer key, JSON in and out
 *   served.cli('alerts', '--json');                           // the CLI against the same data
 *
 * Stable API (the SDK tests use it): url, api, key, home, fake, env, loginUrl, child, request(),
 * cli(), output(), stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { TestContext } from 'node:test';
import { BIN, cli, envWith, tempDir, type CliResult } from './cli.ts';
import { fakeHome, waitFor } from './fake-home.ts';

export interface ServeOptions {
  /** The data directory (default: a new temporary one). */
  home?: string;
  /** The fake HOME (default: a new one). */
  fake?: ReturnType<typeof fakeHome>;
  /** More arguments for `serve` (`--no-monitor`, ...). */
  args?: string[];
  /** More environment for the serve process. */
  env?: Record<string, string | undefined>;
  /** Name of the API key to create; false for none (default `t`). */
  keyName?: string | false;
  /** How long to wait for the start-up lines (default 20 s). */
  timeoutMs?: number;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: T;
}

export interface Served {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/api/v1` */
  api: string;
  /** The API key created for the test ('' with keyName: false). */
  key: string;
  /** The data directory (`--home`). */
  home: string;
  fake: ReturnType<typeof fakeHome>;
  /** The environment serve runs with (HOME = the fake home). */
  env: Record<string, string | undefined>;
  /** The one-time login link serve printed. */
  loginUrl: string;
  child: ChildProcess;
  /** A request to `<api><path>` with the key; a body other than a string is sent as JSON. */
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** Runs the CLI against the same data directory and fake HOME. */
  cli(...args: string[]): CliResult;
  output(): { stdout: string; stderr: string };
  /** SIGTERM and wait: the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One request with node:http, sending exactly the headers given (fetch will not send a forged Host,
 * and adds an Origin of its own choosing in browsers): for the Host, Origin and body-size tests.
 * `path` is sent as written, unnormalised.
 */
export function rawRequest(origin: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean }): Promise<RawResponse> {
  const target = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers, setHost: !Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === 'host') }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is sent: that answer is what counts,
    // so a write error waits a moment for it before failing.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') setTimeout(() => reject(error), 5_000).unref();
      else reject(error);
    });
    if (options.body !== undefined) {
      if (options.chunked === true) {
        const body = Buffer.from(options.body);
        for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      } else req.write(options.body);
    }
    req.end();
  });
}

export interface EventStream {
  /** Every event received so far: its `event:` type and parsed `data:`. */
  received: { type: string; data: unknown }[];
  /** The raw text received (comments and `retry:` included). */
  raw(): string;
  /** Waits (bounded) for an event of `type` matching `match`, received since `from` (an index into `received`). */
  next<T = unknown>(type: string, match?: (data: T) => boolean, options?: { from?: number; timeoutMs?: number }): Promise<T>;
  close(): void;
}

/** Connects to `GET /api/v1/events` and collects the server-sent events as they arrive. */
export async function openEvents(served: Pick<Served, 'api' | 'key'>): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(`${served.api}/events`, { headers: { authorization: `Bearer ${served.key}` }, signal: abort.signal });
  if (response.status !== 200 || response.body === null) throw new Error(`GET /events answered ${response.status}: ${await response.text()}`);
  const received: EventStream['received'] = [];
  let text = '';
  let pending = '';
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        const part = decoder.decode(chunk, { stream: true });
        text += part;
        pending += part;
        let end: number;
        while ((end = pending.indexOf('\n\n')) !== -1) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const type = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (type !== undefined && data !== undefined) received.push({ type, data: JSON.parse(data) as unknown });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    received,
    raw: () => text,
    async next<T>(type: string, match: (data: T) => boolean = () => true, options: { from?: number; timeoutMs?: number } = {}) {
      const found = await waitFor(`a "${type}" event`, () => received.slice(options.from ?? 0).find((e) => e.type === type && match(e.data as T)), options.timeoutMs ?? 15_000);
      return found.data as T;
    },
    close: () => abort.abort(),
  };
}

export async function startServe(t: TestContext, options: ServeOptions = {}): Promise<Served> {
  const home = options.home ?? tempDir(t, 'mcp-warden-serve-');
  const fake = options.fake ?? fakeHome(t);
  const env = { ...fake.env, ...options.env };
  const runCli = (...args: string[]) => cli(['--home', home, ...args], { env });
  let key = '';
  if (options.keyName !== false) {
    const created = runCli('api-key', 'create', '--name', options.keyName ?? 't', '--json');
    if (created.code !== 0) throw new Error(`api-key create failed: ${created.stderr}`);
    key = (JSON.parse(created.stdout) as { key: string }).key;
  }

  const child = spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', '0', ...(options.args ?? [])], { env: envWith(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  });

  await waitFor('serve to start', () => stdout.includes('Press Ctrl-C to stop.\n') || child.exitCode !== null, options.timeoutMs ?? 20_000);
  const url = /^MCP Warden API on (https?:\/\/\S+)\/api\/v1$/m.exec(stdout)?.[1];
  const loginUrl = /^Open the web UI: (\S+)$/m.exec(stdout)?.[1];
  if (url === undefined || loginUrl === undefined) throw new Error(`serve did not start (exit ${child.exitCode}):\n${stdout}\n${stderr}`);
  const api = `${url}/api/v1`;

  return {
    url,
    api,
    key,
    home,
    fake,
    env,
    loginUrl,
    child,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: { ...(key === '' ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json: json as T };
    },
    cli: runCli,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}
