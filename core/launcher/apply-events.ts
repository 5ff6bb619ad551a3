/**
 * Writes a launcher session's events into the database, inside the caller's write transaction:
 * audit events (each run chained in one appendAuditMany), alerts opened, tools/list drift evaluated
 * with the probe's own code, and one receipt per numbered event. An event whose receipt is already
 * there is skipped, so a journal or spool file applied twice (a replayer that died between commit
 * and delete, two recoveries) writes each event once.
 */
import { syncConditions } from '../alerts/alert-store.ts';
import { appendAuditMany, type AuditInput } from '../audit/audit-log.ts';
import { receivedSeqs, recordReceipt } from '../audit/launcher-sessions.ts';
import { evaluateProbe, readPin } from '../pins/record.ts';
import { findServer } from '../registry/read.ts';
import type { Db } from '../store/database.ts';
import type { LauncherEvent, Numbered } from './session-events.ts';

/** One event other than an audit event (those are chained in runs by applySessionEvents). */
function applyOther(db: Db, event: Exclude<LauncherEvent, { kind: 'audit' }>): void {
  const now = new Date(event.at);
  switch (event.kind) {
    case 'alert':
      // Open only (types: []): the launcher sees one condition, never the absence of others.
      syncConditions(db, { server_id: event.condition.server_id ?? '', types: [] }, [event.condition], now);
      return;
    case 'tools_drift': {
      const server = findServer(db, event.server_id);
      const pin = readPin(db, event.server_id);
      if (server === undefined || pin === undefined) return;
      // The relay saw tools only: prompts, resources and instructions are taken from the pin, so the
      // probe's evaluation reports exactly the tools that changed.
      const of = (kind: string) => pin.entries.filter((e) => e.kind === kind).map((e) => e.definition);
      const result = {
        ok: true as const, server: pin.server, protocol_version: pin.protocol_version, capabilities: {}, instructions: pin.instructions,
        tools: event.tools, prompts: of('prompt'), resources: of('resource'), resource_templates: of('resource_template'), stderr: '', duration_ms: 0,
      };
      const drift = evaluateProbe(db, server, result).conditions.filter((c) => c.type === 'definition_changed');
      syncConditions(db, { server_id: server.id, types: [] }, drift, now);
      return;
    }
  }
}

/**
 * Applies `events` of `session` in order (null session: events of an old spool file, unnumbered);
 * returns how many were new. Must run inside a write transaction.
 */
export function applySessionEvents(db: Db, session: string | null, events: readonly Numbered[]): number {
  if (events.length === 0) return 0;
  let seen = new Set<number>();
  if (session !== null) {
    let from = Infinity;
    let to = 0;
    for (const { seq } of events) {
      from = Math.min(from, seq);
      to = Math.max(to, seq);
    }
    seen = receivedSeqs(db, session, from, to);
  }
  let audits: { seq: number; input: AuditInput; now: Date }[] = [];
  const flushAudits = () => {
    if (audits.length === 0) return;
    const written = appendAuditMany(db, audits);
    if (session !== null) audits.forEach((a, i) => recordReceipt(db, session, a.seq, 'audit', (written[i] as { seq: number }).seq));
    audits = [];
  };
  let applied = 0;
  for (const { seq, event } of events) {
    if (seen.has(seq)) continue;
    seen.add(seq);
    applied++;
    if (event.kind === 'audit') {
      audits.push({ seq, input: event.event, now: new Date(event.at) });
      continue;
    }
    flushAudits();
    if (event.kind === 'alert' || event.kind === 'tools_drift') applyOther(db, event);
    if (session !== null) recordReceipt(db, session, seq, event.kind, null);
  }
  flushAudits();
  return applied;
}
