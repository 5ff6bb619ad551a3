/**
 * `/api/v1/mcp-servers`: the registration and change schemas (the field names are the ones users
 * already send to agent-identity dashboards, so not ours to change), the list query, the
 * attest/approve/probe requests, and the shapes answered.
 */
import { z } from 'zod';
import type { Alert } from '../alert.ts';
import type { AttestationDifference, AttestationStatement } from '../attestation.ts';
import type { Pin, PinDiff } from '../pin.ts';
import type { ContentFinding, Definition, ServerIdentity } from '../probe.ts';
import { argsSchema, serverNameSchema } from '../server-schema.ts';
import type { EnvVar, ServerDefinition, Transport } from '../server.ts';
import { pageFields, quoted } from './common.ts';

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

export const describing = {
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
  attestation: import('../attestation.ts').Attestation;
  envelope: import('../attestation.ts').DsseEnvelope;
}

/** `GET /api/v1/mcp-servers/:id/trust`: the current score with its breakdown, and the history. */
export interface TrustResponse {
  server_id: string;
  name: string;
  trust: import('../../trust/score.ts').TrustScore;
  history: { at: string; score: number }[];
}

export interface ProbeResponse {
  name: string;
  server_id: string;
  ok: boolean;
  /** Present when ok is false. */
  category?: string;
  message?: string;
  probe_id?: number;
  pinned?: boolean;
  diff?: PinDiff | null;
  findings?: ContentFinding[];
  alerts_opened?: number[];
}

export interface ToolsResponse {
  server_id: string;
  name: string;
  pin: Pin | null;
  last_probe: {
    probe_id: number;
    server: ServerIdentity;
    tools: Definition[];
    prompts: Definition[];
    resources: Definition[];
    resource_templates: Definition[];
    diff: PinDiff | null;
  } | null;
}

export interface VerifyResponse {
  ok: boolean;
  server_id: string;
  name: string;
  attestation_id: number;
  status: 'valid' | 'failed';
  differences: AttestationDifference[];
  statement: AttestationStatement;
  alert: Alert | null;
}

export interface ListServersParams {
  q?: string;
  status?: 'discovered' | 'pending' | 'approved' | 'declared';
  client?: string;
  severity?: Alert['severity'];
  sort?: 'name' | 'trust' | 'alerts';
  limit?: number;
  offset?: number;
}
