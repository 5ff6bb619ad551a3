/**
 * Alerts in the database: raised from conditions with deduplication, resolved automatically when
 * their condition disappears, acknowledged or resolved by the user. Every change is audited in the
 * same transaction.
 */
import { ALERT_STATES, SEVERITIES, severityRank, type Alert, type AlertState, type AlertType, type Severity } from '../api/alert.ts';
import { invalidInput, notFound, WardenError } from '../api/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db } from '../store/database.ts';
import { ALERT_RULES } from './rules.ts';
import { recomputeTrust } from '../trust/record.ts';
import { stmt } from '../store/statements.ts';

/** A condition that holds now; the same dedup key never has two unresolved alerts. */
export interface Condition {
  type: AlertType;
  title: string;
  dedup_key: string;
  server_id: string | null;
  agent_id: string | null;
  details: Record<string, unknown>;
  severity?: Severity;
}

interface AlertRow {
  id: number;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  title: string;
  details: string;
  dedup_key: string;
  server_id: string | null;
  agent_id: string | null;
  created_at: string;
  updated_at: string;
  resolved_reason: string | null;
  server_name: string | null;
  client: string | null;
  config_path: string | null;
}

const SELECT_ALERTS = `
  SELECT a.*, s.name AS server_name, g.client AS client, g.config_path AS config_path
    FROM alerts a LEFT JOIN servers s ON s.id = a.server_id LEFT JOIN agents g ON g.id = a.agent_id`;

const toAlert = ({ agent_id: _agent, ...row }: AlertRow): Alert => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> });

export function getAlert(db: Db, id: number): Alert {
  const row = stmt<[number], AlertRow>(db, `${SELECT_ALERTS} WHERE a.id = ?`).get(id);
  if (row === undefined) throw notFound(`No alert with id ${id} exists.`, 'id');
  return toAlert(row);
}

/**
 * A condition that comes back within this long of the monitor resolving its alert re-opens that
 * alert, counted, instead of raising a new one: a config flipping between two contents is one alert
 * and one notification, not one per flip.
 */
export const REOPEN_WINDOW_MS = 60_000;

/** Whose alerts a sync may resolve: one config's, or one server's that concern no config (probes). */
export type AlertScope = ({ agent_id: string } | { server_id: string }) & { types?: readonly AlertType[] };

export interface SyncedAlerts {
  /** New alerts: the caller notifies the loud ones. */
  opened: Alert[];
  /** Alerts of conditions back within REOPEN_WINDOW_MS: open again, never notified again. */
  reopened: Alert[];
  resolved: Alert[];
}

/**
 * Opens an alert for each condition not already covered (an unresolved alert with its key, or one
 * the user resolved while the condition held), or re-opens the one the monitor resolved moments ago,
 * and resolves the scope's unresolved alerts whose condition is gone. Run inside the scan's transaction.
 */
export function syncConditions(db: Db, scope: AlertScope, conditions: readonly Condition[], now: Date): SyncedAlerts {
  const { opened, reopened } = openConditions(db, conditions, now);
  const keys = new Set(conditions.map((c) => c.dedup_key));
  const candidates =
    'agent_id' in scope
      ? stmt<[string], StaleCandidate>(db, "SELECT id, type, dedup_key FROM alerts WHERE agent_id = ? AND state != 'resolved'").all(scope.agent_id)
      : stmt<[string], StaleCandidate>(db, "SELECT id, type, dedup_key FROM alerts WHERE server_id = ? AND agent_id IS NULL AND state != 'resolved'").all(scope.server_id);
  const resolved = resolveAlerts(db, candidates.filter((a) => !keys.has(a.dedup_key) && (scope.types === undefined || scope.types.includes(a.type))), now);
  return { opened, reopened, resolved };
}

/** An unresolved alert a sync may resolve, when its condition is no longer among those that hold. */
export interface StaleCandidate {
  id: number;
  type: AlertType;
  dedup_key: string;
}

/** The first half of a sync (see syncConditions): an alert for each condition not already covered. */
export function openConditions(db: Db, conditions: readonly Condition[], now: Date): Pick<SyncedAlerts, 'opened' | 'reopened'> {
  const opened: Alert[] = [];
  const reopened: Alert[] = [];
  const covered = stmt<[string], { id: number }>(db, "SELECT id FROM alerts WHERE dedup_key = ? AND (state != 'resolved' OR resolved_by = 'user') LIMIT 1");
  const recent = stmt<[string, string], { id: number }>(db, "SELECT id FROM alerts WHERE dedup_key = ? AND state = 'resolved' AND resolved_by = 'monitor' AND updated_at >= ? ORDER BY id DESC LIMIT 1");
  const since = new Date(now.getTime() - REOPEN_WINDOW_MS).toISOString();
  for (const condition of conditions) {
    if (covered.get(condition.dedup_key) !== undefined) continue;
    const last = recent.get(condition.dedup_key, since);
    if (last !== undefined) reopened.push(reopenAlert(db, last.id, condition, now));
    else opened.push(insertAlert(db, condition, now));
  }
  return { opened, reopened };
}

/**
 * The second half: resolves these alerts (their condition is gone) as the monitor, skipping any
 * another writer resolved meanwhile (a scan in chunks reads its candidates before it resolves them).
 */
export function resolveAlerts(db: Db, alerts: readonly Pick<StaleCandidate, 'id' | 'type'>[], now: Date): Alert[] {
  const unresolved = stmt<[number], { id: number }>(db, "SELECT id FROM alerts WHERE id = ? AND state != 'resolved'");
  const resolved: Alert[] = [];
  for (const alert of alerts) {
    if (unresolved.get(alert.id) === undefined) continue;
    resolved.push(setState(db, alert.id, 'resolved', { actor: 'monitor', reason: ALERT_RULES[alert.type].cleared, now }));
  }
  return resolved;
}

/** Opens a resolved alert again with the condition as it is now; `details.reopened` counts how often. */
function reopenAlert(db: Db, id: number, condition: Condition, now: Date): Alert {
  const before = getAlert(db, id);
  const count = countOf(before.details.reopened) + 1;
  const at = now.toISOString();
  const details = { ...condition.details, reopened: { count, last_at: at } };
  stmt(db, "UPDATE alerts SET state = 'open', title = ?, details = ?, updated_at = ?, resolved_reason = NULL, resolved_by = NULL WHERE id = ?")
    .run(condition.title, JSON.stringify(details), at, id);
  const alert = getAlert(db, id);
  appendAudit(db, { actor: 'monitor', type: 'alert.reopened', server_id: alert.server_id, details: { alert_id: id, alert_type: alert.type, severity: alert.severity, title: alert.title, count } }, now);
  return alert;
}

const countOf = (value: unknown): number => {
  const count = (value as { count?: unknown } | null | undefined)?.count;
  return typeof count === 'number' ? count : 0;
};

export function insertAlert(db: Db, condition: Condition, now: Date): Alert {
  const severity = condition.severity ?? ALERT_RULES[condition.type].severity;
  const at = now.toISOString();
  const { lastInsertRowid } = stmt(db, 
      `INSERT INTO alerts (type, severity, state, title, details, dedup_key, server_id, agent_id, created_at, updated_at)
       VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(condition.type, severity, condition.title, JSON.stringify(condition.details), condition.dedup_key, condition.server_id, condition.agent_id, at, at);
  const alert = getAlert(db, Number(lastInsertRowid));
  appendAudit(db, { actor: 'monitor', type: 'alert.opened', server_id: alert.server_id, details: { alert_id: alert.id, alert_type: alert.type, severity, title: alert.title, details: alert.details } }, now);
  return alert;
}

function setState(db: Db, id: number, state: 'acknowledged' | 'resolved', how: { actor: 'user' | 'monitor'; reason?: string; now: Date }): Alert {
  const at = how.now.toISOString();
  stmt(db, 
    `UPDATE alerts SET state = ?, updated_at = ?,
            resolved_reason = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_reason END,
            resolved_by = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_by END
      WHERE id = ?`,
  ).run(state, at, state, how.reason ?? null, state, how.actor, id);
  const alert = getAlert(db, id);
  appendAudit(db, { actor: how.actor, type: state === 'resolved' ? 'alert.resolved' : 'alert.acknowledged', server_id: alert.server_id, details: { alert_id: id, alert_type: alert.type, ...(how.reason ? { reason: how.reason } : {}) } }, how.now);
  return alert;
}

/** The user acknowledges or resolves an alert. */
export function changeAlertState(db: Db, id: number, state: 'acknowledged' | 'resolved', now: Date = new Date()): Alert {
  return db
    .transaction(() => {
      const alert = getAlert(db, id);
      if (alert.state === 'resolved') throw new WardenError('conflict', `Alert ${id} is already resolved.`, 'id');
      if (alert.state === state) throw new WardenError('conflict', `Alert ${id} is already acknowledged.`, 'id');
      const changed = setState(db, id, state, { actor: 'user', reason: state === 'resolved' ? 'resolved by the user' : undefined, now });
      if (changed.server_id !== null) recomputeTrust(db, changed.server_id, now);
      return changed;
    })
    .immediate();
}

export interface AlertQuery {
  state?: string;
  /** This severity and above. */
  severity?: string;
  serverId?: string;
  limit?: number;
}

/** Open alerts first, then by severity (highest first), newest first. */
export function listAlerts(db: Db, query: AlertQuery = {}): Alert[] {
  if (query.state !== undefined && !(ALERT_STATES as readonly string[]).includes(query.state)) {
    throw invalidInput('state', `Unknown alert state "${query.state}": use ${ALERT_STATES.join(', ')}.`);
  }
  if (query.severity !== undefined && !(SEVERITIES as readonly string[]).includes(query.severity)) {
    throw invalidInput('severity', `Unknown severity "${query.severity}": use ${SEVERITIES.join(', ')}.`);
  }
  const minRank = query.severity === undefined ? 0 : severityRank(query.severity as Severity);
  const rows = stmt<[{ state: string | null; server: string | null; limit: number }], AlertRow>(db, 
      `${SELECT_ALERTS}
        WHERE (@state IS NULL OR a.state = @state) AND (@server IS NULL OR a.server_id = @server)
        ORDER BY CASE a.state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
                 CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END,
                 a.id DESC
        LIMIT @limit`,
    )
    .all({ state: query.state ?? null, server: query.serverId ?? null, limit: query.limit ?? -1 });
  return rows.map(toAlert).filter((a) => severityRank(a.severity) >= minRank);
}
