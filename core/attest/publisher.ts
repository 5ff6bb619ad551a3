/**
 * What a publisher says a server should be: their key (`ed25519:<base64>`), the checksum of the
 * server's primary artifact (`sha256:<hex>` for a file, an SRI string such as `sha512-<base64>` for
 * an npm package's tarball), and optionally their signature over the RFC 8785 canonical JSON of
 * `attestation_data`: the object they signed, as they sent it (it holds the checksum, and may hold
 * their key and any other fields, such as a version), or `{ publisher_key, checksum }` by default.
 */
import { invalidInput, WardenError } from '../api/errors.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { decodeBase64, ed25519Verify, parsePublicKey } from './dsse.ts';
import type { PrimaryArtifact, PublisherClaim } from '../api/attestation.ts';

const SHA256 = /^sha256:([0-9a-fA-F]{64})$/;
const SRI = /^(sha256|sha384|sha512|sha1)-([A-Za-z0-9+/]+={0,2})$/;
const SRI_LENGTHS: Record<string, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/** A checksum in its stored form (hex lowercased), or an invalid_input error naming the field. */
export function normaliseChecksum(checksum: string, field = 'checksum'): string {
  const trimmed = checksum.trim();
  const hex = SHA256.exec(trimmed);
  if (hex !== null) return `sha256:${(hex[1] as string).toLowerCase()}`;
  const sri = SRI.exec(trimmed);
  if (sri !== null && decodeBase64(sri[2] as string, SRI_LENGTHS[sri[1] as string]) !== null) return trimmed;
  throw invalidInput(field, `The checksum ${JSON.stringify(checksum.slice(0, 120))} is not sha256:<64 hex digits> or an npm integrity string such as sha512-<base64>.`);
}

export function validatePublisherKey(key: string, field = 'publisher_key'): string {
  if (parsePublicKey(key.trim()) === null) throw invalidInput(field, `The publisher key ${JSON.stringify(key.slice(0, 120))} is not an Ed25519 public key written as ed25519:<base64 of 32 bytes>.`);
  return key.trim();
}

/** What the checksum is compared with, in words: `script file /srv/server.js`. */
export function describeArtifact(artifact: PrimaryArtifact): string {
  if (artifact.kind === 'package') return `package ${artifact.path}`;
  return `${artifact.kind === 'script' ? 'script file' : 'executable'} ${artifact.path}`;
}

/**
 * Whether the artifact matches the expected checksum. A file matches `sha256:<hex>` or `sha256-<base64>`
 * of its SHA-256; a package matches when its SRI integrity lists the same algorithm and digest.
 * A checksum of the wrong kind for the artifact is an invalid_input error.
 */
export function checksumMatches(artifact: PrimaryArtifact, expected: string): boolean {
  const measured = artifact.checksum;
  if (artifact.kind === 'package') {
    if (SHA256.test(expected)) {
      throw invalidInput('checksum', `The ${describeArtifact(artifact)} is identified by its npm integrity, so give its checksum as an SRI string (sha512-<base64>), not ${expected.slice(0, 20)}...`);
    }
    if (measured === null) return false;
    return measured.split(/\s+/).includes(expected);
  }
  if (measured === null) return false;
  if (SHA256.test(expected)) return measured === expected;
  const sri = SRI.exec(expected);
  if (sri !== null && sri[1] === 'sha256') return `sha256:${Buffer.from(sri[2] as string, 'base64').toString('hex')}` === measured;
  throw invalidInput('checksum', `The ${describeArtifact(artifact)} is a file, so give its checksum as sha256:<64 hex digits>.`);
}

/**
 * The object a publisher signs. When they supply it (`attestation_data` in the REST request), it is
 * exactly what they signed: it must hold the checksum given (`checksum`), and a `publisher_key` in it,
 * if any, must be the key given. When they do not (the CLI's `attest --signature`), it is
 * `{ publisher_key, checksum }`.
 */
export function attestationData(key: string, checksum: string, supplied?: Record<string, unknown>): Record<string, unknown> {
  if (supplied === undefined) return { publisher_key: key, checksum };
  const problem = attestationDataProblem(supplied, key, checksum);
  if (problem !== null) throw invalidInput(problem.field, problem.message);
  return supplied;
}

/** Why signed attestation_data does not describe this key and checksum, or null when it does. */
function attestationDataProblem(data: Record<string, unknown>, key: string | null, checksum: string | null): { field: string; message: string } | null {
  const field = 'attestation_data.checksum';
  if (typeof data['checksum'] !== 'string') return { field, message: 'attestation_data must hold the checksum the publisher signed, as attestation_data.checksum (sha256:<hex>).' };
  let signed: string;
  try {
    signed = normaliseChecksum(data['checksum'], field);
  } catch (error) {
    return { field, message: (error as Error).message };
  }
  if (signed !== checksum) return { field, message: `attestation_data.checksum is ${JSON.stringify(data['checksum'])}, which differs from the checksum given (${checksum ?? 'none'}).` };
  if ('publisher_key' in data && data['publisher_key'] !== key) {
    return { field: 'attestation_data.publisher_key', message: `attestation_data.publisher_key is ${JSON.stringify(data['publisher_key'])}, which differs from the publisher key given (${key ?? 'none'}).` };
  }
  return null;
}

/** The exact bytes a publisher signs: the RFC 8785 canonical JSON of attestation_data, UTF-8. */
export const publisherMessage = (data: Record<string, unknown>): Uint8Array => new Uint8Array(Buffer.from(canonicalJson(data), 'utf8'));

/** Null when the publisher's signature verifies; otherwise why not, in one sentence. */
export function publisherSignatureProblem(claim: PublisherClaim): string | null {
  if (claim.signature === null) return null;
  if (claim.key === null || claim.attestation_data === null) return 'The publisher signature cannot be checked without the publisher key and the signed attestation_data.';
  const key = parsePublicKey(claim.key);
  if (key === null) return `The publisher key ${claim.key} is not an Ed25519 public key.`;
  const signature = decodeBase64(claim.signature, 64);
  if (signature === null) return 'The publisher signature is not 64 bytes of base64.';
  const mismatch = attestationDataProblem(claim.attestation_data, claim.key, claim.checksum);
  if (mismatch !== null) return `The publisher's signed attestation_data does not match what is recorded: ${mismatch.message}`;
  if (!ed25519Verify(signature, publisherMessage(claim.attestation_data), key)) {
    return `The publisher signature does not verify with ${claim.key} over the canonical attestation_data.`;
  }
  return null;
}

/** Throws a `failed` WardenError naming the artifact when it does not match the publisher's checksum. */
export function assertChecksum(artifact: PrimaryArtifact | null, expected: string): void {
  if (artifact === null) {
    throw invalidInput('checksum', 'An http or sse server runs no local artifact, so a publisher checksum cannot be checked for it.');
  }
  if (!checksumMatches(artifact, expected)) {
    throw new WardenError('failed', `The ${describeArtifact(artifact)} does not match the publisher's checksum: expected ${expected}, measured ${artifact.checksum ?? 'nothing (no integrity recorded)'}.`, 'checksum');
  }
}
