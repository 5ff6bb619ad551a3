/**
 * Attest and verify (DESIGN.md section 5). `attestServer` measures what a server runs, checks it
 * against the publisher's checksum and signature when there are any, signs the statement with the
 * device key in a DSSE envelope and stores it. `verifyServer` measures again and compares with the
 * latest attestation: every difference is listed, with before and after, in the attestation row and
 * in one high `attestation_failed` alert per server; a later match marks it valid and resolves the
 * alert. Each attest and verify is an audit event written in the same transaction as its change.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../api/alert.ts';
import { invalidInput, notFound, WardenError } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';
import { getAlert, syncConditions, type Condition } from '../alerts/alert-store.ts';
import { shouldNotify, type Notifier } from '../alerts/notifier.ts';
import { ALERT_RULES } from '../alerts/rules.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { findServer } from '../registry/read.ts';
import { assertRunnable } from '../registry/runnable.ts';
import type { Keychain } from '../secrets/keychain.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { recomputeTrust } from '../trust/record.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { writePrivateFile } from '../util/private-file.ts';
import { deviceKey, readDevicePublicKey } from './device-key.ts';
import { decodeBase64, signStatement, verifyEnvelope } from './dsse.ts';
import { measurementProblem, measureWithStats, type HashStats, type MeasureOptions } from './measure.ts';
import { assertChecksum, attestationData, checksumMatches, describeArtifact, normaliseChecksum, publisherSignatureProblem, validatePublisherKey } from './publisher.ts';
import type { Attestation, AttestationDifference, AttestationStatement, DsseEnvelope, PublisherClaim } from '../api/attestation.ts';

export const ATTESTATION_ALERT_TYPES = ['attestation_failed'] as const;

interface AttestationRow {
  id: number;
  server_id: string;
  at: string;
  envelope: string;
  statement: string;
  status: 'valid' | 'failed';
  verified_at: string | null;
  differences: string;
}

function toAttestation(row: AttestationRow): Attestation {
  const envelope = JSON.parse(row.envelope) as DsseEnvelope;
  return {
    id: row.id,
    server_id: row.server_id,
    at: row.at,
    status: row.status,
    verified_at: row.verified_at,
    differences: JSON.parse(row.differences) as AttestationDifference[],
    keyid: envelope.signatures[0]?.keyid ?? '',
    statement: JSON.parse(row.statement) as AttestationStatement,
    envelope,
  };
}

function latestRow(db: Db, serverId: string): AttestationRow | undefined {
  return stmt<[string], AttestationRow>(db, 'SELECT * FROM attestations WHERE server_id = ? ORDER BY id DESC LIMIT 1').get(serverId);
}

/** The server's latest attestation, or undefined when it was never attested. */
export function getLatestAttestation(db: Db, serverId: string): Attestation | undefined {
  const row = latestRow(db, serverId);
  return row === undefined ? undefined : toAttestation(row);
}

/** Every attestation of a server, newest first. */
export function listAttestations(db: Db, serverId: string): Attestation[] {
  return stmt<[string], AttestationRow>(db, 'SELECT * FROM attestations WHERE server_id = ? ORDER BY id DESC').all(serverId).map(toAttestation);
}

/** The publisher key and expected checksum recorded for a server (columns of `servers`). */
export function readPublisher(db: Db, serverId: string): { publisher_key: string | null; expected_checksum: string | null } {
  const row = stmt<[string], { publisher_key: string | null; expected_checksum: string | null }>(db, 'SELECT publisher_key, expected_checksum FROM servers WHERE id = ?').get(serverId);
  if (row === undefined) throw notFound(`No server with id ${serverId} is registered.`, 'name');
  return row;
}

export interface AttestOptions extends MeasureOptions {
  /** Record the publisher's key, `ed25519:<base64>`; null clears it; undefined keeps the recorded one. */
  publisherKey?: string | null | undefined;
  /** Record the expected checksum (`sha256:<hex>` or SRI `sha512-<base64>`); null clears; undefined keeps. */
  checksum?: string | null | undefined;
  /** The publisher's Ed25519 signature (base64) over the canonical attestation_data. */
  publisherSignature?: string | undefined;
  /**
   * The exact object the publisher signed (it holds `checksum`, and may hold `publisher_key` and other
   * fields); without it the signed object is `{ publisher_key, checksum }`.
   */
  attestationData?: Record<string, unknown> | undefined;
  /** Create a new device key when the recorded one is gone from the keychain (see deviceKey). */
  replaceLostDeviceKey?: boolean | undefined;
}

export interface AttestResult {
  attestation: Attestation;
  envelope: DsseEnvelope;
  /** attestation_failed alerts of this server resolved because it was attested anew. */
  resolved: Alert[];
}

/**
 * Measures `server`, checks the publisher's expectations, signs and stores the statement. Refuses,
 * recording nothing, when something cannot be measured, the artifact does not match the checksum,
 * or the publisher signature does not verify (WardenError `failed` naming what did not match), and
 * when the keychain is unavailable (its own `unavailable` error).
 */
export function attestServer(store: Store, keychain: Keychain, server: ServerDefinition, options: AttestOptions = {}): AttestResult {
  assertRunnable(server);
  const { db } = store;
  const now = options.now ?? new Date();
  const recorded = readPublisher(db, server.id);

  // Inputs first: a malformed key, checksum or signature is a usage error before anything runs.
  const key = options.publisherKey === undefined ? recorded.publisher_key : options.publisherKey === null ? null : validatePublisherKey(options.publisherKey);
  const checksum = options.checksum === undefined ? recorded.expected_checksum : options.checksum === null ? null : normaliseChecksum(options.checksum);
  if (options.publisherSignature !== undefined) {
    if (key === null) throw invalidInput('publisher_key', 'A publisher signature needs the publisher key it was made with (ed25519:<base64>).');
    if (checksum === null) throw invalidInput('checksum', 'A publisher signature covers a checksum: give the checksum the publisher signed.');
    if (decodeBase64(options.publisherSignature.trim(), 64) === null) throw invalidInput('publisher_signature', 'The publisher signature is not 64 bytes of base64.');
  } else if (options.attestationData !== undefined) {
    throw invalidInput('attestation_data', 'attestation_data is only used to check a publisher signature: give the signature too.');
  }
  if (options.attestationData !== undefined && (options.attestationData === null || typeof options.attestationData !== 'object' || Array.isArray(options.attestationData))) {
    throw invalidInput('attestation_data', 'attestation_data must be a JSON object.');
  }

  const { statement } = measureWithStats(store, server, { ...options, now });
  const problem = measurementProblem(statement);
  if (problem !== null) throw new WardenError('failed', `Cannot attest "${server.name}": ${problem}`);

  let publisher: PublisherClaim | null = null;
  if (key !== null || checksum !== null) {
    if (checksum !== null) assertChecksum(statement.artifact, checksum);
    publisher = { key, checksum, signature: null, attestation_data: null };
    if (options.publisherSignature !== undefined) {
      publisher.signature = options.publisherSignature.trim();
      publisher.attestation_data = attestationData(key as string, checksum as string, options.attestationData);
    } else {
      // The signature from the previous attestation still stands for the same key and checksum.
      const previous = latestRow(db, server.id);
      const before = previous === undefined ? null : (JSON.parse(previous.statement) as AttestationStatement).publisher;
      if (before?.signature && before.key === key && before.checksum === checksum) {
        publisher.signature = before.signature;
        publisher.attestation_data = before.attestation_data;
      }
    }
    const signatureProblem = publisherSignatureProblem(publisher);
    if (signatureProblem !== null) throw new WardenError('failed', signatureProblem, 'publisher_signature');
  }
  statement.publisher = publisher;

  const signer = deviceKey(store, keychain, { replaceLost: options.replaceLostDeviceKey === true, now });
  const envelope = signStatement(statement, signer);
  const at = now.toISOString();

  let id = 0;
  let resolved: Alert[] = [];
  db.transaction(() => {
    const info = stmt(db, `INSERT INTO attestations (server_id, at, envelope, statement, status, verified_at, differences) VALUES (?, ?, ?, ?, 'valid', ?, '[]')`)
      .run(server.id, at, JSON.stringify(envelope), JSON.stringify(statement), at);
    id = Number(info.lastInsertRowid);
    if (key !== recorded.publisher_key || checksum !== recorded.expected_checksum) {
      stmt(db, 'UPDATE servers SET publisher_key = ?, expected_checksum = ? WHERE id = ?').run(key, checksum, server.id);
    }
    resolved = syncConditions(db, { server_id: server.id, types: ATTESTATION_ALERT_TYPES }, [], now).resolved;
    appendAudit(db, {
      actor: 'user',
      type: 'server.attested',
      server_id: server.id,
      details: {
        name: server.name,
        attestation_id: id,
        keyid: signer.publicKey,
        artifact: statement.artifact,
        executable_sha256: statement.executable?.sha256 ?? null,
        package: statement.package === null ? null : { name: statement.package.name, version: statement.package.version, integrity: statement.package.integrity },
        url: statement.url,
        manifest_sha256: statement.manifest_sha256,
        publisher_key: key,
        expected_checksum: checksum,
        publisher_signature: publisher?.signature != null,
      },
    }, now);
    recomputeTrust(db, server.id, now);
  }).immediate();

  const row = stmt<[number], AttestationRow>(db, 'SELECT * FROM attestations WHERE id = ?').get(id) as AttestationRow;
  return { attestation: toAttestation(row), envelope, resolved };
}

type Label = (pick: <T>(get: (s: AttestationStatement) => T | null | undefined) => T | '') => string;

/** Fields compared by verify, with how each is named to a person. */
const COMPARED: readonly [string, Label][] = [
  ['server.id', () => 'server id'],
  ['transport', () => 'transport'],
  ['executable.path', () => 'executable path'],
  ['executable.real_path', (p) => `executable ${p((s) => s.executable?.path)} link target`],
  ['executable.sha256', (p) => `executable ${p((s) => s.executable?.path)}`],
  ['launcher', () => 'launcher'],
  ['script.path', () => 'script path'],
  ['script.sha256', (p) => `script file ${p((s) => s.script?.path)}`],
  ['package.spec', () => 'package spec'],
  ['package.name', () => 'package name'],
  ['package.version', (p) => `package ${p((s) => s.package?.name)} version`],
  ['package.integrity', (p) => `package ${p((s) => s.package?.name)} integrity`],
  ['package.dir', (p) => `package ${p((s) => s.package?.name)} install folder`],
  ['package.entry.path', (p) => `package ${p((s) => s.package?.name)} entry path`],
  ['package.entry.sha256', (p) => `package ${p((s) => s.package?.name)} entry file ${p((s) => s.package?.entry?.path)}`],
  ['args', () => 'arguments'],
  ['cwd', () => 'working directory'],
  ['env_keys', () => 'environment variable names'],
  ['header_names', () => 'header names'],
  ['url', () => 'URL'],
  ['manifest_sha256', () => 'pinned manifest'],
  ['reported.name', () => 'reported server name'],
  ['reported.version', () => 'reported server version'],
  ['publisher.key', () => 'publisher key'],
  ['publisher.checksum', () => 'publisher checksum'],
];

function at(value: unknown, dotted: string): unknown {
  let current = value;
  for (const part of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return null;
    current = (current as Record<string, unknown>)[part];
  }
  return current === undefined ? null : current;
}

/** Where the new value's problem is recorded, for a hashed field (`script.sha256` -> `script.problem`). */
const problemOf = (statement: AttestationStatement, field: string): string | null => {
  if (!field.endsWith('.sha256') && !field.startsWith('package.')) return null;
  const owner = field.endsWith('.sha256') ? field.slice(0, -'.sha256'.length) : 'package';
  const problem = at(statement, `${owner}.problem`);
  return typeof problem === 'string' ? problem : null;
};

/** Every compared field whose value differs, before (attested) and after (measured now). */
export function diffStatements(before: AttestationStatement, after: AttestationStatement): AttestationDifference[] {
  const differences: AttestationDifference[] = [];
  for (const [field, label] of COMPARED) {
    const a = at(before, field);
    const b = at(after, field);
    if (canonicalJson(a) === canonicalJson(b)) continue;
    const note = problemOf(after, field);
    const pick = <T>(get: (s: AttestationStatement) => T | null | undefined): T | '' => get(before) ?? get(after) ?? '';
    differences.push({ field, label: label(pick), before: a, after: b, ...(note === null ? {} : { note }) });
  }
  return differences;
}

export interface VerifyOptions extends MeasureOptions {
  notifier?: Notifier | undefined;
}

export interface VerifyResult {
  ok: boolean;
  server_id: string;
  name: string;
  attestation_id: number;
  status: 'valid' | 'failed';
  differences: AttestationDifference[];
  /** The fresh measurement. */
  statement: AttestationStatement;
  /** The open attestation_failed alert of this server after the verify, if any. */
  alert: Alert | null;
  opened: Alert[];
  resolved: Alert[];
  /** File hashes from the cache vs files read: an unchanged server reads none once cached. */
  hashes: HashStats;
}

const summary = (differences: readonly AttestationDifference[]): string => {
  const parts = differences.map((d) => `${d.label} changed`);
  return parts.length <= 3 ? parts.join('; ') : `${parts.slice(0, 3).join('; ')} and ${parts.length - 3} more`;
};

/**
 * Measures `server` again and compares it with its latest attestation: the envelope's signature
 * (with the device public key in the database), every attested field, and the publisher's checksum
 * and signature. Throws not_found when the server was never attested.
 */
export function verifyServer(store: Store, server: ServerDefinition, options: VerifyOptions = {}): VerifyResult {
  assertRunnable(server);
  const { db } = store;
  const now = options.now ?? new Date();
  const row = latestRow(db, server.id);
  if (row === undefined) throw notFound(`"${server.name}" has never been attested: attest it first (mcp-warden mcp attest ${server.name}).`, 'name');
  const { statement: fresh, stats } = measureWithStats(store, server, { ...options, now });
  const differences: AttestationDifference[] = [];

  // What was attested: the signed payload, not the stored copy, which anyone could edit.
  let before = JSON.parse(row.statement) as AttestationStatement;
  const publicKey = readDevicePublicKey(db);
  const verdict = publicKey === null ? { ok: false as const, reason: 'No device public key is recorded in the database.' } : verifyEnvelope(row.envelope, publicKey);
  if (!verdict.ok) {
    differences.push({ field: 'signature', label: 'device signature', before: 'valid', after: 'invalid', note: verdict.reason });
  } else {
    if (canonicalJson(verdict.statement) !== canonicalJson(before)) {
      differences.push({ field: 'statement', label: 'stored statement', before: 'the signed statement', after: 'a different statement', note: 'The statement stored beside the envelope is not the one the envelope signs; the signed one is compared.' });
    }
    before = verdict.statement;
  }

  const recorded = readPublisher(db, server.id);
  if (recorded.publisher_key !== null || recorded.expected_checksum !== null) {
    const carried = before.publisher?.key === recorded.publisher_key && before.publisher?.checksum === recorded.expected_checksum ? before.publisher : null;
    fresh.publisher = { key: recorded.publisher_key, checksum: recorded.expected_checksum, signature: carried?.signature ?? null, attestation_data: carried?.attestation_data ?? null };
  }
  differences.push(...diffStatements(before, fresh));
  if (recorded.expected_checksum !== null) {
    let matches = false;
    try {
      matches = fresh.artifact !== null && checksumMatches(fresh.artifact, recorded.expected_checksum);
    } catch {
      matches = false;
    }
    if (!matches) {
      differences.push({
        field: 'publisher.match',
        label: fresh.artifact === null ? 'publisher checksum (no local artifact)' : `${describeArtifact(fresh.artifact)} against the publisher checksum`,
        before: recorded.expected_checksum,
        after: fresh.artifact?.checksum ?? null,
        note: 'The measured artifact no longer matches the checksum the publisher gave.',
      });
    }
  }
  const signatureProblem = fresh.publisher === null ? null : publisherSignatureProblem(fresh.publisher);
  if (signatureProblem !== null) differences.push({ field: 'publisher.signature', label: 'publisher signature', before: 'valid', after: 'invalid', note: signatureProblem });

  const ok = differences.length === 0;
  const dedupKey = `attestation_failed:${server.id}:${row.id}`;
  const conditions: Condition[] = ok
    ? []
    : [{
        type: 'attestation_failed',
        title: ALERT_RULES.attestation_failed.title({ server: server.name, client: '', file: '', count: differences.length, detail: summary(differences) }),
        dedup_key: dedupKey,
        server_id: server.id,
        agent_id: null,
        details: { attestation_id: row.id, attested_at: row.at, differences },
      }];
  const verifiedAt = now.toISOString();
  let opened: Alert[] = [];
  let reopened: Alert[] = [];
  let resolved: Alert[] = [];
  let alert: Alert | null = null;
  db.transaction(() => {
    stmt(db, 'UPDATE attestations SET status = ?, verified_at = ?, differences = ? WHERE id = ?').run(ok ? 'valid' : 'failed', verifiedAt, JSON.stringify(differences), row.id);
    ({ opened, reopened, resolved } = syncConditions(db, { server_id: server.id, types: ATTESTATION_ALERT_TYPES }, conditions, now));
    const open = ok ? undefined : stmt<[string], { id: number }>(db, "SELECT id FROM alerts WHERE dedup_key = ? AND state != 'resolved'").get(dedupKey);
    alert = open === undefined ? null : getAlert(db, open.id);
    appendAudit(db, {
      actor: 'user',
      type: 'server.verified',
      server_id: server.id,
      details: { name: server.name, attestation_id: row.id, ok, differences: differences.map(({ field, before: b, after: a }) => ({ field, before: b, after: a })) },
    }, now);
    // Trust reads the attestation's status and the alerts: nothing to redo when neither moved.
    if (row.status !== (ok ? 'valid' : 'failed') || opened.length > 0 || reopened.length > 0 || resolved.length > 0) recomputeTrust(db, server.id, now);
  }).immediate();
  const loud = opened.filter(shouldNotify);
  if (loud.length > 0) options.notifier?.notify(loud);
  return { ok, server_id: server.id, name: server.name, attestation_id: row.id, status: ok ? 'valid' : 'failed', differences, statement: fresh, alert, opened, resolved, hashes: stats };
}

/** Verifies every server that has an attestation (on each scan, at each launch). */
export function verifyAll(store: Store, options: VerifyOptions = {}): VerifyResult[] {
  const ids = stmt<[], { server_id: string }>(store.db, 'SELECT DISTINCT server_id FROM attestations ORDER BY server_id').all();
  const results: VerifyResult[] = [];
  for (const { server_id } of ids) {
    const server = findServer(store.db, server_id);
    if (server !== undefined) results.push(verifyServer(store, server, options));
  }
  return results;
}

/**
 * Writes a server's latest attestation (or the one with `id`) to `file` as its DSSE envelope JSON,
 * which anyone can check offline with `verifyEnvelope(text, publicKey)`. Written to a temporary file
 * and renamed, so a reader never sees half of it.
 */
export function exportAttestation(store: Store, server: ServerDefinition, file: string, options: { id?: number } = {}): { file: string; attestation: Attestation; publicKey: string | null } {
  const row =
    options.id === undefined
      ? latestRow(store.db, server.id)
      : stmt<[number, string], AttestationRow>(store.db, 'SELECT * FROM attestations WHERE id = ? AND server_id = ?').get(options.id, server.id);
  if (row === undefined) {
    throw notFound(options.id === undefined ? `"${server.name}" has never been attested: attest it first.` : `"${server.name}" has no attestation with id ${options.id}.`, options.id === undefined ? 'name' : 'id');
  }
  const attestation = toAttestation(row);
  const target = path.resolve(file);
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  try {
    // 0600 like every export (it names the server's command, arguments and env keys); share it by choice.
    writePrivateFile(tmp, `${JSON.stringify(attestation.envelope, null, 2)}\n`);
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new WardenError('failed', `Cannot write the attestation to ${target}: ${(error as Error).message}.`, 'file');
  }
  return { file: target, attestation, publicKey: readDevicePublicKey(store.db) };
}
