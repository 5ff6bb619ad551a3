/**
 * What the OpenAPI document says of each endpoint of ./endpoints.ts (one line, the success status
 * and what it answers, the error statuses besides the common ones) and the zod schemas of its query
 * and body, which the server validates with. Kept apart from the table so the clients that import
 * the table (the UI, the dependency-free SDK) do not bundle zod; `Record<EndpointName, ...>` makes
 * a missing or unknown entry a compile error.
 */
import type { z } from 'zod';
import type { EndpointName } from './endpoints.ts';
import { listAlertsQuerySchema, listAuditQuerySchema } from './rest/alerts-audit.ts';
import { registerAgentRequestSchema, setAgentServersRequestSchema } from './rest/agents.ts';
import { attachRequestSchema, detachRequestSchema, setPolicyRequestSchema, toolCallsQuerySchema } from './rest/launcher.ts';
import { addSecretRequestSchema, createApiKeyRequestSchema, removeSecretQuerySchema, setSettingRequestSchema } from './rest/secrets-settings.ts';
import { approveRequestSchema, attestRequestSchema, listServersQuerySchema, patchServerRequestSchema, probeRequestSchema, registerServerRequestSchema } from './rest/servers.ts';

export interface EndpointSpec {
  /** One line for the OpenAPI document's summary. */
  summary: string;
  /** The success status and what it answers, in words. */
  success: { status: number; description: string };
  /** The error statuses this endpoint answers besides the common ones (400/401/403/413/429). */
  errors?: number[];
  /** The query schema: the handler validates with it, the OpenAPI document lists its parameters. */
  query?: z.ZodType;
  /** The request body schema, for the OpenAPI document (handlers pass bodies to the engine or parse them with it). */
  body?: z.ZodType;
}

export const ENDPOINT_SPECS: Record<EndpointName, EndpointSpec> = {
  registerServer: {
    summary: "Register a server (stdio://<name> or an http(s) URL); declared until a client config lists it when no command is given",
    success: { status: 201, description: "The stored server (ServerView), with its id" },
    errors: [409],
    body: registerServerRequestSchema,
  },
  listServers: {
    summary: "List servers, ordered by name: q matches name, display name and description; status and client narrow it",
    success: { status: 200, description: "A Page of ServerView" },
    query: listServersQuerySchema,
  },
  getServer: {
    summary: "One server by id or name",
    success: { status: 200, description: "The ServerView" },
    errors: [404],
  },
  patchServer: {
    summary: "Change a server's fields; launch fields only on a server registered by hand",
    success: { status: 200, description: "The changed ServerView" },
    errors: [404, 409],
    body: patchServerRequestSchema,
  },
  removeServer: {
    summary: "Remove a server from the registry",
    success: { status: 200, description: "The removed server as it was (ServerView)" },
    errors: [404],
  },
  attestServer: {
    summary: "Record the publisher's key and checksum, measure the server, verify the publisher signature, and sign an attestation with the device key",
    success: { status: 201, description: "AttestResponse: the attestation and its DSSE envelope" },
    errors: [404, 409, 422, 503],
    body: attestRequestSchema,
  },
  verifyServer: {
    summary: "Measure the server again and compare it with its latest attestation",
    success: { status: 200, description: "The verification: ok, and every difference found (a failed one also opens an attestation_failed alert)" },
    errors: [404],
  },
  probeServer: {
    summary: "Start (or connect to) the server over MCP and record its tools, prompts and resources; a server nobody approved needs {\"consent\": true}, and a pending command line a person's (the web UI's) {\"consent\": true}, which confirms it",
    success: { status: 200, description: "The probe: ok with the definitions found, the diff against the pin and the alerts raised; or ok false with the failure category and message" },
    errors: [404, 409],
    body: probeRequestSchema,
  },
  approveServer: {
    summary: "Approve the server as it is now: its current config entry, executable and latest probed definitions become the accepted ones; a pending command line is confirmed by a person only (the web UI, with the launch it showed as seen), never with an API key",
    success: { status: 200, description: "The approved ServerView" },
    errors: [404, 409],
    body: approveRequestSchema,
  },
  getTrust: {
    summary: "The trust score now, with the factors and caps behind it, and its history",
    success: { status: 200, description: "TrustResponse" },
    errors: [404],
  },
  getTools: {
    summary: "The pinned tool, prompt and resource definitions, and the latest successful probe with its diff against the pin",
    success: { status: 200, description: "{server_id, name, pin, last_probe}" },
    errors: [404],
  },
  attachServer: {
    summary: "Write the server into a client's config as an entry that runs mcp-warden run (absolute paths, atomic write, timestamped backup, other keys untouched)",
    success: { status: 200, description: "AttachResult: the config file, the entry key, whether anything was written and the backup" },
    errors: [404, 409],
    body: attachRequestSchema,
  },
  detachServer: {
    summary: "Put the plain entry back in a client's config (or remove it with remove: true), with a backup",
    success: { status: 200, description: "AttachResult" },
    errors: [404, 409],
    body: detachRequestSchema,
  },
  secureServer: {
    summary: "Move the server's plaintext config secrets to the OS keychain: each value under a generated name, the entry rewritten to run through the launcher with {{secret:NAME}} handles, a backup kept",
    success: { status: 200, description: "{items: SecureResult[]}: per config entry, what moved where (locations and secret names, never values), what was left and why, the backup" },
    errors: [404, 409, 503],
  },
  getPolicy: {
    summary: "The server's own attestation and undeclared-tool policies (null follows the global setting) and the ones in force",
    success: { status: 200, description: "ServerPolicies: {attestation, undeclared, effective}" },
    errors: [404],
  },
  setPolicy: {
    summary: "Set the server's own policies: \"warn\" or \"block\", null to follow the global setting again; a field left out stays as it is (audited)",
    success: { status: 200, description: "ServerPolicies after the change" },
    errors: [404],
    body: setPolicyRequestSchema,
  },
  toolCalls: {
    summary: "The latest tool calls the launcher saw for this server (tool.called audit events), newest first",
    success: { status: 200, description: "{items: ToolCallView[]}: seq and time with the call's tool, duration, error, blocked, undeclared and argument keys" },
    errors: [404],
    query: toolCallsQuerySchema,
  },
  registerAgent: {
    summary: "Register an agent that is not a client config (an agent calling secure())",
    success: { status: 201, description: "The AgentView" },
    errors: [409],
    body: registerAgentRequestSchema,
  },
  listAgents: {
    summary: "Every agent: client configs and registered agents, with their servers",
    success: { status: 200, description: "{items: AgentView[]}" },
  },
  getAgent: {
    summary: "One agent by id or name",
    success: { status: 200, description: "The AgentView" },
    errors: [404],
  },
  setAgentServers: {
    summary: "Set the agent's whole list of servers",
    success: { status: 200, description: "The AgentView" },
    errors: [404, 409],
    body: setAgentServersRequestSchema,
  },
  linkAgentServer: {
    summary: "Link a server to the agent",
    success: { status: 200, description: "The AgentView" },
    errors: [404, 409],
  },
  unlinkAgentServer: {
    summary: "Unlink a server from the agent",
    success: { status: 200, description: "The AgentView" },
    errors: [404, 409],
  },
  listAlerts: {
    summary: "Alerts, open first, then by severity (this one and above with severity=), newest first",
    success: { status: 200, description: "A Page of Alert" },
    errors: [404],
    query: listAlertsQuerySchema,
  },
  getAlert: {
    summary: "One alert",
    success: { status: 200, description: "The Alert" },
    errors: [404],
  },
  acknowledgeAlert: {
    summary: "Acknowledge an alert (it stays listed until resolved)",
    success: { status: 200, description: "The changed Alert" },
    errors: [404, 409],
  },
  resolveAlert: {
    summary: "Resolve an alert; a condition that still holds is not raised again",
    success: { status: 200, description: "The changed Alert" },
    errors: [404, 409],
  },
  listAudit: {
    summary: "Audit events in order; pass next_after as after= for the next page",
    success: { status: 200, description: "AuditPage" },
    errors: [404],
    query: listAuditQuerySchema,
  },
  verifyAudit: {
    summary: "Bring in the events the launchers spooled, then walk the hash chain and the launcher sessions, naming the first broken event or gap",
    success: { status: 200, description: "The verdict: ok with the event count and head hash, or the first broken event and why (with every launcher gap found)" },
  },
  listClients: {
    summary: "Every client config seen, grouped by client: its file, state, servers and open hygiene findings (plaintext secrets, unpinned packages, plain http)",
    success: { status: 200, description: "{items: ClientView[]}" },
  },
  scan: {
    summary: "Scan every known client config now (as `mcp-warden scan` does), raising and resolving alerts; each config read is also a scan event",
    success: { status: 200, description: "ScanResponse: configs found, alerts opened and resolved" },
  },
  listSecrets: {
    summary: "Every secret's name, description, date and the servers naming it; never a value",
    success: { status: 200, description: "{items: SecretInfo[]}" },
  },
  addSecret: {
    summary: "Store a secret in the OS keychain; servers name it as {{secret:NAME}}. The value is never answered back",
    success: { status: 201, description: "The SecretInfo (no value)" },
    errors: [409, 503],
    body: addSecretRequestSchema,
  },
  removeSecret: {
    summary: "Remove a secret from the OS keychain; refused while a server names it unless ?force=true",
    success: { status: 200, description: "The removed SecretInfo, with the servers that still name it" },
    errors: [404, 409],
    query: removeSecretQuerySchema,
  },
  getSettings: {
    summary: "Every setting's value, and the values each accepts",
    success: { status: 200, description: "SettingsResponse: {values, choices}" },
  },
  setSetting: {
    summary: "Change one setting (audited)",
    success: { status: 200, description: "SettingsResponse with the new value" },
    body: setSettingRequestSchema,
  },
  listApiKeys: {
    summary: "Every API key, active and revoked: name, prefix and dates; never a key",
    success: { status: 200, description: "{items: ApiKeyInfo[]}" },
  },
  createApiKey: {
    summary: "Create an API key; the key is in this answer and nowhere else (only its SHA-256 is stored)",
    success: { status: 201, description: "{name, key}" },
    errors: [409],
    body: createApiKeyRequestSchema,
  },
  revokeApiKey: {
    summary: "Revoke an API key: requests with it fail at once, in this and every other process",
    success: { status: 200, description: "The revoked ApiKeyInfo" },
    errors: [404],
  },
  health: {
    summary: "Liveness: answers without authentication and says nothing about the data",
    success: { status: 200, description: "{status: \"ok\", version}" },
  },
  events: {
    summary: "Server-sent events: alert, registry, scan, probe and changed (another process wrote the database)",
    success: { status: 200, description: "An event stream; each event is `event: <type>` and `data: <ApiEvent JSON>`" },
  },
  openApi: {
    summary: "This API as an OpenAPI 3.1 document, generated from the same schemas the server validates with",
    success: { status: 200, description: "The OpenAPI document" },
  },
};
