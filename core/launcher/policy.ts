/**
 * The launcher's policies for one server: what `mcp-warden run` does when the attestation fails
 * (`attestation`) and when the client calls a tool neither pinned nor declared (`undeclared`).
 * Each is the server's own column when set, else the global setting (`attestation-policy`,
 * `undeclared-tool-policy`). Read without zod: `run` reads them on every launch.
 */
import { POLICIES, type Policy, type ServerPolicies } from '../api/launcher.ts';
import { invalidInput, notFound } from '../api/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { getServer } from '../registry/read.ts';
import { getSetting } from '../settings/settings.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

interface PolicyRow {
  attestation_policy: Policy | null;
  undeclared_policy: Policy | null;
}

/** The server's own policies (null: follows the global setting) and the ones in force. */
export function getServerPolicies(db: Db, serverId: string): ServerPolicies {
  const row = stmt<[string], PolicyRow>(db, 'SELECT attestation_policy, undeclared_policy FROM servers WHERE id = ?').get(serverId);
  if (row === undefined) throw notFound(`No server with id ${serverId} is registered.`, 'name');
  return policiesFrom(db, row);
}

function policiesFrom(db: Db, row: PolicyRow): ServerPolicies {
  const attestation = isPolicy(row.attestation_policy) ? row.attestation_policy : null;
  const undeclared = isPolicy(row.undeclared_policy) ? row.undeclared_policy : null;
  return {
    attestation,
    undeclared,
    effective: {
      attestation: attestation ?? getSetting(db, 'attestation-policy'),
      undeclared: undeclared ?? getSetting(db, 'undeclared-tool-policy'),
    },
  };
}

export const isPolicy = (value: unknown): value is Policy => typeof value === 'string' && (POLICIES as readonly string[]).includes(value);

export interface PolicyChange {
  /** `warn` or `block` for this server; null to follow the global setting again; absent to leave as is. */
  attestation?: Policy | null | undefined;
  undeclared?: Policy | null | undefined;
}

/** Sets a server's own policies (audited as `server.policy_changed` when anything changes). */
export function setServerPolicies(store: Store, nameOrId: string, change: PolicyChange, now: Date = new Date()): ServerPolicies {
  for (const field of ['attestation', 'undeclared'] as const) {
    const value: unknown = change[field];
    if (value !== undefined && value !== null && !isPolicy(value)) {
      throw invalidInput(field, `The ${field} policy takes ${POLICIES.join(' or ')} (or null to follow the global setting), not ${JSON.stringify(value)}.`);
    }
  }
  const { db } = store;
  return db
    .transaction(() => {
      const server = getServer(db, nameOrId);
      const before = getServerPolicies(db, server.id);
      const attestation = change.attestation === undefined ? before.attestation : change.attestation;
      const undeclared = change.undeclared === undefined ? before.undeclared : change.undeclared;
      if (attestation === before.attestation && undeclared === before.undeclared) return before;
      stmt(db, 'UPDATE servers SET attestation_policy = ?, undeclared_policy = ?, updated_at = ? WHERE id = ?').run(attestation, undeclared, now.toISOString(), server.id);
      const after = getServerPolicies(db, server.id);
      appendAudit(db, {
        actor: 'user',
        type: 'server.policy_changed',
        server_id: server.id,
        details: {
          name: server.name,
          before: { attestation: before.attestation, undeclared: before.undeclared },
          after: { attestation: after.attestation, undeclared: after.undeclared },
          effective: after.effective,
        },
      }, now);
      return after;
    })
    .immediate();
}
