/** What probing a server over MCP finds, and how a probe fails. Shared by engine, CLI, API and UI. */

/** One tool, prompt, resource or resource template exactly as the server described it. */
export type Definition = Record<string, unknown> & { name?: string; uri?: string; uriTemplate?: string };

export interface ServerIdentity {
  name: string;
  version: string;
  title?: string;
}

export interface ProbeSuccess {
  ok: true;
  server: ServerIdentity;
  protocol_version: string;
  /** The capabilities the server declared in its initialize result. */
  capabilities: Record<string, unknown>;
  instructions: string | null;
  tools: Definition[];
  prompts: Definition[];
  resources: Definition[];
  resource_templates: Definition[];
  /** What the server wrote to stderr (capped), for the record. */
  stderr: string;
  duration_ms: number;
}

export const PROBE_FAILURES = [
  'not_found', // the command or URL does not exist
  'consent_required', // discovered, never approved: not spawned without --yes
  'exited', // the process exited before answering
  'timeout', // no answer within the connect or request timeout
  'too_much_output', // the server sent more than the byte cap
  'protocol_error', // it answered, but not as an MCP server
  'http_status', // the HTTP endpoint answered with an error status
  'secret_missing', // a {{secret:NAME}} handle names no secret in the keychain
  'failed', // anything else
] as const;
export type ProbeFailureCategory = (typeof PROBE_FAILURES)[number];

export interface ProbeFailure {
  ok: false;
  category: ProbeFailureCategory;
  /** One sentence for the user: what failed and what to do. */
  message: string;
  exit_code?: number | null;
  signal?: string | null;
  http_status?: number;
  stderr: string;
  duration_ms: number;
}

export type ProbeResult = ProbeSuccess | ProbeFailure;

/** A content-scan finding in a definition's text. */
export interface ContentFinding {
  rule: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** Which definition and field: `tool:read_file.description`, `instructions`, `prompt:x.arguments[0].description`. */
  where: string;
  /** The matched text (invisible characters shown escaped, tag characters decoded). */
  match: string;
  message: string;
}
