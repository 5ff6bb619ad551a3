/**
 * A typed client for the local REST API (`mcp-warden serve`). No dependencies: it uses the
 * platform's `fetch`, so it runs in Node 18+, Deno, Bun and browsers alike.
 */
import type { AgentView, ApiErrorBody, ApiErrorCode, AttestResponse, Page, ServerView, TrustResponse } from '../core/api/rest.ts';
// Kept after the type import so the declaration file keeps this header (tsc drops a header attached to an elided import).
import { requestPath, type CallArgs, type Endpoint, type ResponseOf } from '../core/api/endpoint.ts';
import { ENDPOINTS } from '../core/api/endpoints.ts';
import { WardenApiError, WardenConfigError, WardenConnectionError } from './errors.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ClientOptions {
  /** The API's address; default `MCP_WARDEN_URL`, else http://127.0.0.1:8080. With or without `/api/v1`. */
  url?: string;
  /** An API key from `mcp-warden api-key create`; default `MCP_WARDEN_API_KEY`. */
  apiKey?: string;
  /** Give up on a request after this many milliseconds (default 30 s; attest and probe may take longer). */
  timeoutMs?: number;
  /** For tests and unusual runtimes. */
  fetch?: typeof fetch;
}

/** What `registerMcp` / `registerServer` send: the dashboards' fields, plus the daemon model's launch fields. */
export interface RegisterMcpInput {
  serverName: string;
  /** `stdio://<serverName>` or an http(s) URL. */
  serverUrl: string;
  capabilities?: string[];
  displayName?: string;
  description?: string;
  command?: string;
  args?: string[];
  /** Values may hold `{{secret:NAME}}` handles; never put a secret value here. */
  env?: Record<string, string>;
}

export interface AttestInput {
  /** The publisher's key, `ed25519:<base64>`. */
  publicKey?: string;
  /** What the publisher signed, e.g. `{ version: "1.2.0", checksum: "sha256:<hex>" }`. */
  attestationData?: Record<string, unknown> & { checksum?: string };
  /** The publisher's Ed25519 signature (base64) over the canonical JSON of `attestationData`. */
  signature?: string;
}

const env = (name: string): string | undefined => (typeof process !== 'undefined' ? process.env?.[name] : undefined) || undefined;

/** The API root (`.../api/v1`) from what a user may write: a bare origin, or the API path itself. */
export function apiRoot(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WardenConfigError(`MCP_WARDEN_URL ${JSON.stringify(raw)} is not a URL: use something like http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WardenConfigError(`MCP_WARDEN_URL ${JSON.stringify(raw)} must start with http:// or https://.`);
  const base = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${base.endsWith('/api/v1') ? base : `${base}/api/v1`}`;
}

export class WardenClient {
  readonly root: string;
  readonly #key: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.root = apiRoot(options.url ?? env('MCP_WARDEN_URL') ?? DEFAULT_URL);
    const key = options.apiKey ?? env('MCP_WARDEN_API_KEY');
    if (key === undefined || key.trim() === '') {
      throw new WardenConfigError('No API key: set MCP_WARDEN_API_KEY (create one with `mcp-warden api-key create --name <name>`) or pass { apiKey }.');
    }
    this.#key = key.trim();
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** One API call; throws WardenApiError with the API's message on an error answer. */
  async request<T>(method: string, path: string, body?: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const url = `${this.root}${path}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.#key}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
      });
    } catch (error) {
      const why = (error as Error).name === 'TimeoutError' ? `no answer within ${Math.round((options.timeoutMs ?? this.#timeoutMs) / 1000)} s` : ((error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      throw new WardenConnectionError(this.root, `Cannot reach MCP Warden at ${this.root} (${why}): is \`mcp-warden serve\` running there?`, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new WardenConnectionError(this.root, `${method} ${url} answered ${response.status} with something that is not JSON: is ${this.root} an MCP Warden API?`);
    }
    if (!response.ok) {
      const error = (parsed as Partial<ApiErrorBody> | undefined)?.error;
      if (error === undefined || typeof error.message !== 'string') throw new WardenConnectionError(this.root, `${method} ${url} answered ${response.status} without an MCP Warden error body.`);
      throw new WardenApiError(response.status, error.code as ApiErrorCode, error.message, error.field);
    }
    return parsed as T;
  }

  /**
   * One entry of the endpoint table (core/api/endpoints.ts: plain data), the one the
   * server's routes are attached to: its path filled in from `args`, through `request`.
   */
  #call<E extends Endpoint>(endpoint: E, args: CallArgs<E>, options?: { timeoutMs?: number }): Promise<ResponseOf<E>> {
    return this.request<ResponseOf<E>>(endpoint.method, requestPath(endpoint, args), args.body, options);
  }

  registerServer(input: RegisterMcpInput): Promise<ServerView> {
    return this.#call(ENDPOINTS.registerServer, {
      body: {
        name: input.serverName,
        server_url: input.serverUrl,
        ...(input.displayName === undefined ? {} : { display_name: input.displayName }),
        ...(input.description === undefined ? {} : { description: input.description }),
        ...(input.capabilities === undefined ? {} : { capabilities: input.capabilities }),
        ...(input.command === undefined ? {} : { command: input.command }),
        ...(input.args === undefined ? {} : { args: input.args }),
        ...(input.env === undefined ? {} : { env_template: input.env }),
      },
    });
  }

  getServer(idOrName: string): Promise<ServerView> {
    return this.#call(ENDPOINTS.getServer, { params: { id: idOrName } });
  }

  listServers(query: { q?: string; limit?: number; offset?: number } = {}): Promise<Page<ServerView>> {
    return this.#call(ENDPOINTS.listServers, { query });
  }

  registerAgent(input: { name: string; displayName?: string; description?: string }): Promise<AgentView> {
    return this.#call(ENDPOINTS.registerAgent, {
      body: {
        name: input.name,
        ...(input.displayName === undefined ? {} : { display_name: input.displayName }),
        ...(input.description === undefined ? {} : { description: input.description }),
      },
    });
  }

  getAgent(idOrName: string): Promise<AgentView> {
    return this.#call(ENDPOINTS.getAgent, { params: { agentId: idOrName } });
  }

  linkServer(agent: string, server: string): Promise<AgentView> {
    return this.#call(ENDPOINTS.linkAgentServer, { params: { agentId: agent, mcpId: server } });
  }

  unlinkServer(agent: string, server: string): Promise<AgentView> {
    return this.#call(ENDPOINTS.unlinkAgentServer, { params: { agentId: agent, mcpId: server } });
  }

  attest(server: string, input: AttestInput = {}): Promise<AttestResponse> {
    return this.#call(
      ENDPOINTS.attestServer,
      {
        params: { id: server },
        body: {
          ...(input.publicKey === undefined ? {} : { public_key: input.publicKey }),
          ...(input.attestationData === undefined ? {} : { attestation_data: input.attestationData }),
          ...(input.signature === undefined ? {} : { signature: input.signature }),
        },
      },
      // Measuring an npx package may read a large cache.
      { timeoutMs: Math.max(this.#timeoutMs, 120_000) },
    );
  }

  trust(server: string): Promise<TrustResponse> {
    return this.#call(ENDPOINTS.getTrust, { params: { id: server } });
  }
}
