/**
 * The REST API's contract (`/api/v1`, served by `mcp-warden serve`): request schemas, the shapes
 * answered, and how an error code becomes an HTTP status. The server validates with these schemas,
 * the OpenAPI document is generated from them, and the SDK imports the types. The request shapes are
 * the ones users already send to agent-identity dashboards, so field names are not ours to change.
 */
import { z } from 'zod';
import type { Alert } from './alert.ts';
import type { AuditEvent } from './audit.ts';
import type { ErrorCode } from './errors.ts';
import type { ToolCallDetails } from './launcher.ts';
import { nameProblem } from './names.ts';
import { argsSchema, serverNameSchema } from './server-schema.ts';
import type { EnvVar, ServerDefinition, Transport } from './server.ts';

export const API_PREFIX = '/api/v1';
/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

// ---------------------------------------------------------------------------------------------
// Errors

/** Every error answer: `{"error": {"code", "message", "field"?}}`. */
export type ApiErrorCode = ErrorCode | 'unauthorized' | 'forbidden' | 'payload_too_large' | 'rate_limited' | 'method_not_allowed' | 'internal';

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

/** failed: the request was understood but could not be carried out on this server (a checksum that does not match). */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

// ---------------------------------------------------------------------------------------------
// Servers

const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

/** `env_template` as the daemon model sends it (`{"KEY": "value"}`) or as we store it (`[{key, value}]`). */
export const envTemplateSchema = z.union(
  [
    z.record(z.string(), z.string({ error: 'Each env_template value must be a string.' })),
    z.array(z.object({ key: z.string(), value: z.string() }, { error: 'Each env_template entry must be an object with a key and a value.' })),
  ],
  { error: 'The env_template must be an object of strings or a list of {key, value} pairs.' },
);

/** The launch fields of the daemon model, optional in a registration. */
const launchFields = {
  command: z.string({ error: 'The command must be a string.' }).optional(),
  args: argsSchema.optional(),
  env_template: envTemplateSchema.optional(),
  cwd: z.string({ error: 'The working directory must be a string.' }).optional(),
  headers: z.record(z.string(), z.string({ error: 'Each header value must be a string.' }), { error: 'The headers must be an object of strings.' }).optional(),
  /** Only for a URL: `sse` for the legacy transport; `http` otherwise. */
  transport: z.enum(['stdio', 'http', 'sse'], { error: (i) => `Unknown transport ${quoted(String(i.input))}: use stdio, http or sse.` }).optional(),
};

const describing = {
  display_name: z.string({ error: 'The display name must be a string.' }).optional(),
  description: z.string({ error: 'The description must be a string.' }).optional(),
  capabilities: z.array(z.string({ error: 'Each capability must be a tool name string.' }), { error: 'The capabilities must be a list of tool names.' }).optional(),
};

/**
 * `POST /api/v1/mcp-servers`. `server_url` is `stdio://<name>` (a stdio server: its command comes from
 * `command`/`args`/`env_template`, or from a client config that already lists a server of that name,
 * or it is registered as declared until one does) or an http(s) URL (an http server; `transport: "sse"`
 * for the legacy transport). Deeper checks (names, handles, URLs) reuse `serverInputSchema` once the
 * body is mapped to a `ServerInput`.
 */
export const registerServerRequestSchema = z.strictObject(
  {
    name: serverNameSchema,
    server_url: z.string({ error: 'The server_url must be a string: stdio://<name> or an http(s) URL.' }),
    ...describing,
    ...launchFields,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the server registration.` : 'The server registration must be a JSON object.') },
);
export type RegisterServerRequest = z.infer<typeof registerServerRequestSchema>;

/**
 * `PATCH /api/v1/mcp-servers/:id`: the fields given replace the stored ones. Launch fields may only
 * change on a server registered by hand (a discovered one's launch is its client config's entry).
 */
export const patchServerRequestSchema = z.strictObject(
  {
    name: serverNameSchema.optional(),
    server_url: z.string({ error: 'The server_url must be a string: stdio://<name> or an http(s) URL.' }).optional(),
    ...describing,
    ...launchFields,
    url: z.string({ error: 'The URL must be a string.' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')}: a server's ${i.keys?.[0] ?? 'that field'} cannot be changed.` : 'The change must be a JSON object.') },
);
export type PatchServerRequest = z.infer<typeof patchServerRequestSchema>;

/** A server as the API answers it: the definition (handles, never values) plus what the registry screen shows. */
export interface ServerView extends ServerDefinition {
  trust: { score: number; band: 'red' | 'amber' | 'green' } | null;
  open_alerts: number;
  /** Client ids whose configs list this server. */
  clients: string[];
  last_probe_at: string | null;
  /** The latest attestation's state: `failed` once a re-measurement no longer matches it; null when never attested. */
  attestation: 'valid' | 'failed' | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  /** The offset of the next page, or null on the last one. */
  next_offset: number | null;
}

const pageFields = {
  limit: z.coerce.number({ error: 'limit must be a number.' }).int({ error: 'limit must be a whole number.' }).min(1, { error: 'limit must be at least 1.' }).max(MAX_PAGE_SIZE, { error: `limit must be at most ${MAX_PAGE_SIZE}.` }).default(DEFAULT_PAGE_SIZE),
  offset: z.coerce.number({ error: 'offset must be a number.' }).int({ error: 'offset must be a whole number.' }).min(0, { error: 'offset cannot be negative.' }).default(0),
};

export const SERVER_SORTS = ['name', 'trust', 'alerts'] as const;
export type ServerSort = (typeof SERVER_SORTS)[number];

/** `GET /api/v1/mcp-servers?q=&status=&client=&limit=&offset=`; `q` matches name, display name and description. */
export const listServersQuerySchema = z.strictObject(
  {
    q: z.string({ error: 'q must be given once.' }).max(200, { error: 'q is longer than 200 characters.' }).optional(),
    status: z.enum(['discovered', 'pending', 'approved', 'declared'], { error: 'status must be discovered, pending, approved or declared.' }).optional(),
    client: z.string({ error: 'client must be given once.' }).optional(),
    /** Servers with an open alert of at least this severity. */
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical'], { error: 'severity must be info, low, medium, high or critical.' }).optional(),
    /** name (default); trust: least trusted first, never-scored last; alerts: most open alerts first. */
    sort: z.enum(SERVER_SORTS, { error: 'sort must be name, trust or alerts.' }).default('name'),
    ...pageFields,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);
export type ListServersQuery = z.infer<typeof listServersQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Agents

/** `POST /api/v1/agents`: an agent that is not a client config (an agent's code calling `secure()`). */
export const registerAgentRequestSchema = z.strictObject(
  {
    name: z
      .string({ error: 'The agent name must be a string.' })
      .refine((v) => nameProblem(v) === null, { error: (i) => `The agent name ${quoted(String(i.input))} is invalid: ${nameProblem(String(i.input))}.` }),
    display_name: describing.display_name,
    description: describing.description,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the agent registration.` : 'The agent registration must be a JSON object.') },
);
export type RegisterAgentRequest = z.infer<typeof registerAgentRequestSchema>;

/** `PUT /api/v1/agents/:agentId/mcp-servers`: the agent's whole list, ids or names. */
export const setAgentServersRequestSchema = z.strictObject(
  { mcp_server_ids: z.array(z.string({ error: 'Each mcp_server_ids entry must be a server id or name.' }), { error: 'mcp_server_ids must be a list of server ids or names.' }) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')}: send {"mcp_server_ids": [...]}.` : 'Send {"mcp_server_ids": [...]}.') },
);

export type AgentKind = 'client' | 'registered';

export interface AgentView {
  /** `agt_...` for a client config, `agn_...` for a registered agent. */
  id: string;
  /** A registered agent's name; a client config's client id (`claude-desktop`). */
  name: string;
  display_name: string;
  description: string;
  kind: AgentKind;
  /** Client configs only: the client, its config file and that file's state. */
  client: string | null;
  config_path: string | null;
  state: 'ok' | 'missing' | 'unparseable' | null;
  servers: { id: string; name: string; status: ServerDefinition['status'] }[];
  created_at: string;
}

// ---------------------------------------------------------------------------------------------
// Attestation

/** `POST /api/v1/mcp-servers/:id/attest`: the publisher's key and what they say the server is. */
export const attestRequestSchema = z.strictObject(
  {
    public_key: z.string({ error: 'public_key must be a string: ed25519:<base64>.' }).optional(),
    attestation_data: z
      .looseObject({ checksum: z.string({ error: 'attestation_data.checksum must be a string: sha256:<hex>.' }).optional() }, { error: 'attestation_data must be a JSON object.' })
      .optional(),
    signature: z.string({ error: 'signature must be a base64 string.' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the attestation request.` : 'The attestation request must be a JSON object.') },
);
export type AttestRequest = z.infer<typeof attestRequestSchema>;

/** `POST /api/v1/mcp-servers/:id/probe`: consent to start a server nobody approved yet. */
/**
 * The launch a person was shown when confirming a pending server (the UI's confirm step sends what
 * its dialog displayed: a command line, or a URL and its headers as written): the confirmation
 * holds only while the server still launches exactly that, so a change made meanwhile (through the
 * API) is not confirmed unseen.
 */
export const seenLaunchSchema = z.strictObject(
  {
    command: z.string({ error: 'seen.command must be a string or null.' }).nullable(),
    args: z.array(z.string({ error: 'Each of seen.args must be a string.' }), { error: 'seen.args must be a list of strings.' }),
    cwd: z.string({ error: 'seen.cwd must be a string or null.' }).nullable(),
    env_template: z.array(z.strictObject({ key: z.string(), value: z.string() }), { error: 'seen.env_template must be a list of {key, value} pairs.' }),
    url: z.string({ error: 'seen.url must be a string or null.' }).nullable().optional(),
    headers: z.record(z.string(), z.string({ error: 'Each of seen.headers must be a string.' }), { error: 'seen.headers must be an object of strings.' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in seen.` : 'seen must be the launch shown: {command, args, cwd, env_template, url, headers}.') },
);
export type SeenLaunch = z.infer<typeof seenLaunchSchema>;

/** `POST /api/v1/mcp-servers/:id/approve`: nothing, or the launch shown when confirming a pending server. */
export const approveRequestSchema = z.strictObject(
  { seen: seenLaunchSchema.optional() },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the approval.` : 'The approval must be a JSON object.') },
);

export const probeRequestSchema = z.strictObject(
  {
    consent: z.boolean({ error: 'consent must be true or false.' }).optional(),
    seen: seenLaunchSchema.optional(),
    timeout_seconds: z.number({ error: 'timeout_seconds must be a number.' }).min(1, { error: 'timeout_seconds must be at least 1.' }).max(3600, { error: 'timeout_seconds must be at most 3600.' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the probe request.` : 'The probe request must be a JSON object.') },
);

// ---------------------------------------------------------------------------------------------
// Alerts and audit

export const listAlertsQuerySchema = z.strictObject(
  {
    state: z.enum(['open', 'acknowledged', 'resolved'], { error: 'state must be open, acknowledged or resolved.' }).optional(),
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical'], { error: 'severity must be info, low, medium, high or critical.' }).optional(),
    server: z.string({ error: 'server must be given once.' }).optional(),
    ...pageFields,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

export const listAuditQuerySchema = z.strictObject(
  {
    server: z.string({ error: 'server must be given once.' }).optional(),
    type: z.string({ error: 'type must be given once.' }).optional(),
    /** Events after this sequence number (paging forward). */
    after: z.coerce.number({ error: 'after must be a number.' }).int({ error: 'after must be a whole number.' }).min(0, { error: 'after cannot be negative.' }).optional(),
    limit: pageFields.limit,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

export type AlertsPage = Page<Alert>;
export interface AuditPage {
  items: AuditEvent[];
  /** Pass as `after` for the next page; null on the last one. */
  next_after: number | null;
}

// ---------------------------------------------------------------------------------------------
// Server-sent events (`GET /api/v1/events`)

export type ApiEvent =
  | { type: 'alert'; alert: Alert }
  | { type: 'registry'; reason: string; server_id: string | null }
  | { type: 'scan'; client: string; config_path: string; state: string; opened: number; resolved: number }
  | { type: 'probe'; server_id: string; name: string; phase: 'started' | 'finished'; ok?: boolean; done?: number; total?: number }
  /** A setting changed through the API (the desktop shell applies `start-at-login` and `notifications` from it). */
  | { type: 'settings'; key: string; value: string }
  /** Another process (the CLI, a second app) wrote the database. */
  | { type: 'changed' };

// ---------------------------------------------------------------------------------------------
// Secrets, settings and API keys (the UI's settings and secret picker)

const unknownField = (what: string, send: string) => (i: { code: string; keys?: string[] }) =>
  i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in ${what}: send ${send}.` : `Send ${send}.`;

/**
 * `POST /api/v1/secrets`: the value goes to the OS keychain and is never answered, logged or audited.
 * No message here quotes the value (core/secrets checks emptiness and size, naming only the secret).
 */
export const addSecretRequestSchema = z.strictObject(
  {
    name: z.string({ error: 'The secret name must be a string.' }),
    value: z.string({ error: 'The secret value must be a string.' }),
    description: z.string({ error: 'The description must be a string.' }).optional(),
  },
  { error: unknownField('the secret', '{"name", "value", "description"?}') },
);
export type AddSecretRequest = z.infer<typeof addSecretRequestSchema>;

/** `DELETE /api/v1/secrets/:name?force=true`: force removes a secret servers still name. */
export const removeSecretQuerySchema = z.strictObject(
  { force: z.enum(['true', 'false'], { error: 'force must be true or false, given once.' }).optional() },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

/** `PUT /api/v1/settings/:key`. */
export const setSettingRequestSchema = z.strictObject(
  { value: z.string({ error: 'The setting value must be a string.' }) },
  { error: unknownField('the setting', '{"value": "..."}') },
);

/** `POST /api/v1/api-keys`. */
export const createApiKeyRequestSchema = z.strictObject(
  { name: z.string({ error: 'The API key name must be a string.' }) },
  { error: unknownField('the API key request', '{"name": "..."}') },
);

// ---------------------------------------------------------------------------------------------
// API keys

export interface ApiKeyInfo {
  name: string;
  /** The first characters of the key, enough to tell keys apart; the key itself is never stored. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Shown once, at creation. */
export interface CreatedApiKey {
  name: string;
  key: string;
}

/** The env_template in stored form, whichever form it was sent in. */
export function envPairs(template: RegisterServerRequest['env_template']): EnvVar[] | undefined {
  if (template === undefined) return undefined;
  return Array.isArray(template) ? template : Object.entries(template).map(([key, value]) => ({ key, value }));
}

export type { Transport };

// ---------------------------------------------------------------------------------------------
// Responses of the action endpoints (the SDK reads these shapes)

/** `POST /api/v1/mcp-servers/:id/attest`: the stored attestation and the device's DSSE envelope. */
export interface AttestResponse {
  attestation: import('./attestation.ts').Attestation;
  envelope: import('./attestation.ts').DsseEnvelope;
}

/** `GET /api/v1/mcp-servers/:id/trust`: the current score with its breakdown, and the history. */
export interface TrustResponse {
  server_id: string;
  name: string;
  trust: import('../trust/score.ts').TrustScore;
  history: { at: string; score: number }[];
}

// ---------------------------------------------------------------------------------------------
// The launcher: attach, detach, policies and tool calls (shapes answered are in ./launcher.ts)

const clientField = z.string({ error: 'client must be a client id such as claude-desktop.' }).min(1, { error: 'client must be a client id such as claude-desktop.' });
const configPathField = z.string({ error: 'config_path must be the path of a client config file.' }).min(1, { error: 'config_path cannot be empty.' }).optional();

/** `POST /api/v1/mcp-servers/:id/attach`: write the server into that client's config as an entry that runs the launcher. */
export const attachRequestSchema = z.strictObject(
  { client: clientField, config_path: configPathField },
  { error: unknownField('the attach request', '{"client", "config_path"?}') },
);
export type AttachRequest = z.infer<typeof attachRequestSchema>;

/** `POST /api/v1/mcp-servers/:id/detach`: restore a plain entry, or remove it with `remove: true`. */
export const detachRequestSchema = z.strictObject(
  { client: clientField, config_path: configPathField, remove: z.boolean({ error: 'remove must be true or false.' }).optional() },
  { error: unknownField('the detach request', '{"client", "config_path"?, "remove"?}') },
);
export type DetachRequest = z.infer<typeof detachRequestSchema>;

const policyField = (name: string) =>
  z.enum(['warn', 'block'], { error: `${name} must be "warn", "block" or null (follow the global setting).` }).nullable().optional();

/** `PUT /api/v1/mcp-servers/:id/policy`: a field left out stays as it is; null follows the global setting again. */
export const setPolicyRequestSchema = z.strictObject(
  { attestation: policyField('attestation'), undeclared: policyField('undeclared') },
  { error: unknownField('the policy', '{"attestation"?: "warn"|"block"|null, "undeclared"?: "warn"|"block"|null}') },
);
export type SetPolicyRequest = z.infer<typeof setPolicyRequestSchema>;

/** `GET /api/v1/mcp-servers/:id/tool-calls?limit=`: the newest `tool.called` events first. */
export const toolCallsQuerySchema = z.strictObject(
  { limit: z.coerce.number({ error: 'limit must be a number.' }).int({ error: 'limit must be a whole number.' }).min(1, { error: 'limit must be at least 1.' }).max(200, { error: 'limit must be at most 200.' }).default(20) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

/** One `tool.called` audit event as the server detail lists it. */
export interface ToolCallView extends ToolCallDetails {
  seq: number;
  at: string;
}
