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
