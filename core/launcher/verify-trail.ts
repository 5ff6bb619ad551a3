/**
 * `audit verify` (CLI and REST): first brings in what the launchers left in the spool (batches the
 * database could not take, journals of sessions that died), then walks the chain and the launcher
 * sessions' numbering. So a gap it reports is an event that is nowhere, not one still on its way.
 */
import type { AuditVerdict } from '../api/audit.ts';
import { verifyAudit } from '../audit/audit-log.ts';
import { newSessionId } from '../audit/launcher-sessions.ts';
import type { Store } from '../store/database.ts';
import { recoverSpool, waitingInSpool, type Recovery } from './spool.ts';

export interface TrailCheck {
  verdict: AuditVerdict;
  /** What was replayed from the spool first; `problem` when it could not be (the database busy). */
  recovered: Recovery | { problem: string };
}

export function verifyTrail(store: Store): TrailCheck {
  let recovered: TrailCheck['recovered'];
  try {
    recovered = recoverSpool(store.db, store.dataDir, newSessionId());
  } catch (error) {
    recovered = { problem: (error as Error).message };
  }
  // What a running launcher still holds in the spool (its batch files, claimed by a replayer right
  // now, or its journal) is on its way, not lost.
  let waiting: ReturnType<typeof waitingInSpool> | undefined;
  const pending = (session: string, first: number, last: number | null): boolean => (waiting ??= waitingInSpool(store.dataDir))(session, first, last);
  return { verdict: verifyAudit(store.db, { pending }), recovered };
}
