/**
 * What the trust score of one server depends on, read from the store (core/trust/score.ts turns it
 * into a score). Read-only: it writes nothing and runs nothing.
 */
import type { Alert } from '../api/alert.ts';
import type { ContentFinding } from '../api/probe.ts';
import type { ServerDefinition } from '../api/server.ts';
import { definitionAsEntry } from '../registry/as-entry.ts';
import { hygieneFindings } from '../drift/hygiene.ts';
import type { PinDiff } from '../pins/pin.ts';
import { getServer } from '../registry/read.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { isListedAnywhere } from '../links/index.ts';
import { TRUST_MODEL, type AlertEvidence, type HygieneEvidence, type TrustInputs, type TrustModel } from './score.ts';

const HYGIENE_TYPES = ['plaintext_secret', 'unpinned_package', 'insecure_http'] as const;
type HygieneType = (typeof HYGIENE_TYPES)[number];
const isHygieneType = (type: string): type is HygieneType => (HYGIENE_TYPES as readonly string[]).includes(type);

/** The alert columns the score reads; `details` still as stored (JSON text). */
type AlertRow = Pick<Alert, 'id' | 'type' | 'severity' | 'state' | 'title' | 'updated_at'> & { details: string };

/** Reads the inputs of the trust score of a server (by id or name) as of `now`. */
export function trustInputs(db: Db, serverId: string, now: Date = new Date(), model: TrustModel = TRUST_MODEL): TrustInputs {
  const server = getServer(db, serverId);
  const id = server.id;

  const attestation = stmt<[string], { status: 'valid' | 'failed'; differences: string }>(db, 'SELECT status, differences FROM attestations WHERE server_id = ? ORDER BY id DESC LIMIT 1').get(id);
  const pin = stmt<[string], { manifest_sha256: string }>(db, 'SELECT manifest_sha256 FROM pins WHERE server_id = ?').get(id);
  const probe = stmt<[string], { manifest_sha256: string; findings: string; diff: string | null }>(db, 
    'SELECT manifest_sha256, findings, diff FROM probes WHERE server_id = ? AND ok = 1 AND manifest_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1',
  ).get(id);

  // Unresolved alerts, and resolved ones young enough to still count (resolution sets updated_at).
  const horizon = new Date(now.getTime() - model.resolved_alerts.horizon_days * 86_400_000).toISOString();
  const alertRows = stmt<[string, string], AlertRow>(db, 
    "SELECT id, type, severity, state, title, details, updated_at FROM alerts WHERE server_id = ? AND (state != 'resolved' OR updated_at > ?) ORDER BY id",
  ).all(id, horizon);
  const alerts: AlertEvidence[] = alertRows.map((a) => ({ id: a.id, type: a.type, severity: a.severity, state: a.state, title: a.title, resolved_at: a.state === 'resolved' ? a.updated_at : null }));

  const listed = isListedAnywhere(db, id);
  const alerted = stmt<[string], { n: number }>(db, 'SELECT EXISTS (SELECT 1 FROM alerts WHERE server_id = ?) AS n').get(id)?.n === 1;

  return {
    now: now.toISOString(),
    server: { id, name: server.name, status: server.status, source: server.source },
    attestation: attestation === undefined ? null : { status: attestation.status, differences: parseJson<unknown[]>(attestation.differences, []).map(describeDifference) },
    pin: pin === undefined ? null : { manifest_sha256: pin.manifest_sha256 },
    probe: probe === undefined ? null : {
      manifest_sha256: probe.manifest_sha256,
      findings: parseJson<ContentFinding[]>(probe.findings, []),
      changes: probe.diff === null ? [] : describeDiff(parseJson<PinDiff | null>(probe.diff, null)),
    },
    hygiene: hygieneEvidence(server, alertRows),
    alerts,
    // A successful probe also watches the server: the score reads that from `probe` (a failed probe does not).
    watched: listed || alerted,
  };
}

/**
 * Hygiene findings where the server's launch is configured: the unresolved hygiene alerts of the
 * configs that list it (scans keep them current), and for a definition written by hand, which no
 * scan reads, the definition itself. One finding per type and location.
 */
function hygieneEvidence(server: ServerDefinition, alerts: readonly AlertRow[]): HygieneEvidence[] {
  const found = new Map<string, HygieneEvidence>();
  for (const alert of alerts) {
    if (alert.state === 'resolved' || !isHygieneType(alert.type)) continue;
    const details = parseJson<Record<string, unknown>>(alert.details, {});
    const location = typeof details['location'] === 'string' ? details['location'] : '';
    const evidence = typeof details['evidence'] === 'string' ? details['evidence'] : alert.title;
    const key = `${alert.type}\0${location}`;
    if (!found.has(key)) found.set(key, { type: alert.type, severity: alert.severity, location, evidence, source: { kind: 'alert', alert_id: alert.id } });
  }
  if (server.source.kind === 'manual') {
    for (const finding of hygieneFindings(definitionAsEntry(server))) {
      const key = `${finding.type}\0${finding.location}`;
      if (!found.has(key)) found.set(key, { type: finding.type, severity: finding.severity, location: finding.location, evidence: finding.evidence, source: { kind: 'definition' } });
    }
  }
  return [...found.values()];
}
/** `changed tool read_file: description`, `added prompt x`, `instructions changed`. */
export function describeDiff(diff: PinDiff | null): string[] {
  if (diff === null) return [];
  return [
    ...(diff.changed ?? []).map((c) => `changed ${c.kind} ${c.key}: ${c.fields.map((f) => f.path).join(', ')}`),
    ...(diff.added ?? []).map((a) => `added ${a.kind} ${a.key}`),
    ...(diff.removed ?? []).map((r) => `removed ${r.kind} ${r.key}`),
    ...(diff.instructions != null ? ['instructions changed'] : []),
    ...(diff.launch_changed === true ? ['launch changed'] : []),
  ];
}

/**
 * An attestation difference (core/attest `AttestationDifference`: field, label, before, after, note)
 * as one line: `script file /srv/server.js (script.sha256): 3f2a1b2c4d5e… → 9a8b7c6d5e4f…`.
 */
export function describeDifference(d: unknown): string {
  if (typeof d === 'string') return d;
  if (d === null || typeof d !== 'object') return JSON.stringify(d);
  const o = d as Record<string, unknown>;
  const field = typeof o['field'] === 'string' ? o['field'] : undefined;
  const label = typeof o['label'] === 'string' ? o['label'] : undefined;
  if (field === undefined && label === undefined) return clip(JSON.stringify(d));
  const what = label !== undefined && field !== undefined ? `${label} (${field})` : (label ?? field ?? '');
  const change = 'before' in o || 'after' in o ? `: ${showValue(o['before'])} → ${showValue(o['after'])}` : '';
  const note = typeof o['note'] === 'string' ? ` (${o['note']})` : '';
  return `${what}${change}${note}`;
}

const clip = (text: string): string => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

function showValue(v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (typeof v === 'string') return /^[0-9a-f]{40,}$/i.test(v) ? `${v.slice(0, 12)}…` : clip(v);
  return clip(JSON.stringify(v));
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
