/**
 * The audit trail: append-only and hash-chained. Each event stores the previous event's hash and
 * its own hash over the RFC 8785 canonical JSON of its content plus that link, so an edited,
 * deleted or reordered row breaks the chain at a point `verifyAudit` names. Callers append inside
 * the transaction that makes the change, so an event exists exactly when its change does.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import type { AuditEvent, AuditVerdict } from '../api/audit.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { confirmGaps, describeGap, gapCandidates, type GapOptions } from './launcher-sessions.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  actor: 'user' | 'monitor' | 'system';
  type: string;
  server_id?: string | null;
  details?: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  type: string;
  server_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  const material = canonicalJson({ seq: event.seq, at: event.at, actor: event.actor, type: event.type, server_id: event.server_id, details: event.details, prev_hash: event.prev_hash });
  return createHash('sha256').update(material).digest('hex');
}

/** Appends one event. Must run inside a write transaction (it reads the chain's head). */
export function appendAudit(db: Db, input: AuditInput, now: Date = new Date()): AuditEvent {
  return appendAuditMany(db, [{ input, now }])[0] as AuditEvent;
}

/**
 * Appends events in order, chained. Must run inside a write transaction. The chain's head is read
 * once and the stored head written once, however many events: the launcher hands over its tool
 * calls in batches, and two statements per event less is most of what a batch costs.
 */
export function appendAuditMany(db: Db, inputs: readonly { input: AuditInput; now: Date }[]): AuditEvent[] {
  if (inputs.length === 0) return [];
  const head = stmt<[], { seq: number; hash: string }>(db, 'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get();
  const insert = stmt(db, 'INSERT INTO audit_events (seq, at, actor, type, server_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HASH;
  const events = inputs.map(({ input, now }) => {
    const partial = {
      seq: ++seq,
      at: now.toISOString(),
      actor: input.actor,
      type: input.type,
      server_id: input.server_id ?? null,
      details: input.details ?? {},
      prev_hash: prev,
    };
    const event: AuditEvent = { ...partial, hash: eventHash(partial) };
    insert.run(event.seq, event.at, event.actor, event.type, event.server_id, JSON.stringify(event.details), event.prev_hash, event.hash);
    prev = event.hash;
    return event;
  });
  const last = events[events.length - 1] as AuditEvent;
  // The head, kept apart from the chain, reveals events cut from its end.
  stmt(db, "INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(`${last.seq}:${last.hash}`);
  return events;
}

const toEvent = (row: AuditRow): AuditEvent => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> });

export interface AuditQuery {
  serverId?: string;
  type?: string;
  limit?: number;
  /** Events with seq greater than this (paging forward). */
  afterSeq?: number;
}

export function listAudit(db: Db, query: AuditQuery = {}): AuditEvent[] {
  const rows = stmt<[{ server: string | null; type: string | null; limit: number; after: number }], AuditRow>(db, 
      `SELECT * FROM audit_events
        WHERE (@server IS NULL OR server_id = @server) AND (@type IS NULL OR type = @type) AND seq > @after
        ORDER BY seq LIMIT @limit`,
    )
    .all({ server: query.serverId ?? null, type: query.type ?? null, limit: query.limit ?? -1, after: query.afterSeq ?? 0 });
  return rows.map(toEvent);
}

export function* iterateAudit(db: Db): Generator<AuditEvent> {
  // Not cached: an iterating statement is busy until the loop ends, and two walks may overlap.
  for (const row of db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY seq').iterate()) yield toEvent(row);
}

export type { AuditVerdict };

/**
 * Walks the chain from the start and names the first event that does not hold; then checks that no
 * launcher session lost events on the way to the trail (a gap in its numbering; launcher-sessions.ts).
 */
export function verifyAudit(db: Db, options: Pick<GapOptions, 'alive' | 'pending'> = {}): AuditVerdict {
  // One read transaction: the chain, its stored head and the launcher receipts as of one moment,
  // however many writers append meanwhile (else events appended during the walk look cut off).
  const walked = db.transaction(() => {
    const chain = walkChain(db);
    return { chain, candidates: chain.ok ? gapCandidates(db, options) : [] };
  })();
  if (!walked.chain.ok) return walked.chain;
  const { events, head } = walked.chain;
  // Checked again now, outside that moment: a batch replayed since has its receipts in.
  const gaps = confirmGaps(db, walked.candidates, options);
  const first = gaps[0];
  if (first !== undefined) {
    const more = gaps.length > 1 ? `; and ${gaps.length - 1} more gap${gaps.length > 2 ? 's' : ''}` : '';
    return { ok: false, events, broken_at: first.before_event ?? first.after_event ?? events, reason: `${describeGap(first)}${more}`, gaps };
  }
  return { ok: true, events, head };
}

function walkChain(db: Db): AuditVerdict {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const row of db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY seq').iterate()) {
    count++;
    let details: Record<string, unknown>;
    try {
      details = JSON.parse(row.details) as Record<string, unknown>;
    } catch {
      return { ok: false, events: count, broken_at: row.seq, reason: `event ${row.seq} has unreadable details` };
    }
    if (row.seq !== expectedSeq) return { ok: false, events: count, broken_at: row.seq, reason: `event ${expectedSeq} is missing (the next one is ${row.seq})` };
    if (row.prev_hash !== previous) return { ok: false, events: count, broken_at: row.seq, reason: `event ${row.seq} does not follow event ${row.seq - 1}: it was moved, or the one before it was changed or removed` };
    if (eventHash({ ...row, details }) !== row.hash) return { ok: false, events: count, broken_at: row.seq, reason: `event ${row.seq} was edited after it was written` };
    previous = row.hash;
    expectedSeq++;
  }
  const head = stmt<[], { value: string }>(db, "SELECT value FROM meta WHERE key = 'audit_head'").get()?.value;
  if (head !== undefined && head !== `${count}:${previous}`) {
    const headSeq = Number(head.split(':')[0]);
    if (headSeq > count) return { ok: false, events: count, broken_at: count + 1, reason: `events ${count + 1} to ${headSeq} were removed from the end` };
    return { ok: false, events: count, broken_at: count, reason: `event ${count} is not the recorded head of the trail` };
  }
  return { ok: true, events: count, head: previous };
}
