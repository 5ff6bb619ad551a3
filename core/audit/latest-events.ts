/**
 * The newest audit events of one kind for one server, newest first: what the server detail shows as
 * its latest tool calls. `listAudit` pages forward from the start of the chain, which would read a
 * busy server's whole history to reach its end; so find where the last `limit` events begin (one
 * indexed query for one seq) and page forward from there.
 */
import type { AuditEvent } from '../api/audit.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { listAudit } from './audit-log.ts';

export function latestAudit(db: Db, query: { serverId: string; type: string; limit: number }): AuditEvent[] {
  const first = stmt<[{ server: string; type: string; skip: number }], { seq: number }>(
    db,
    'SELECT seq FROM audit_events WHERE server_id = @server AND type = @type ORDER BY seq DESC LIMIT 1 OFFSET @skip',
  ).get({ server: query.serverId, type: query.type, skip: query.limit - 1 });
  // Fewer than `limit` events: all of them, from the start.
  const afterSeq = first === undefined ? 0 : first.seq - 1;
  return listAudit(db, { serverId: query.serverId, type: query.type, afterSeq, limit: query.limit }).reverse();
}
