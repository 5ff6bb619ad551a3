/**
 * What a launcher session records, and how it is written to its journal and spool files: one JSON
 * object per line, each numbered with the session's sequence number (see docs/launcher.md).
 *
 *   {"h":1,"session":"<id>","next":N}     header: the session, and the next number it would give
 *   {"s":N,"e":<event>}                   event N (a later line for the same N replaces an earlier one)
 *   {"s":N,"k":"<key>","e":<event>}       item N still pending (EventSink.begin): its provisional event
 */
import type { Condition } from '../alerts/alert-store.ts';
import type { AuditInput } from '../audit/audit-log.ts';
import type { Definition } from '../api/probe.ts';

export type LauncherEvent =
  | { kind: 'audit'; at: string; event: AuditInput }
  | { kind: 'alert'; at: string; condition: Condition }
  /** A tools/list answer that differs from the pin: evaluated in the writer with the probe's own code. */
  | { kind: 'tools_drift'; at: string; server_id: string; tools: Definition[] };

/** Besides what the relay records: a pending item dropped (its number used), and the session's end. */
export type SessionEvent = LauncherEvent | { kind: 'void'; at: string } | { kind: 'end'; at: string; recovered?: boolean };

export interface Numbered {
  seq: number;
  event: SessionEvent;
}

/**
 * The spool folder of the data directory holds, each named for the session that wrote it:
 *   <session>.journal            the write-ahead journal only that session appends to
 *   <session>.<n>.batch          a batch the database could not take (written once, never appended)
 *   <name>.tmp                   a file being written (renamed to <name> when complete)
 *   <name>.claimed-<session>     a file taken by that session to be replayed (rename: atomic)
 */
export const SPOOL_DIR = 'spool';
export const JOURNAL_SUFFIX = '.journal';
export const BATCH_SUFFIX = '.batch';
export const TEMP_SUFFIX = '.tmp';
export const CLAIM_MARK = '.claimed-';

export const headerLine = (session: string, next: number): string => `{"h":1,"session":${JSON.stringify(session)},"next":${next}}\n`;
export const eventLine = (seq: number, event: SessionEvent): string => `{"s":${seq},"e":${JSON.stringify(event)}}\n`;
export const pendingLine = (seq: number, key: string, event: LauncherEvent): string => `{"s":${seq},"k":${JSON.stringify(key)},"e":${JSON.stringify(event)}}\n`;

export interface ParsedRecords {
  session: string | null;
  /** The highest number the session had given when the file was written (header `next` - 1, or the highest line). */
  last: number;
  /** One event per number, the last line written for it, in number order. */
  events: Numbered[];
  /** Whether an `end` event is among them. */
  ended: boolean;
}

/** Enough of an event's shape for the database to take it (a corrupt line is left out: a gap verify reports). */
function wellFormed(event: unknown): event is SessionEvent {
  if (event === null || typeof event !== 'object') return false;
  const e = event as { kind?: unknown; at?: unknown; event?: { actor?: unknown; type?: unknown } | null; condition?: unknown; server_id?: unknown; tools?: unknown };
  if (typeof e.at !== 'string') return false;
  switch (e.kind) {
    case 'audit':
      return e.event !== null && typeof e.event === 'object' && typeof e.event.actor === 'string' && typeof e.event.type === 'string';
    case 'alert':
      return e.condition !== null && typeof e.condition === 'object';
    case 'tools_drift':
      return typeof e.server_id === 'string' && Array.isArray(e.tools);
    case 'void':
    case 'end':
      return true;
    default:
      return false;
  }
}

/** Reads journal or spool lines. A line that does not parse (a torn write) is skipped. */
export function parseRecords(text: string): ParsedRecords {
  let session: string | null = null;
  let last = 0;
  const bySeq = new Map<number, SessionEvent>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: { h?: unknown; session?: unknown; next?: unknown; s?: unknown; e?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (record === null || typeof record !== 'object') continue;
    if (record.h === 1) {
      if (typeof record.session === 'string') session = record.session;
      if (typeof record.next === 'number') last = Math.max(last, record.next - 1);
      continue;
    }
    if (typeof record.s !== 'number' || !Number.isSafeInteger(record.s) || record.s < 1) continue;
    const event = record.e as SessionEvent | undefined;
    if (!wellFormed(event)) continue;
    bySeq.set(record.s, event);
    last = Math.max(last, record.s);
  }
  const events = [...bySeq].sort((a, b) => a[0] - b[0]).map(([seq, event]) => ({ seq, event }));
  return { session, last, events, ended: events.some((e) => e.event.kind === 'end') };
}
