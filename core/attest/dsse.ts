/**
 * DSSE envelopes signed with Ed25519 (signing with @noble/ed25519; verification with Node's own
 * OpenSSL Ed25519, which is strict RFC 8032 too and costs well under a millisecond where the pure-JS
 * verify cost ~17 ms cold, on every launch of an attested server). The signature covers the
 * pre-authentication encoding (PAE) of the payload type and the payload bytes, never raw JSON, so a
 * payload cannot be re-labelled as another type. Verification needs only the public key: it works
 * offline, anywhere.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { ATTESTATION_PAYLOAD_TYPE, STATEMENT_TYPE, type AttestationStatement, type DsseEnvelope, type EnvelopeVerdict } from '../api/attestation.ts';
import { canonicalJson } from '../util/canonical-json.ts';

// The synchronous API needs a SHA-512; node:crypto's is the one the rest of the engine trusts.
ed.hashes.sha512 ??= (message) => new Uint8Array(createHash('sha512').update(message).digest());

export const KEY_PREFIX = 'ed25519:';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64: the alphabet, the padding, and no stray bits (Buffer.from alone skips junk). */
export function decodeBase64(text: string, length?: number): Uint8Array | null {
  if (typeof text !== 'string' || !BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return null;
  if (length !== undefined && bytes.length !== length) return null;
  return new Uint8Array(bytes);
}

export const encodeBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** `ed25519:<base64>` for a 32-byte public key. */
export const formatPublicKey = (publicKey: Uint8Array): string => `${KEY_PREFIX}${encodeBase64(publicKey)}`;

/** The 32 bytes of an `ed25519:<base64>` key, or null when it is not one. */
export function parsePublicKey(key: string): Uint8Array | null {
  if (typeof key !== 'string' || !key.startsWith(KEY_PREFIX)) return null;
  return decodeBase64(key.slice(KEY_PREFIX.length), 32);
}

/** DSSE pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes. */
export function pae(type: string, body: Uint8Array): Uint8Array {
  const typeBytes = Buffer.from(type, 'utf8');
  const head = Buffer.from(`DSSEv1 ${typeBytes.length} ${type} ${body.length} `, 'utf8');
  return new Uint8Array(Buffer.concat([head, body]));
}

/** The DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410), before its 32 raw bytes. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Ed25519 signature, strict RFC 8032 verification (no ZIP-215 leniency). Never throws. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

export interface Signer {
  publicKey: string;
  sign(message: Uint8Array): Uint8Array;
}

/** The statement's canonical bytes, wrapped in a signed DSSE envelope. */
export function signStatement(statement: AttestationStatement, signer: Signer): DsseEnvelope {
  const body = Buffer.from(canonicalJson(statement), 'utf8');
  const sig = signer.sign(pae(ATTESTATION_PAYLOAD_TYPE, body));
  return { payloadType: ATTESTATION_PAYLOAD_TYPE, payload: body.toString('base64'), signatures: [{ keyid: signer.publicKey, sig: encodeBase64(sig) }] };
}

const fail = (reason: string): EnvelopeVerdict => ({ ok: false, reason });

/**
 * Verifies a DSSE envelope (its JSON text, or the parsed object) with one public key,
 * `ed25519:<base64>`, and returns the statement it signs. Every failure names what did not hold.
 */
export function verifyEnvelope(envelope: string | unknown, publicKey: string): EnvelopeVerdict {
  const key = parsePublicKey(publicKey);
  if (key === null) return fail(`The key ${JSON.stringify(String(publicKey).slice(0, 80))} is not an Ed25519 public key written as ed25519:<base64 of 32 bytes>.`);
  let value: unknown = envelope;
  if (typeof envelope === 'string') {
    try {
      value = JSON.parse(envelope);
    } catch (error) {
      return fail(`The envelope is not JSON: ${(error as Error).message}.`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('The envelope is not a JSON object with payloadType, payload and signatures.');
  const { payloadType, payload, signatures } = value as Record<string, unknown>;
  if (typeof payloadType !== 'string') return fail('The envelope has no payloadType.');
  if (payloadType !== ATTESTATION_PAYLOAD_TYPE) return fail(`The envelope's payloadType is ${JSON.stringify(payloadType.slice(0, 120))}, not "${ATTESTATION_PAYLOAD_TYPE}".`);
  if (typeof payload !== 'string') return fail('The envelope has no payload.');
  const body = decodeBase64(payload);
  if (body === null) return fail('The envelope\'s payload is not valid base64.');
  if (!Array.isArray(signatures) || signatures.length === 0) return fail('The envelope has no signatures.');

  const message = pae(payloadType, body);
  const keyids: string[] = [];
  let malformed = 0;
  let verified: string | undefined;
  for (const entry of signatures as unknown[]) {
    const { keyid, sig } = (entry ?? {}) as Record<string, unknown>;
    if (typeof keyid === 'string') keyids.push(keyid);
    const signature = typeof sig === 'string' ? decodeBase64(sig, 64) : null;
    if (signature === null) {
      malformed++;
      continue;
    }
    if (ed25519Verify(signature, message, key)) {
      // keyid is only a hint (DSSE): what verified is the key we were given.
      verified = publicKey;
      break;
    }
  }
  if (verified === undefined) {
    if (keyids.length > 0 && !keyids.includes(publicKey)) return fail(`The envelope is signed by ${keyids.join(', ')}, not by ${publicKey}.`);
    if (malformed === signatures.length) return fail('The envelope\'s signature is not 64 bytes of base64.');
    return fail(`The signature does not verify with ${publicKey}: the payload or the signature was changed after signing.`);
  }

  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return fail('The signed payload is not JSON.');
  }
  if (statement === null || typeof statement !== 'object' || (statement as { _type?: unknown })._type !== STATEMENT_TYPE) {
    return fail(`The signed payload is not an MCP Warden attestation statement (${STATEMENT_TYPE}).`);
  }
  return { ok: true, statement: statement as AttestationStatement, keyid: verified };
}
