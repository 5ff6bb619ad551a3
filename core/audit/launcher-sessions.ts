/**
 * Launcher sessions in the audit trail. Each `mcp-warden run` (one EventSink) numbers the events it
 * records 1, 2, 3... under a session id of its own; when an event reaches the database a receipt row
 * (session, seq) is written beside it. So a replay skips an event whose receipt exists (replays are
 * idempotent), and a number missing between two receipts is an event lost on the way, which
 * `verifyAudit` reports. A session's last number is an `end` receipt: written at close, or by whoever
 * recovers the journal of a session that died. See docs/audit.md.
 *
 * A session id is `<pid>-<start>-<random>`: the process and when it started (clock ticks since boot
 * from /proc on Linux, 0 elsewhere), so another process can tell whether the session is still alive
 * without asking it, and a reused pid is not mistaken for the session.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LauncherGap } from '../api/audit.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

export type ReceiptKind = 'audit' | 'alert' | 'tools_drift' | 'void' | 'end';

const SESSION_ID = /^(\d+)-(\d+)-[0-9a-f]{8}$/;

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined when unreadable. */
function startTicks(pid: number | 'self'): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined; // a zombie is dead
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

export function newSessionId(): string {
  const start = process.platform === 'linux' ? (startTicks('self') ?? 0) : 0;
  return `${process.pid}-${start}-${randomBytes(4).toString('hex')}`;
}

export function isSessionId(text: string): boolean {
  return SESSION_ID.test(text);
}

export function sessionPid(session: string): number | undefined {
  const match = SESSION_ID.exec(session);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Whether the process of a session still runs. On Linux its pid must exist with the same start time
 * (a reused pid is another process); elsewhere the pid must exist. `lastWriteMs` (the mtime of a file
 * the session wrote) older than this boot means dead whatever the pid says. The data directory is
 * assumed local to this machine and this pid namespace (see docs/launcher.md).
 */
export function sessionAlive(session: string, lastWriteMs?: number): boolean {
  const match = SESSION_ID.exec(session);
  if (match === null) return false;
  const pid = Number(match[1]);
  const start = Number(match[2]);
  if (pid === process.pid) return true;
  if (lastWriteMs !== undefined && lastWriteMs < Date.now() - os.uptime() * 1000 - 1000) return false;
  if (process.platform === 'linux' && start !== 0) return startTicks(pid) === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The numbers of `session` between `from` and `to` that already have a receipt. */
export function receivedSeqs(db: Db, session: string, from: number, to: number): Set<number> {
  const rows = stmt<[string, number, number], { seq: number }>(db, 'SELECT seq FROM launcher_receipts WHERE session = ? AND seq BETWEEN ? AND ?').all(session, from, to);
  return new Set(rows.map((r) => r.seq));
}

export function recordReceipt(db: Db, session: string, seq: number, kind: ReceiptKind, auditSeq: number | null): void {
  stmt(db, 'INSERT INTO launcher_receipts (session, seq, kind, audit_seq) VALUES (?, ?, ?, ?)').run(session, seq, kind, auditSeq);
}

interface Neighbour {
  audit_seq: number | null;
  name: string | null;
}

/** The nearest audit event of `session` before (`dir` -1) or after (+1) `seq`, with the server it names. */
function neighbour(db: Db, session: string, seq: number, dir: -1 | 1): Neighbour {
  const sql = dir < 0
    ? 'SELECT r.audit_seq, json_extract(a.details, \'$.name\') AS name FROM launcher_receipts r JOIN audit_events a ON a.seq = r.audit_seq WHERE r.session = ? AND r.seq < ? ORDER BY r.seq DESC LIMIT 1'
    : 'SELECT r.audit_seq, json_extract(a.details, \'$.name\') AS name FROM launcher_receipts r JOIN audit_events a ON a.seq = r.audit_seq WHERE r.session = ? AND r.seq > ? ORDER BY r.seq LIMIT 1';
  return stmt<[string, number], Neighbour>(db, sql).get(session, seq) ?? { audit_seq: null, name: null };
}

const gap = (db: Db, session: string, first: number, last: number | null): LauncherGap => {
  const before = neighbour(db, session, first, -1);
  const after = last === null ? { audit_seq: null, name: null } : neighbour(db, session, last, 1);
  return { session, server: before.name ?? after.name, first, last, after_event: before.audit_seq, before_event: after.audit_seq };
};

export interface GapOptions {
  limit?: number;
  /** Whether a session without an end may still be running (default: its process is). */
  alive?: (session: string) => boolean;
  /** Whether events `first` to `last` (null: on) of `session` may still be waiting somewhere (a spool file): then not a gap. */
  pending?: (session: string, first: number, last: number | null) => boolean;
}

export interface GapCandidate {
  session: string;
  first: number;
  last: number | null;
}

/**
 * The holes in the numbering of every launcher session (at most `limit`): numbers missing between
 * receipts, and sessions whose process is gone without an end receipt (their last events never
 * came). Read in the caller's read transaction; `confirmGaps` then drops what is on its way.
 */
export function gapCandidates(db: Db, options: GapOptions = {}): GapCandidate[] {
  const limit = options.limit ?? 100;
  const alive = options.alive ?? ((session: string) => sessionAlive(session));
  const holes = db.prepare<[number], GapCandidate>(
    `SELECT session, prev + 1 AS first, seq - 1 AS last FROM (
       SELECT session, seq, lag(seq, 1, 0) OVER (PARTITION BY session ORDER BY seq) AS prev FROM launcher_receipts
     ) WHERE seq > prev + 1 ORDER BY session, seq LIMIT ?`,
  ).all(limit);
  if (holes.length >= limit) return holes;
  const unended = db.prepare<[], { session: string; last: number }>(
    "SELECT session, max(seq) AS last FROM launcher_receipts GROUP BY session HAVING sum(kind = 'end') = 0 ORDER BY session",
  ).all();
  for (const u of unended) {
    if (holes.length >= limit) break;
    if (!alive(u.session)) holes.push({ session: u.session, first: u.last + 1, last: null });
  }
  return holes;
}

/**
 * The candidates that are still gaps now: not covered by what `pending` says is on its way (asked
 * only now, after the receipts were read: a file replayed in between has its receipts in by the fresh
 * count below, and a file written in between was written before the receipts that follow it).
 */
export function confirmGaps(db: Db, candidates: readonly GapCandidate[], options: GapOptions = {}): LauncherGap[] {
  const pending = options.pending ?? (() => false);
  const missing = ({ session, first, last }: GapCandidate): boolean => {
    if (pending(session, first, last)) return false;
    if (last === null) return stmt<[string], { n: number }>(db, "SELECT count(*) AS n FROM launcher_receipts WHERE session = ? AND kind = 'end'").get(session)?.n === 0;
    return (stmt<[string, number, number], { n: number }>(db, 'SELECT count(*) AS n FROM launcher_receipts WHERE session = ? AND seq BETWEEN ? AND ?').get(session, first, last)?.n ?? 0) < last - first + 1;
  };
  return candidates.filter(missing).map((c) => gap(db, c.session, c.first, c.last));
}

/** One sentence naming a gap, for `audit verify`. */
export function describeGap(g: LauncherGap): string {
  const server = g.server === null ? '' : ` (server "${g.server}")`;
  const where = g.after_event !== null && g.before_event !== null ? `, between audit events ${g.after_event} and ${g.before_event}` : g.after_event !== null ? `, after audit event ${g.after_event}` : '';
  if (g.last === null) {
    return `launcher session ${g.session}${server}: its events from ${g.first} on are missing${where} (its process ended without recording them, and left no journal to recover them from)`;
  }
  const events = g.first === g.last ? `event ${g.first} is missing` : `events ${g.first}-${g.last} are missing`;
  return `launcher session ${g.session}${server}: ${events}${where}`;
}
