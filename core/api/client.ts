/**
 * The typed client the UI talks to: one interface, two transports. In `mcp-warden serve` the
 * transport is HTTP (fetch + server-sent events, renderer/src/transport/http.ts); in the desktop app
 * it is the preload bridge (IPC to the main process, which runs the same route handlers in-process,
 * renderer/src/transport/ipc.ts). Every method maps to one REST endpoint (`/api/v1` + path), so the
 * REST API, the IPC bridge and the UI can never disagree about a shape. No DOM, no fetch, no Node
 * here: only the mapping from method to request.
 */
import type { Alert } from './alert.ts';
import type { AttachResult, SecureResult, ServerPolicies } from './launcher.ts';
import type { ProbeResult } from './probe.ts';
import type {
  AuditVerifyResponse,
  ClientView,
  ListAlertsParams,
  ListAuditParams,
  ListServersParams,
  ProbeResponse,
  ScanResponse,
  SettingsResponse,
  ToolsResponse,
  VerifyResponse,
  AgentView,
  ApiErrorCode,
  AttachRequest,
  DetachRequest,
  SetPolicyRequest,
  ToolCallView,
  ApiEvent,
  ApiKeyInfo,
  AttestResponse,
  AuditPage,
  CreatedApiKey,
  Page,
  PatchServerRequest,
  RegisterServerRequest,
  SeenLaunch,
  ServerView,
  TrustResponse,
} from './rest.ts';
import type { SecretInfo } from './secret.ts';

// Moved to ./rest/ with their resources; still exported here for the UI.
export type {
  AuditVerifyResponse,
  ClientConfigView,
  ClientView,
  ConfigFinding,
  ListAlertsParams,
  ListAuditParams,
  ListServersParams,
  ProbeResponse,
  ScanResponse,
  SettingsResponse,
  ToolsResponse,
  VerifyResponse,
} from './rest.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a transport answers for one request: the status and the parsed JSON body (or text for non-JSON). */
export interface TransportResponse {
  status: number;
  body: unknown;
}

/** The only thing a transport does: carry a request to `/api/v1<path>` and events back. */
export interface WardenTransport {
  request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse>;
  /** Calls `listener` for every ApiEvent until the returned function is called. */
  subscribe(listener: (event: ApiEvent) => void, onStatus?: (connected: boolean) => void): () => void;
}

/** An error answer of the API, as the UI shows it: one sentence, and the field at fault when there is one. */
export class WardenClientError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly field: string | undefined;

  constructor(status: number, code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'WardenClientError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export interface WardenClient {
  listServers(params?: ListServersParams): Promise<Page<ServerView>>;
  getServer(id: string): Promise<ServerView>;
  registerServer(body: RegisterServerRequest): Promise<ServerView>;
  patchServer(id: string, body: PatchServerRequest): Promise<ServerView>;
  removeServer(id: string): Promise<ServerView>;
  probeServer(id: string, body?: { consent?: boolean; timeout_seconds?: number; seen?: SeenLaunch }): Promise<ProbeResponse>;
  approveServer(id: string, body?: { seen?: SeenLaunch }): Promise<ServerView>;
  attestServer(id: string, body?: { public_key?: string; attestation_data?: Record<string, unknown>; signature?: string }): Promise<AttestResponse>;
  verifyServer(id: string): Promise<VerifyResponse>;
  trust(id: string): Promise<TrustResponse>;
  tools(id: string): Promise<ToolsResponse>;

  /** Write the server into a client's config as an entry that runs `mcp-warden run` (backup kept). */
  attachServer(id: string, body: AttachRequest): Promise<AttachResult>;
  /** Restore the plain entry (or remove it with `remove: true`). */
  detachServer(id: string, body: DetachRequest): Promise<AttachResult>;
  /** Move the server's plaintext config secrets to the OS keychain; the entry then runs through the launcher. */
  secureServer(id: string): Promise<{ items: SecureResult[] }>;
  getPolicy(id: string): Promise<ServerPolicies>;
  setPolicy(id: string, body: SetPolicyRequest): Promise<ServerPolicies>;
  /** The newest `tool.called` audit events of the server, newest first. */
  toolCalls(id: string, params?: { limit?: number }): Promise<{ items: ToolCallView[] }>;

  listAgents(): Promise<{ items: AgentView[] }>;
  getAgent(id: string): Promise<AgentView>;
  linkAgentServer(agent: string, server: string): Promise<AgentView>;
  unlinkAgentServer(agent: string, server: string): Promise<AgentView>;

  listAlerts(params?: ListAlertsParams): Promise<Page<Alert>>;
  getAlert(id: number): Promise<Alert>;
  acknowledgeAlert(id: number): Promise<Alert>;
  resolveAlert(id: number): Promise<Alert>;

  listAudit(params?: ListAuditParams): Promise<AuditPage>;
  verifyAudit(): Promise<AuditVerifyResponse>;

  listSecrets(): Promise<{ items: SecretInfo[] }>;
  /** The value goes straight to the OS keychain; it is never answered back. */
  addSecret(body: { name: string; value: string; description?: string }): Promise<SecretInfo>;
  removeSecret(name: string): Promise<SecretInfo>;

  getSettings(): Promise<SettingsResponse>;
  setSetting(key: string, value: string): Promise<SettingsResponse>;

  listClients(): Promise<{ items: ClientView[] }>;
  scanNow(): Promise<ScanResponse>;

  listApiKeys(): Promise<{ items: ApiKeyInfo[] }>;
  createApiKey(name: string): Promise<CreatedApiKey>;
  revokeApiKey(name: string): Promise<ApiKeyInfo>;

  subscribe(listener: (event: ApiEvent) => void, onStatus?: (connected: boolean) => void): () => void;
}

const seg = encodeURIComponent;

function query(params: object | undefined): string {
  if (params === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') parts.push(`${seg(key)}=${seg(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** The one implementation of WardenClient, over any transport. */
export function createWardenClient(transport: WardenTransport): WardenClient {
  async function call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const response = await transport.request(method, path, body);
    if (response.status >= 200 && response.status < 300) return response.body as T;
    const error = (response.body as { error?: { code?: ApiErrorCode; message?: string; field?: string } } | undefined)?.error;
    throw new WardenClientError(response.status, error?.code ?? 'internal', error?.message ?? `The request failed with status ${response.status}.`, error?.field);
  }
  return {
    listServers: (p) => call('GET', `/mcp-servers${query(p)}`),
    getServer: (id) => call('GET', `/mcp-servers/${seg(id)}`),
    registerServer: (body) => call('POST', '/mcp-servers', body),
    patchServer: (id, body) => call('PATCH', `/mcp-servers/${seg(id)}`, body),
    removeServer: (id) => call('DELETE', `/mcp-servers/${seg(id)}`),
    probeServer: (id, body = {}) => call('POST', `/mcp-servers/${seg(id)}/probe`, body),
    approveServer: (id, body = {}) => call('POST', `/mcp-servers/${seg(id)}/approve`, body),
    attestServer: (id, body = {}) => call('POST', `/mcp-servers/${seg(id)}/attest`, body),
    verifyServer: (id) => call('POST', `/mcp-servers/${seg(id)}/verify`, {}),
    trust: (id) => call('GET', `/mcp-servers/${seg(id)}/trust`),
    tools: (id) => call('GET', `/mcp-servers/${seg(id)}/tools`),

    attachServer: (id, body) => call('POST', `/mcp-servers/${seg(id)}/attach`, body),
    detachServer: (id, body) => call('POST', `/mcp-servers/${seg(id)}/detach`, body),
    secureServer: (id) => call('POST', `/mcp-servers/${seg(id)}/secure`, {}),
    getPolicy: (id) => call('GET', `/mcp-servers/${seg(id)}/policy`),
    setPolicy: (id, body) => call('PUT', `/mcp-servers/${seg(id)}/policy`, body),
    toolCalls: (id, p) => call('GET', `/mcp-servers/${seg(id)}/tool-calls${query(p)}`),

    listAgents: () => call('GET', '/agents'),
    getAgent: (id) => call('GET', `/agents/${seg(id)}`),
    linkAgentServer: (agent, server) => call('POST', `/agents/${seg(agent)}/mcp-servers/${seg(server)}`, {}),
    unlinkAgentServer: (agent, server) => call('DELETE', `/agents/${seg(agent)}/mcp-servers/${seg(server)}`),

    listAlerts: (p) => call('GET', `/alerts${query(p)}`),
    getAlert: (id) => call('GET', `/alerts/${id}`),
    acknowledgeAlert: (id) => call('POST', `/alerts/${id}/acknowledge`, {}),
    resolveAlert: (id) => call('POST', `/alerts/${id}/resolve`, {}),

    listAudit: (p) => call('GET', `/audit${query(p)}`),
    verifyAudit: () => call('GET', '/audit/verify'),

    listSecrets: () => call('GET', '/secrets'),
    addSecret: (body) => call('POST', '/secrets', body),
    removeSecret: (name) => call('DELETE', `/secrets/${seg(name)}`),

    getSettings: () => call('GET', '/settings'),
    setSetting: (key, value) => call('PUT', `/settings/${seg(key)}`, { value }),

    listClients: () => call('GET', '/clients'),
    scanNow: () => call('POST', '/scan', {}),

    listApiKeys: () => call('GET', '/api-keys'),
    createApiKey: (name) => call('POST', '/api-keys', { name }),
    revokeApiKey: (name) => call('DELETE', `/api-keys/${seg(name)}`),

    subscribe: (listener, onStatus) => transport.subscribe(listener, onStatus),
  };
}

export type { ProbeResult };
