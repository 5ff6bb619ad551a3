/**
 * The trust score (DESIGN.md section 5, docs/trust-score.md): an integer 0 to 100 from named factors,
 * each a value in [0, 1] computed by a stated rule from stored evidence, weighted by TRUST_MODEL. A
 * factor with no data is left out and the remaining weights are renormalised to 100 points; no factor
 * ever falls back to an invented constant. Hard caps (a failed attestation, an unresolved critical
 * alert) hold the score in the red band whatever the factors say.
 *
 * Pure: `scoreTrust` reads only its argument (core/trust/inputs.ts gathers it from the database), so
 * the same inputs always give the same score and the same breakdown, byte for byte.
 */
import { SEVERITIES, type AlertState, type AlertType, type Severity } from '../api/alert.ts';
import type { ContentFinding } from '../api/probe.ts';
import type { ServerSource, ServerStatus } from '../api/server.ts';

// ---------------------------------------------------------------------------------------------
// The model: weights, caps, bands and the ageing of resolved alerts, as data in one table.
// ---------------------------------------------------------------------------------------------

export const TRUST_FACTOR_IDS = ['attestation', 'pin', 'content', 'provenance', 'hygiene', 'alerts'] as const;
export type TrustFactorId = (typeof TRUST_FACTOR_IDS)[number];

export const TRUST_CAP_IDS = ['attestation_failed', 'critical_alert'] as const;
export type TrustCapId = (typeof TRUST_CAP_IDS)[number];

export type TrustBand = 'red' | 'amber' | 'green';

export interface TrustFactorSpec {
  id: TrustFactorId;
  label: string;
  /** Points out of 100 when every factor has data. */
  weight: number;
  /**
   * Alert types whose evidence this factor already measures: they count here (or nowhere, when the
   * factor reads the underlying state instead) and never again in the `alerts` factor.
   */
  owns: readonly AlertType[];
}

export interface TrustCapSpec {
  id: TrustCapId;
  label: string;
  /** The highest score a server can have while the condition holds. */
  limit: number;
}

export interface TrustModel {
  factors: readonly TrustFactorSpec[];
  caps: readonly TrustCapSpec[];
  /** Inclusive score ranges, lowest first; they cover 0 to 100 without gaps. */
  bands: readonly { band: TrustBand; min: number; max: number }[];
  resolved_alerts: {
    /** A resolved alert counts half at once, and half as much again for every full period since. */
    half_life_days: number;
    /** Resolved this many days ago or more, it no longer counts (its weight would be under 1/64). */
    horizon_days: number;
  };
}

/** docs/trust-score.md explains every number here; change them together. */
export const TRUST_MODEL: TrustModel = {
  factors: [
    { id: 'attestation', label: 'Attestation', weight: 25, owns: ['attestation_failed'] },
    { id: 'pin', label: 'Manifest pin intact', weight: 20, owns: ['definition_changed'] },
    { id: 'content', label: 'Content findings', weight: 20, owns: ['poisoned_definition'] },
    { id: 'provenance', label: 'Provenance', weight: 15, owns: ['unapproved_server', 'unregistered_server', 'servers_to_review'] },
    { id: 'hygiene', label: 'Configuration hygiene', weight: 10, owns: ['plaintext_secret', 'unpinned_package', 'insecure_http'] },
    { id: 'alerts', label: 'Alert history', weight: 10, owns: [] },
  ],
  caps: [
    { id: 'attestation_failed', label: 'the latest attestation failed re-verification', limit: 39 },
    { id: 'critical_alert', label: 'an unresolved critical alert names the server', limit: 39 },
  ],
  bands: [
    { band: 'red', min: 0, max: 39 },
    { band: 'amber', min: 40, max: 74 },
    { band: 'green', min: 75, max: 100 },
  ],
  resolved_alerts: { half_life_days: 30, horizon_days: 180 },
};

/**
 * The chance a finding or alert of this severity marks a real problem, read off the five-step
 * severity scale spread evenly over [0, 1]: info 0, low 0.25, medium 0.5, high 0.75, critical 1.
 */
export function severityRisk(severity: Severity): number {
  const rank = SEVERITIES.indexOf(severity);
  return rank < 0 ? 1 : rank / (SEVERITIES.length - 1);
}

export function trustBand(score: number, model: TrustModel = TRUST_MODEL): TrustBand {
  for (const b of model.bands) if (score >= b.min && score <= b.max) return b.band;
  return score < (model.bands[0]?.min ?? 0) ? 'red' : 'green';
}

// ---------------------------------------------------------------------------------------------
// Inputs and result
// ---------------------------------------------------------------------------------------------

export interface HygieneEvidence {
  type: 'plaintext_secret' | 'unpinned_package' | 'insecure_http';
  severity: Severity;
  /** `env.GITHUB_TOKEN`, `args[1]`, `url`. */
  location: string;
  /** Masked: never a secret value. */
  evidence: string;
  /** An open or acknowledged alert from a config that lists the server, or the hand-written definition. */
  source: { kind: 'alert'; alert_id: number } | { kind: 'definition' };
}

export interface AlertEvidence {
  id: number;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  title: string;
  /** When a resolved alert was resolved (ISO 8601); null while unresolved. */
  resolved_at: string | null;
}

/** Everything the score depends on, already read from the store. */
export interface TrustInputs {
  /** ISO 8601: the moment the score is computed for (resolved alerts age against it). */
  now: string;
  server: { id: string; name: string; status: ServerStatus; source: ServerSource };
  /** The newest attestation, or null when the server was never attested. */
  attestation: { status: 'valid' | 'failed'; differences: string[] } | null;
  /** The accepted manifest, or null when nothing was ever pinned. */
  pin: { manifest_sha256: string } | null;
  /** The newest successful probe, or null when no probe ever succeeded. */
  probe: {
    manifest_sha256: string;
    findings: ContentFinding[];
    /** What differs from the pin, as the probe recorded it (`changed tool read_file: description`). */
    changes: string[];
  } | null;
  /** Open or acknowledged hygiene findings, one per type and location. */
  hygiene: HygieneEvidence[];
  /** Every unresolved alert about the server, and the resolved ones within the horizon. */
  alerts: AlertEvidence[];
  /**
   * Whether a scan has watched the server: a scanned config lists it, or an alert about it exists.
   * A successful probe (`probe`) watches it too; a failed one does not (see `alertHistory`).
   */
  watched: boolean;
}

export interface TrustFactorResult {
  factor: TrustFactorId;
  label: string;
  /** In [0, 1]. */
  value: number;
  /** The weight in the model (points out of 100 when every factor has data). */
  weight: number;
  /** The weight renormalised over the factors that have data: the points this factor can give (2 decimals). */
  effective_weight: number;
  /** Integer points; over all factors they add up to `uncapped_score`. */
  contribution: number;
  evidence: string[];
}

export interface TrustExclusion {
  factor: TrustFactorId;
  label: string;
  weight: number;
  /** Why there is no data. */
  reason: string;
}

export interface TrustCapResult {
  cap: TrustCapId;
  label: string;
  limit: number;
  evidence: string[];
}

export interface TrustScore {
  /** Integer 0 to 100: `uncapped_score`, lowered to the lowest applicable cap. */
  score: number;
  /** The sum of the contributions. */
  uncapped_score: number;
  /** The cap that lowered the score, or null when none did (then `score === uncapped_score`). */
  capped_by: TrustCapId | null;
  /** Every cap whose condition holds, whether or not it lowered the score. */
  caps: TrustCapResult[];
  band: TrustBand;
  factors: TrustFactorResult[];
  excluded: TrustExclusion[];
}

// ---------------------------------------------------------------------------------------------
// Factors
// ---------------------------------------------------------------------------------------------

type Measured = { value: number; evidence: string[] } | { excluded: string };

const short = (sha: string): string => `${sha.slice(0, 12)}…`;

const sourceText = (source: ServerSource): string => (source.kind === 'manual' ? 'registered by hand' : `${source.client} config ${source.config_path} (entry "${source.key}")`);

/** The product of (1 - risk) over the items: the chance that none of them is a real problem. */
function survival(risks: readonly number[]): number {
  return risks.reduce((acc, r) => acc * (1 - r), 1);
}

function attestation(inputs: TrustInputs): Measured {
  const a = inputs.attestation;
  if (a === null) return { value: 0, evidence: ['never attested: no signed measurement vouches for what this server runs'] };
  if (a.status === 'valid') return { value: 1, evidence: ['the latest attestation verifies: what runs matches what was signed'] };
  return {
    value: 0,
    evidence: ['the latest attestation failed re-verification: what runs is not what was signed', ...a.differences.map((d) => `differs: ${d}`)],
  };
}

function pin(inputs: TrustInputs): Measured {
  if (inputs.pin === null) {
    if (inputs.server.status === 'declared') return { excluded: 'not pinned: the server is declared only, and no client config lists it yet, so nothing runs to pin' };
    if (inputs.server.status !== 'approved') return { excluded: 'not pinned: a server is pinned by its first successful probe once approved, and this one is not approved' };
    return { excluded: inputs.probe === null ? 'never probed successfully: there are no definitions to pin and compare' : 'no pin is recorded' };
  }
  if (inputs.probe === null) return { excluded: 'no successful probe to compare with the pin' };
  const pinned = inputs.pin.manifest_sha256;
  if (inputs.probe.manifest_sha256 === pinned) return { value: 1, evidence: [`the latest successful probe matches the pinned manifest ${short(pinned)}`] };
  return {
    value: 0,
    evidence: [`the latest successful probe shows manifest ${short(inputs.probe.manifest_sha256)}, not the pinned ${short(pinned)}`, ...inputs.probe.changes],
  };
}

function content(inputs: TrustInputs): Measured {
  if (inputs.probe === null) return { excluded: 'never probed successfully: no definitions have been scanned' };
  const findings = inputs.probe.findings;
  if (findings.length === 0) return { value: 1, evidence: ['the definitions of the latest successful probe have no content-scan findings'] };
  return {
    value: survival(findings.map((f) => severityRisk(f.severity))),
    evidence: findings.map((f) => `${f.severity} ${f.rule} in ${f.where} (risk ${severityRisk(f.severity)}): ${f.message}`),
  };
}

function provenance(inputs: TrustInputs): Measured {
  const { status, source } = inputs.server;
  // Declaring a server by name is the user's approval of it, ahead of any config listing it.
  const approved = status === 'approved' || status === 'declared';
  // A pending command line came from a program through the API: nobody has written or seen it yet.
  const pending = status === 'pending';
  const byHand = source.kind === 'manual' && !pending;
  return {
    value: ((approved ? 1 : 0) + (byHand ? 1 : 0)) / 2,
    evidence: [
      approved ? `approved by the user: yes${status === 'declared' ? ' (declared by name)' : ''}` : pending ? 'approved by the user: no (its command line waits for a person to confirm it)' : 'approved by the user: no (discovered, not yet approved)',
      byHand ? 'definition written by the user: yes (registered by hand)' : pending ? 'definition written by the user: no (registered through the API)' : `definition written by the user: no (taken from ${sourceText(source)})`,
    ],
  };
}

function hygiene(inputs: TrustInputs): Measured {
  const findings = inputs.hygiene;
  if (findings.length === 0) return { value: 1, evidence: ['no plaintext secret, unpinned package or plain http:// to a remote host in its configuration'] };
  return {
    value: survival(findings.map((f) => severityRisk(f.severity))),
    evidence: findings.map((f) => {
      const from = f.source.kind === 'alert' ? `alert #${f.source.alert_id}` : 'the stored definition';
      return `${f.severity} ${f.type} at ${f.location} (risk ${severityRisk(f.severity)}, from ${from}): ${f.evidence}`;
    }),
  };
}

const DAY_MS = 86_400_000;

/** How much a resolved alert still counts: 1/2, then half again per full half-life since; 0 past the horizon. */
export function resolvedAlertWeight(resolvedAt: string, now: string, model: TrustModel = TRUST_MODEL): number {
  const days = Math.max(0, Math.floor((Date.parse(now) - Date.parse(resolvedAt)) / DAY_MS));
  if (!(days < model.resolved_alerts.horizon_days)) return 0;
  return 2 ** -(1 + Math.floor(days / model.resolved_alerts.half_life_days));
}

function alertHistory(inputs: TrustInputs, model: TrustModel): Measured {
  // Only a probe that succeeded watched the server. A failed one saw nothing, and counting it would
  // bring in this factor at 1 and renormalise the others down: a server that refuses to be probed
  // would score higher than one never probed (50 -> 58 for an approved server registered by hand).
  const watched = inputs.watched || inputs.probe !== null;
  if (!watched) return { excluded: 'nothing has watched this server yet: no scanned config lists it, it was never probed successfully, and no alert names it' };
  const owned = new Set(model.factors.filter((f) => f.id !== 'alerts').flatMap((f) => f.owns));
  const counted: { risk: number; line: string }[] = [];
  for (const alert of inputs.alerts) {
    if (owned.has(alert.type)) continue;
    const risk = severityRisk(alert.severity);
    if (alert.state !== 'resolved') {
      counted.push({ risk, line: `#${alert.id} ${alert.severity} ${alert.type}, ${alert.state} (risk ${risk}): ${alert.title}` });
      continue;
    }
    const weight = alert.resolved_at === null ? 0 : resolvedAlertWeight(alert.resolved_at, inputs.now, model);
    if (weight === 0) continue;
    counted.push({ risk: risk * weight, line: `#${alert.id} ${alert.severity} ${alert.type}, resolved ${alert.resolved_at?.slice(0, 10)} (risk ${risk} × ${fraction(weight)}): ${alert.title}` });
  }
  if (counted.length === 0) return { value: 1, evidence: [`no alerts about it in the last ${model.resolved_alerts.horizon_days} days besides those other factors count`] };
  return { value: survival(counted.map((c) => c.risk)), evidence: counted.map((c) => c.line) };
}

const fraction = (w: number): string => (w === 1 ? '1' : `1/${Math.round(1 / w)}`);

const MEASURES: Record<TrustFactorId, (inputs: TrustInputs, model: TrustModel) => Measured> = {
  attestation,
  pin,
  content,
  provenance,
  hygiene,
  alerts: alertHistory,
};

function caps(inputs: TrustInputs, model: TrustModel): TrustCapResult[] {
  const found: TrustCapResult[] = [];
  for (const cap of model.caps) {
    let evidence: string[] = [];
    if (cap.id === 'attestation_failed' && inputs.attestation?.status === 'failed') {
      evidence = ['the latest attestation failed re-verification', ...inputs.attestation.differences.map((d) => `differs: ${d}`)];
    }
    if (cap.id === 'critical_alert') {
      evidence = inputs.alerts.filter((a) => a.severity === 'critical' && a.state !== 'resolved').map((a) => `#${a.id} critical ${a.type}, ${a.state}: ${a.title}`);
    }
    if (evidence.length > 0) found.push({ cap: cap.id, label: cap.label, limit: cap.limit, evidence });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The score
// ---------------------------------------------------------------------------------------------

/** Float noise off: 41.99999999997 is 42. */
const snap = (x: number): number => Math.round(x * 1e9) / 1e9;

/**
 * Integer shares of `exact` values that add up to `Math.round(sum)` (halves up): each gets its floor,
 * and the points left go to the largest remainders, ties to the earlier entry.
 */
export function largestRemainder(exact: readonly number[]): number[] {
  const total = Math.floor(snap(exact.reduce((a, b) => a + b, 0)) + 0.5);
  const floors = exact.map((x) => Math.floor(snap(x)));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: snap(x) - Math.floor(snap(x)) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left--;
  }
  return floors;
}

export function scoreTrust(inputs: TrustInputs, model: TrustModel = TRUST_MODEL): TrustScore {
  const present: { spec: TrustFactorSpec; value: number; evidence: string[] }[] = [];
  const excluded: TrustExclusion[] = [];
  for (const spec of model.factors) {
    const measured = MEASURES[spec.id](inputs, model);
    if ('excluded' in measured) excluded.push({ factor: spec.id, label: spec.label, weight: spec.weight, reason: measured.excluded });
    else present.push({ spec, value: Math.min(1, Math.max(0, measured.value)), evidence: measured.evidence });
  }

  const totalWeight = present.reduce((sum, f) => sum + f.spec.weight, 0);
  const exact = present.map((f) => (totalWeight === 0 ? 0 : (f.spec.weight * f.value * 100) / totalWeight));
  const points = largestRemainder(exact);
  const factors: TrustFactorResult[] = present.map((f, i) => ({
    factor: f.spec.id,
    label: f.spec.label,
    value: f.value,
    weight: f.spec.weight,
    effective_weight: Math.round((f.spec.weight * 10_000) / totalWeight) / 100,
    contribution: points[i] ?? 0,
    evidence: f.evidence,
  }));
  const uncapped = points.reduce((a, b) => a + b, 0);

  const applicable = caps(inputs, model);
  let score = uncapped;
  let cappedBy: TrustCapId | null = null;
  for (const cap of applicable) {
    if (cap.limit < score) {
      score = cap.limit;
      cappedBy = cap.cap;
    }
  }
  return { score, uncapped_score: uncapped, capped_by: cappedBy, caps: applicable, band: trustBand(score, model), factors, excluded };
}
