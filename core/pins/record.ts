/**
 * What a probe means for a server: it is stored; the first successful probe of an approved server
 * sets its pin; later ones are compared with the pin, scanned for poisoning, checked against the
 * declared capabilities and other servers' tool names, and every finding becomes one alert.
 */
import type { Alert, AlertType, Severity } from '../api/alert.ts';
import { severityRank } from '../api/alert.ts';
import type { ContentFinding, ProbeResult, ProbeSuccess } from '../api/probe.ts';
import type { ServerDefinition } from '../api/server.ts';
import { syncConditions, type Condition } from '../alerts/alert-store.ts';
import { shouldNotify, type Notifier } from '../alerts/notifier.ts';
import { ALERT_RULES } from '../alerts/rules.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { scanDefinitions } from '../content-scan/scan.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { recomputeTrust } from '../trust/record.ts';
import { computePin, diffPins, isEmptyDiff, type Pin, type PinDiff } from './pin.ts';

export const PROBE_ALERT_TYPES: readonly AlertType[] = ['definition_changed', 'poisoned_definition', 'undeclared_capability', 'missing_capability', 'tool_collision'];

/** Names and descriptions that touch execution, files, network, secrets or credentials. */
const SENSITIVE = /\b(exec\w*|command|shell|spawn|run|process|file|files|path|dir\w*|read|write|delete|remove|upload|download|http\w*|url|fetch|request|network|send|email|post|secret|token|password|credential\w*|api[_ ]?key|key|auth\w*|ssh|env\w*|sql|query|database)\b/i;

export interface RecordOptions {
  store: Store;
  now?: () => Date;
  notifier?: Notifier;
}

export interface RecordedProbe {
  probe_id: number;
  result: ProbeResult;
  /** True when this probe set the server's pin. */
  pinned: boolean;
  diff: PinDiff | null;
  findings: ContentFinding[];
  opened: Alert[];
  resolved: Alert[];
}

export function readPin(db: Db, serverId: string): Pin | undefined {
  const row = stmt<[string], { pin: string }>(db, 'SELECT pin FROM pins WHERE server_id = ?').get(serverId);
  return row === undefined ? undefined : (JSON.parse(row.pin) as Pin);
}

/** A server's latest successful probe, with its diff against the pin at that time. */
export function latestProbe(db: Db, serverId: string): { id: number; result: ProbeSuccess; diff: PinDiff | null } | undefined {
  const row = stmt<[string], { id: number; result: string; diff: string | null }>(db, 'SELECT id, result, diff FROM probes WHERE server_id = ? AND ok = 1 ORDER BY id DESC LIMIT 1').get(serverId);
  return row === undefined ? undefined : { id: row.id, result: JSON.parse(row.result) as ProbeSuccess, diff: row.diff === null ? null : (JSON.parse(row.diff) as PinDiff) };
}

export function savePin(db: Db, server: ServerDefinition, pin: Pin, probeId: number | null, now: Date, why: 'first probe' | 'approved'): void {
  stmt(db, `INSERT INTO pins (server_id, manifest_sha256, pin, pinned_at, probe_id) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (server_id) DO UPDATE SET manifest_sha256 = excluded.manifest_sha256, pin = excluded.pin, pinned_at = excluded.pinned_at, probe_id = excluded.probe_id`)
    .run(server.id, pin.manifest_sha256, JSON.stringify(pin), now.toISOString(), probeId);
  appendAudit(db, { actor: why === 'approved' ? 'user' : 'system', type: 'pin.set', server_id: server.id, details: { name: server.name, manifest_sha256: pin.manifest_sha256, entries: pin.entries.length, why } }, now);
}

export function recordProbe(options: RecordOptions, server: ServerDefinition, result: ProbeResult): RecordedProbe {
  const { db } = options.store;
  const now = (options.now ?? (() => new Date()))();
  const recorded: RecordedProbe = { probe_id: 0, result, pinned: false, diff: null, findings: [], opened: [], resolved: [] };
  db.transaction(() => {
    if (!result.ok) {
      recorded.probe_id = insertProbe(db, server, result, now, null, null, []);
      appendAudit(db, { actor: 'user', type: 'server.probed', server_id: server.id, details: { name: server.name, ok: false, category: result.category } }, now);
      recomputeTrust(db, server.id, now);
      return;
    }
    const evaluation = evaluateProbe(db, server, result);
    recorded.diff = evaluation.diff;
    recorded.findings = evaluation.findings;
    recorded.probe_id = insertProbe(db, server, result, now, evaluation.pin.manifest_sha256, evaluation.diff, evaluation.findings);
    if (evaluation.existing === undefined && server.status === 'approved') {
      savePin(db, server, evaluation.pin, recorded.probe_id, now, 'first probe');
      recorded.pinned = true;
    }
    const synced = syncConditions(db, { server_id: server.id, types: PROBE_ALERT_TYPES }, evaluation.conditions, now);
    recorded.opened = synced.opened;
    recorded.resolved = synced.resolved;
    appendAudit(db, {
      actor: 'user',
      type: 'server.probed',
      server_id: server.id,
      details: {
        name: server.name,
        ok: true,
        manifest_sha256: evaluation.pin.manifest_sha256,
        pinned: recorded.pinned,
        ...(evaluation.diff === null ? {} : { added: evaluation.diff.added.length, removed: evaluation.diff.removed.length, changed: evaluation.diff.changed.length }),
      },
    }, now);
    recomputeTrust(db, server.id, now);
  }).immediate();
  const loud = recorded.opened.filter(shouldNotify);
  if (loud.length > 0) options.notifier?.notify(loud);
  return recorded;
}

function insertProbe(db: Db, server: ServerDefinition, result: ProbeResult, now: Date, manifest: string | null, diff: PinDiff | null, findings: ContentFinding[]): number {
  const info = stmt(db, `INSERT INTO probes (server_id, at, ok, category, message, result, manifest_sha256, diff, findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    server.id, now.toISOString(), result.ok ? 1 : 0, result.ok ? null : result.category, result.ok ? null : result.message,
    JSON.stringify(result), manifest, diff === null ? null : JSON.stringify(diff), JSON.stringify(findings),
  );
  return Number(info.lastInsertRowid);
}

interface Evaluation {
  pin: Pin;
  existing: Pin | undefined;
  diff: PinDiff | null;
  findings: ContentFinding[];
  conditions: Condition[];
}

/** Every condition a successful probe of `server` shows, against its pin and the other servers. */
export function evaluateProbe(db: Db, server: ServerDefinition, result: ProbeSuccess): Evaluation {
  const pin = computePin(result, server.fingerprint);
  const existing = readPin(db, server.id);
  const otherPins = stmt<[string], { server_id: string; name: string; pin: string }>(db, 'SELECT p.server_id, s.name, p.pin FROM pins p JOIN servers s ON s.id = p.server_id WHERE p.server_id != ?')
    .all(server.id)
    .map((row) => ({ id: row.server_id, name: row.name, tools: (JSON.parse(row.pin) as Pin).entries.filter((e) => e.kind === 'tool').map((e) => e.key) }));
  const findings = scanDefinitions(result, { otherServers: otherPins.map(({ name, tools }) => ({ name, tools })), allow: server.allowed_rules });
  const diff = existing === undefined ? null : diffPins(existing, pin);
  const conditions: Condition[] = [];
  const title = { server: server.name, client: '', file: '', count: 0, detail: '' };
  const condition = (type: AlertType, key: string, detail: string, details: Record<string, unknown>, severity?: Severity): Condition => ({
    type,
    title: ALERT_RULES[type].title({ ...title, detail }),
    dedup_key: `${type}:${server.id}:${key}`,
    server_id: server.id,
    agent_id: null,
    details,
    ...(severity === undefined ? {} : { severity }),
  });

  if (diff !== null && !isEmptyDiff(diff)) {
    const parts = [
      diff.changed.length > 0 ? `changed ${diff.changed.map((c) => `${c.kind} ${c.key}`).join(', ')}` : '',
      diff.added.length > 0 ? `added ${diff.added.map((c) => `${c.kind} ${c.key}`).join(', ')}` : '',
      diff.removed.length > 0 ? `removed ${diff.removed.map((c) => `${c.kind} ${c.key}`).join(', ')}` : '',
      diff.instructions !== null ? 'instructions changed' : '',
      diff.launch_changed ? 'launch changed' : '',
    ].filter(Boolean);
    conditions.push(condition('definition_changed', pin.manifest_sha256, parts.join('; '), { diff, pinned_manifest: existing?.manifest_sha256, manifest: pin.manifest_sha256 }, changeSeverity(diff, findings)));
  }
  for (const finding of findings) {
    if (severityRank(finding.severity) < severityRank('medium')) continue;
    conditions.push(condition('poisoned_definition', `${finding.rule}:${finding.where}`, `${finding.where}: ${finding.message}`, { ...finding }, finding.severity));
  }
  const exposed = result.tools.map((t) => t.name).filter((n): n is string => typeof n === 'string');
  if (server.capabilities.length > 0) {
    for (const tool of exposed.filter((t) => !server.capabilities.includes(t))) conditions.push(condition('undeclared_capability', tool, tool, { tool, declared: server.capabilities }));
    for (const tool of server.capabilities.filter((t) => !exposed.includes(t))) conditions.push(condition('missing_capability', tool, tool, { tool, exposed }));
  }
  for (const other of otherPins) {
    for (const tool of exposed.filter((t) => other.tools.includes(t))) {
      const pair = [server.id, other.id].sort().join('+');
      conditions.push(condition('tool_collision', `${pair}:${tool}`, `${tool} (on "${server.name}" and "${other.name}")`, { tool, servers: [server.name, other.name] }));
    }
  }
  return { pin, existing, diff, findings, conditions };
}

/** High when a changed or added entry touches execution, files, network or secrets, or a finding does; low for harmless additions only. */
function changeSeverity(diff: PinDiff, findings: ContentFinding[]): Severity {
  const touched = [...diff.added, ...diff.changed.map((c) => ({ ...c, definition: undefined }))].map((e) => e.key);
  const addedText = diff.added.map((e) => `${e.key} ${String(e.definition.description ?? '')}`);
  const changedText = diff.changed.map((c) => `${c.key} ${c.fields.map((f) => `${String(f.before ?? '')} ${String(f.after ?? '')}`).join(' ')}`);
  const suspicious = findings.some((f) => severityRank(f.severity) >= severityRank('medium') && touched.some((k) => f.where.includes(`:${k}.`) || f.where.endsWith(`:${k}`)));
  if (suspicious || [...addedText, ...changedText].some((t) => SENSITIVE.test(t)) || (diff.instructions !== null && SENSITIVE.test(String(diff.instructions.after ?? '')))) return 'high';
  if (diff.changed.length === 0 && diff.removed.length === 0 && diff.instructions === null && !diff.launch_changed) return 'low';
  return 'medium';
}

