/**
 * The launcher's contract (`mcp-warden run <name>`, attach/detach, moving secrets to the keychain,
 * manifests): policies, what a tool call records, and what attach, secure and apply answer. Types
 * only, shared by the CLI, the REST API and the UI.
 */

export const POLICIES = ['warn', 'block'] as const;
export type Policy = (typeof POLICIES)[number];

/** A server's own policies (null follows the global setting) and the ones in force. */
export interface ServerPolicies {
  attestation: Policy | null;
  undeclared: Policy | null;
  effective: { attestation: Policy; undeclared: Policy };
}

/** Audit event type of one `tools/call` seen by the launcher. */
export const TOOL_CALL_EVENT = 'tool.called';

/**
 * How a tool call ended, as the launcher saw it. `ok`: a result; `error`: a JSON-RPC error or a
 * result with `isError: true`; `blocked`: answered by the launcher (policy block), never sent;
 * `too_large`: the server's answer was over the launcher's line limit and was dropped (the client
 * got an error instead); `timeout`: no answer within the launcher's call timeout; `no_answer`: the
 * server exited, or the client went away, before answering (or the call was sent as a notification,
 * which is never answered); `interrupted`: the launcher itself stopped before the answer (the
 * record written ahead at send time, recovered after a crash).
 */
export const TOOL_CALL_OUTCOMES = ['ok', 'error', 'blocked', 'too_large', 'timeout', 'no_answer', 'interrupted'] as const;
export type ToolCallOutcome = (typeof TOOL_CALL_OUTCOMES)[number];

/** The details of a `tool.called` audit event: never an unredacted argument value. */
export interface ToolCallDetails {
  /** The server's registered name. */
  name: string;
  tool: string;
  /** From the request to its response (or to the timeout or exit that ended it), as the launcher saw them. */
  duration_ms: number;
  /** Kept for readers of older events: true for every outcome but `ok`. */
  error: boolean;
  /** How the call ended. Events written before this field existed lack it: read `error` then. */
  outcome: ToolCallOutcome;
  argument_keys: string[];
  /** Argument values with every known secret value replaced by `[secret]`, cut to a few KB. */
  arguments: Record<string, unknown>;
  /** Neither pinned nor declared. */
  undeclared: boolean;
  /** Answered by the launcher with an error instead of reaching the server (policy block). */
  blocked: boolean;
  /** The client, when the launcher knows it (`clientInfo.name` of `initialize`). */
  client: string | null;
}

/** What `mcp attach` / `POST /mcp-servers/:id/attach` did. */
export interface AttachResult {
  server: string;
  client: string;
  config_path: string;
  /** The entry's key in the config. */
  key: string;
  /** False when the entry already ran the launcher (nothing written). */
  changed: boolean;
  /** The timestamped copy of the file as it was before the write; null when nothing was written. */
  backup: string | null;
}

/** What `mcp secure` / `scan --fix-secrets` moved for one config entry. */
export interface SecureResult {
  server: string;
  config_path: string;
  key: string;
  /** Each plaintext value moved: where it was (`env.GITHUB_TOKEN`) and the keychain secret it went to. */
  moved: { location: string; secret: string }[];
  backup: string | null;
}

/** One line of `apply`'s plan: what it does (or would do, with --dry-run) to make the machine match. */
export interface ApplyChange {
  action: 'register' | 'update' | 'attach' | 'detach' | 'unchanged';
  server: string;
  /** For attach/detach: the client; for update: the fields that change. */
  detail: string;
}

export interface ApplyResult {
  dry_run: boolean;
  changes: ApplyChange[];
}
