/**
 * Trust history: every change of a server's trust score is stored with the breakdown that explains
 * it (the UI charts and explains it) and audited. Recomputing with nothing changed stores nothing.
 */
import { appendAudit } from '../audit/audit-log.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { getServer } from '../registry/read.ts';
import { trustInputs } from './inputs.ts';
import { scoreTrust, trustBand, type TrustBand, type TrustScore } from './score.ts';

export interface TrustRecord {
  id: number;
  server_id: string;
  /** ISO 8601: when this score took effect. */
  at: string;
  score: number;
  breakdown: TrustScore;
}

interface TrustRow {
  id: number;
  server_id: string;
  at: string;
  score: number;
  breakdown: string;
}

const toRecord = (row: TrustRow): TrustRecord => ({ id: row.id, server_id: row.server_id, at: row.at, score: row.score, breakdown: JSON.parse(row.breakdown) as TrustScore });

/** The score a server (by id or name) has now, computed and not stored. */
export function computeTrust(db: Db, serverId: string, now: Date = new Date()): TrustScore {
  return scoreTrust(trustInputs(db, serverId, now));
}

export interface Recomputed {
  score: number;
  breakdown: TrustScore;
  /** True when the score or its breakdown differs from the last stored one (a row was stored). */
  changed: boolean;
  record: TrustRecord;
}

/**
 * Computes the score of a server (by id or name) and stores it, with an audit event
 * `trust.changed`, when it differs from the last stored one in score or breakdown. Runs in its own
 * IMMEDIATE transaction, or as a savepoint of the caller's, so call it inside the transaction that
 * changed an input and the new score commits with the change.
 */
export function recomputeTrust(db: Db, serverId: string, now: Date = new Date()): Recomputed {
  return db
    .transaction((): Recomputed => {
      const server = getServer(db, serverId);
      const id = server.id;
      const breakdown = computeTrust(db, id, now);
      const text = canonicalJson(breakdown);
      const last = stmt<[string], TrustRow>(db, 'SELECT * FROM trust_scores WHERE server_id = ? ORDER BY id DESC LIMIT 1').get(id);
      if (last !== undefined && last.score === breakdown.score && last.breakdown === text) {
        return { score: breakdown.score, breakdown, changed: false, record: toRecord(last) };
      }
      const at = now.toISOString();
      const info = stmt(db, 'INSERT INTO trust_scores (server_id, at, score, breakdown) VALUES (?, ?, ?, ?)').run(id, at, breakdown.score, text);
      appendAudit(db, {
        actor: 'system',
        type: 'trust.changed',
        server_id: id,
        details: {
          name: server.name,
          from: last?.score ?? null,
          to: breakdown.score,
          uncapped: breakdown.uncapped_score,
          capped_by: breakdown.capped_by,
          band: breakdown.band,
          contributions: Object.fromEntries(breakdown.factors.map((f) => [f.factor, f.contribution])),
        },
      }, now);
      const record: TrustRecord = { id: Number(info.lastInsertRowid), server_id: id, at, score: breakdown.score, breakdown };
      return { score: breakdown.score, breakdown, changed: true, record };
    })
    .immediate();
}

/** Recomputes every server (for a periodic tick: resolved alerts age). Returns the ids whose score changed. */
export function recomputeAllTrust(db: Db, now: Date = new Date()): string[] {
  return db
    .transaction(() => {
      const ids = stmt<[], { id: string }>(db, 'SELECT id FROM servers ORDER BY name').all().map((r) => r.id);
      return ids.filter((id) => recomputeTrust(db, id, now).changed);
    })
    .immediate();
}

/** The last stored score of a server (by id), or undefined when none was ever stored. */
export function latestTrust(db: Db, serverId: string): TrustRecord | undefined {
  const row = stmt<[string], TrustRow>(db, 'SELECT * FROM trust_scores WHERE server_id = ? ORDER BY id DESC LIMIT 1').get(serverId);
  return row === undefined ? undefined : toRecord(row);
}

export interface TrustHistoryQuery {
  /** Only the newest this many (still returned oldest first). */
  limit?: number;
}

/** Every stored score of a server (by id), oldest first: the history chart. */
export function trustHistory(db: Db, serverId: string, query: TrustHistoryQuery = {}): TrustRecord[] {
  const rows = stmt<[string, number], TrustRow>(db, 'SELECT * FROM trust_scores WHERE server_id = ? ORDER BY id DESC LIMIT ?').all(serverId, query.limit ?? -1);
  return rows.reverse().map(toRecord);
}

/** The last stored score of every server that has one, by server id: for `mcp list` (one query, no breakdown parsing). */
export function latestTrustScores(db: Db): Map<string, { score: number; band: TrustBand }> {
  const rows = stmt<[], { server_id: string; score: number }>(db, 
    'SELECT server_id, score FROM trust_scores WHERE id IN (SELECT max(id) FROM trust_scores GROUP BY server_id)',
  ).all();
  return new Map(rows.map((r) => [r.server_id, { score: r.score, band: trustBand(r.score) }]));
}
