/**
 * The newest audit events of one kind for one server, newest first: what the server detail shows as
 * its latest tool calls. `listAudit` pages forward from the start of the chain, which would read a
 * busy server's whole history to reach its end.
 */
import type { AuditEvent } from '../api/audit.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

interface Row {
  seq: number;
  at: string;
  actor: string;
  type: string;
  server_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export function latestAudit(db: Db, query: { serverId: string; type: string; limit: number }): AuditEvent[] {
  const rows = stmt<[{ server: string; type: string; limit: number }], Row>(
    db,
    'SELECT * FROM audit_events WHERE server_id = @server AND type = @type ORDER BY seq DESC LIMIT @limit',
  ).all({ server: query.serverId, type: query.type, limit: query.limit });
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
