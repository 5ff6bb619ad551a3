/** Audit events: append-only, hash-chained (DESIGN.md section 7). */
export interface AuditEvent {
  seq: number;
  at: string;
  /** `user` (CLI, UI, API), `monitor` (watch, scan) or `system`. */
  actor: string;
  type: string;
  server_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/**
 * Launcher events that never reached the trail: numbers missing from a launcher session (each
 * `mcp-warden run` numbers its events 1, 2, 3...; see docs/audit.md).
 */
export interface LauncherGap {
  session: string;
  /** The server the session ran, when its recorded events name it. */
  server: string | null;
  /** The first missing number. */
  first: number;
  /** The last missing number; null when every event after `first - 1` is missing (the session ended without its end record). */
  last: number | null;
  /** The audit events recorded just before and just after the gap in that session, when there are any. */
  after_event: number | null;
  before_event: number | null;
}

/** What `audit verify` answers: the chain holds and no launcher session has a gap, or the first problem. */
export type AuditVerdict =
  | { ok: true; events: number; head: string }
  | { ok: false; events: number; broken_at: number; reason: string; gaps?: LauncherGap[] };
