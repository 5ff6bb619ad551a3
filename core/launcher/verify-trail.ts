/**
 * `audit verify` (CLI and REST): first brings in what the launchers left in the spool (batches the
 * database could not take, journals of sessions that died), then walks the chain and the launcher
 * sessions' numbering. So a gap it reports is an event that is nowhere, not one still waiting.
 */
import type { AuditVerdict } from '../api/audit.ts';
import { verifyAudit } from '../audit/audit-log.ts';
import { newSessionId } from '../audit/launcher-sessions.ts';
import type { Store } from '../store/database.ts';
import { recoverSpool, type Recovery } from './spool.ts';

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
  return { verdict: verifyAudit(store.db), recovered };
}
