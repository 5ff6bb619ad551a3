/**
 * Every endpoint of `/api/v1`, declared once: its name, method, path, and the types of its query,
 * body and answer. The server attaches one handler to each (server/routes/, `handle(ENDPOINTS.x,
 * ...)`: a route that is not here cannot be written), the UI client (./client.ts) and the SDK
 * (sdk/client.ts) call through it, and the OpenAPI document is generated from it with the schemas
 * and words of ./endpoint-specs.ts. test/api/endpoint-table.test.ts holds the three together.
 * Order: the OpenAPI document's order.
 */
import type { Alert } from './alert.ts';
import { defineEndpoints, endpoint, shape, type Endpoint } from './endpoint.ts';
import type { AttachResult, SecureResult, ServerPolicies } from './launcher.ts';
import type { SecretInfo } from './secret.ts';
import type { AgentView, RegisterAgentRequest } from './rest/agents.ts';
import type { AuditPage, AuditVerifyResponse, ListAlertsParams, ListAuditParams } from './rest/alerts-audit.ts';
import type { ClientView, ScanResponse } from './rest/clients.ts';
import type { Page } from './rest/common.ts';
import type { AttachRequest, DetachRequest, SetPolicyRequest, ToolCallView } from './rest/launcher.ts';
import type { AddSecretRequest, ApiKeyInfo, CreatedApiKey, SettingsResponse } from './rest/secrets-settings.ts';
import type {
  AttestResponse,
  ListServersParams,
  PatchServerRequest,
  ProbeResponse,
  RegisterServerRequest,
  SeenLaunch,
  ServerView,
  ToolsResponse,
  TrustResponse,
  VerifyResponse,
} from './rest/servers.ts';

export const ENDPOINTS = defineEndpoints({
  // Servers
  registerServer: endpoint('POST', '/mcp-servers', shape<{ body: RegisterServerRequest; response: ServerView }>()),
  listServers: endpoint('GET', '/mcp-servers', shape<{ query: ListServersParams; response: Page<ServerView> }>()),
  getServer: endpoint('GET', '/mcp-servers/:id', shape<{ response: ServerView }>()),
  patchServer: endpoint('PATCH', '/mcp-servers/:id', shape<{ body: PatchServerRequest; response: ServerView }>()),
  removeServer: endpoint('DELETE', '/mcp-servers/:id', shape<{ response: ServerView }>()),
  attestServer: endpoint('POST', '/mcp-servers/:id/attest', shape<{ body: { public_key?: string; attestation_data?: Record<string, unknown>; signature?: string }; response: AttestResponse }>()),
  verifyServer: endpoint('POST', '/mcp-servers/:id/verify', shape<{ body: Record<string, never>; response: VerifyResponse }>()),
  probeServer: endpoint('POST', '/mcp-servers/:id/probe', shape<{ body: { consent?: boolean; timeout_seconds?: number; seen?: SeenLaunch }; response: ProbeResponse }>()),
  approveServer: endpoint('POST', '/mcp-servers/:id/approve', shape<{ body: { seen?: SeenLaunch }; response: ServerView }>()),
  getTrust: endpoint('GET', '/mcp-servers/:id/trust', shape<{ response: TrustResponse }>()),
  getTools: endpoint('GET', '/mcp-servers/:id/tools', shape<{ response: ToolsResponse }>()),

  // The launcher
  attachServer: endpoint('POST', '/mcp-servers/:id/attach', shape<{ body: AttachRequest; response: AttachResult }>()),
  detachServer: endpoint('POST', '/mcp-servers/:id/detach', shape<{ body: DetachRequest; response: AttachResult }>()),
  secureServer: endpoint('POST', '/mcp-servers/:id/secure', shape<{ body: Record<string, never>; response: { items: SecureResult[] } }>()),
  getPolicy: endpoint('GET', '/mcp-servers/:id/policy', shape<{ response: ServerPolicies }>()),
  setPolicy: endpoint('PUT', '/mcp-servers/:id/policy', shape<{ body: SetPolicyRequest; response: ServerPolicies }>()),
  toolCalls: endpoint('GET', '/mcp-servers/:id/tool-calls', shape<{ query: { limit?: number }; response: { items: ToolCallView[] } }>()),

  // Agents
  registerAgent: endpoint('POST', '/agents', shape<{ body: RegisterAgentRequest; response: AgentView }>()),
  listAgents: endpoint('GET', '/agents', shape<{ response: { items: AgentView[] } }>()),
  getAgent: endpoint('GET', '/agents/:agentId', shape<{ response: AgentView }>()),
  setAgentServers: endpoint('PUT', '/agents/:agentId/mcp-servers', shape<{ body: { mcp_server_ids: string[] }; response: AgentView }>()),
  linkAgentServer: endpoint('POST', '/agents/:agentId/mcp-servers/:mcpId', shape<{ body: Record<string, never>; response: AgentView }>()),
  unlinkAgentServer: endpoint('DELETE', '/agents/:agentId/mcp-servers/:mcpId', shape<{ response: AgentView }>()),

  // Alerts and audit
  listAlerts: endpoint('GET', '/alerts', shape<{ query: ListAlertsParams; response: Page<Alert> }>()),
  getAlert: endpoint('GET', '/alerts/:id', shape<{ response: Alert }>()),
  acknowledgeAlert: endpoint('POST', '/alerts/:id/acknowledge', shape<{ body: Record<string, never>; response: Alert }>()),
  resolveAlert: endpoint('POST', '/alerts/:id/resolve', shape<{ body: Record<string, never>; response: Alert }>()),
  listAudit: endpoint('GET', '/audit', shape<{ query: ListAuditParams; response: AuditPage }>()),
  verifyAudit: endpoint('GET', '/audit/verify', shape<{ response: AuditVerifyResponse }>()),

  // Clients
  listClients: endpoint('GET', '/clients', shape<{ response: { items: ClientView[] } }>()),
  scan: endpoint('POST', '/scan', shape<{ body: Record<string, never>; response: ScanResponse }>()),

  // Secrets, settings, API keys
  listSecrets: endpoint('GET', '/secrets', shape<{ response: { items: SecretInfo[] } }>()),
  addSecret: endpoint('POST', '/secrets', shape<{ body: AddSecretRequest; response: SecretInfo }>()),
  removeSecret: endpoint('DELETE', '/secrets/:name', shape<{ query: { force?: 'true' | 'false' }; response: SecretInfo }>()),
  getSettings: endpoint('GET', '/settings', shape<{ response: SettingsResponse }>()),
  setSetting: endpoint('PUT', '/settings/:key', shape<{ body: { value: string }; response: SettingsResponse }>()),
  listApiKeys: endpoint('GET', '/api-keys', shape<{ response: { items: ApiKeyInfo[] } }>()),
  createApiKey: endpoint('POST', '/api-keys', shape<{ body: { name: string }; response: CreatedApiKey }>()),
  revokeApiKey: endpoint('DELETE', '/api-keys/:name', shape<{ response: ApiKeyInfo }>()),

  // Meta
  health: endpoint('GET', '/health', shape<{ response: { status: 'ok'; version: string } }>(), { public: true }),
  events: endpoint('GET', '/events', shape<{ response: never }>(), { httpOnly: true }),
  openApi: endpoint('GET', '/openapi.json', shape<{ response: Record<string, unknown> }>()),
});

export type Endpoints = typeof ENDPOINTS;
export type EndpointName = keyof Endpoints;
/** An entry of the table (and nothing else: its method and path are literal types of the table). */
export type DeclaredEndpoint = Endpoints[EndpointName];

/** The entries in declaration order. */
export const ENDPOINT_LIST: readonly DeclaredEndpoint[] = Object.values(ENDPOINTS);

export type { Endpoint };
