/**
 * A per-server allowlist of content-scan rules: the user's way to silence a false positive for one
 * server, audited. The server's probe alerts are re-evaluated at once against its latest probe.
 */
import { invalidInput, WardenError } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';
import { syncConditions } from '../alerts/alert-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { CONTENT_RULES } from '../content-scan/index.ts';
import { evaluateProbe, latestProbe, PROBE_ALERT_TYPES } from '../pins/record.ts';
import type { Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { recomputeTrust } from '../trust/record.ts';
import { getServer } from './read.ts';

export function setRuleAllowed(store: Store, nameOrId: string, rule: string, allowed: boolean, now: Date = new Date()): ServerDefinition {
  if (!CONTENT_RULES.some((r) => r.id === rule)) {
    throw invalidInput('rule', `Unknown content-scan rule "${rule}": the rules are ${CONTENT_RULES.map((r) => r.id).join(', ')}.`);
  }
  const { db } = store;
  return db
    .transaction(() => {
      const server = getServer(db, nameOrId);
      const has = server.allowed_rules.includes(rule);
      if (has === allowed) throw new WardenError('conflict', `The rule ${rule} is already ${allowed ? 'allowed' : 'not allowed'} for "${server.name}".`, 'rule');
      const rules = allowed ? [...server.allowed_rules, rule].sort() : server.allowed_rules.filter((r) => r !== rule);
      stmt(db, 'UPDATE servers SET allowed_rules = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(rules), now.toISOString(), server.id);
      appendAudit(db, { actor: 'user', type: allowed ? 'rule.allowed' : 'rule.disallowed', server_id: server.id, details: { name: server.name, rule } }, now);
      const updated = getServer(db, server.id);
      const latest = latestProbe(db, server.id);
      if (latest !== undefined) syncConditions(db, { server_id: server.id, types: PROBE_ALERT_TYPES }, evaluateProbe(db, updated, latest.result).conditions, now);
      recomputeTrust(db, server.id, now);
      return updated;
    })
    .immediate();
}
