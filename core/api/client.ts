/**
 * The typed client the UI talks to: one interface, two transports. In `mcp-warden serve` the
 * transport is HTTP (fetch + server-sent events, renderer/src/transport/http.ts); in the desktop app
 * it is the preload bridge (IPC to the main process, which runs the same route handlers in-process,
 * renderer/src/transport/ipc.ts). Every method is one entry of the endpoint table (./endpoints.ts,
 * the one the server's routes are attached to), so the REST API, the IPC bridge and the UI can never
 * disagree about a method, a path or a shape. No DOM, no fetch, no Node here: only the mapping from
 * method to endpoint.
 */
import type { Alert } from './alert.ts';
import { requestPath, type CallArgs, type Endpoint, type HttpMethod, type ResponseOf } from './endpoint.ts';
import { ENDPOINTS } from './endpoints.ts';
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

export type { HttpMethod };

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

/** Changes carry a body: `{}` when the call has none (as the server's parsers expect a JSON object). */
const CARRIES_BODY: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH']);

/** The one implementation of WardenClient, over any transport: every method is one entry of ENDPOINTS. */
export function createWardenClient(transport: WardenTransport): WardenClient {
  async function call<E extends Endpoint>(endpoint: E, args: CallArgs<E>): Promise<ResponseOf<E>> {
    const body = args.body ?? (CARRIES_BODY.has(endpoint.method) ? {} : undefined);
    const response = await transport.request(endpoint.method, requestPath(endpoint, args), body);
    if (response.status >= 200 && response.status < 300) return response.body as ResponseOf<E>;
    const error = (response.body as { error?: { code?: ApiErrorCode; message?: string; field?: string } } | undefined)?.error;
    throw new WardenClientError(response.status, error?.code ?? 'internal', error?.message ?? `The request failed with status ${response.status}.`, error?.field);
  }
  const E = ENDPOINTS;
  return {
    listServers: (query) => call(E.listServers, { query }),
    getServer: (id) => call(E.getServer, { params: { id } }),
    registerServer: (body) => call(E.registerServer, { body }),
    patchServer: (id, body) => call(E.patchServer, { params: { id }, body }),
    removeServer: (id) => call(E.removeServer, { params: { id } }),
    probeServer: (id, body = {}) => call(E.probeServer, { params: { id }, body }),
    approveServer: (id, body = {}) => call(E.approveServer, { params: { id }, body }),
    attestServer: (id, body = {}) => call(E.attestServer, { params: { id }, body }),
    verifyServer: (id) => call(E.verifyServer, { params: { id } }),
    trust: (id) => call(E.getTrust, { params: { id } }),
    tools: (id) => call(E.getTools, { params: { id } }),

    attachServer: (id, body) => call(E.attachServer, { params: { id }, body }),
    detachServer: (id, body) => call(E.detachServer, { params: { id }, body }),
    secureServer: (id) => call(E.secureServer, { params: { id } }),
    getPolicy: (id) => call(E.getPolicy, { params: { id } }),
    setPolicy: (id, body) => call(E.setPolicy, { params: { id }, body }),
    toolCalls: (id, query) => call(E.toolCalls, { params: { id }, query }),

    listAgents: () => call(E.listAgents, {}),
    getAgent: (id) => call(E.getAgent, { params: { agentId: id } }),
    linkAgentServer: (agent, server) => call(E.linkAgentServer, { params: { agentId: agent, mcpId: server } }),
    unlinkAgentServer: (agent, server) => call(E.unlinkAgentServer, { params: { agentId: agent, mcpId: server } }),

    listAlerts: (query) => call(E.listAlerts, { query }),
    getAlert: (id) => call(E.getAlert, { params: { id } }),
    acknowledgeAlert: (id) => call(E.acknowledgeAlert, { params: { id } }),
    resolveAlert: (id) => call(E.resolveAlert, { params: { id } }),

    listAudit: (query) => call(E.listAudit, { query }),
    verifyAudit: () => call(E.verifyAudit, {}),

    listSecrets: () => call(E.listSecrets, {}),
    addSecret: (body) => call(E.addSecret, { body }),
    removeSecret: (name) => call(E.removeSecret, { params: { name } }),

    getSettings: () => call(E.getSettings, {}),
    setSetting: (key, value) => call(E.setSetting, { params: { key }, body: { value } }),

    listClients: () => call(E.listClients, {}),
    scanNow: () => call(E.scan, {}),

    listApiKeys: () => call(E.listApiKeys, {}),
    createApiKey: (name) => call(E.createApiKey, { body: { name } }),
    revokeApiKey: (name) => call(E.revokeApiKey, { params: { name } }),

    subscribe: (listener, onStatus) => transport.subscribe(listener, onStatus),
  };
}

export type { ProbeResult };
