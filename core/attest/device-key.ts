/**
 * The device key: an Ed25519 key pair created on first use. The private half (the 32-byte RFC 8032
 * seed, base64) lives only in the OS keychain, under the entry DEVICE_KEY_ENTRY of this data
 * directory's keychain service; the public half is in the database (`meta.device_public_key`) so
 * anyone can verify offline without the keychain.
 */
import * as ed from '@noble/ed25519';
import { WardenError } from '../api/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Keychain } from '../secrets/keychain.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { decodeBase64, encodeBase64, formatPublicKey, type Signer } from './dsse.ts';

/**
 * The keychain entry holding the private key. User secrets share the keychain service, so a secret
 * named the same would overwrite it: `deviceKey` then refuses to sign (the public keys differ).
 */
export const DEVICE_KEY_ENTRY = '.device-ed25519';
export const DEVICE_PUBLIC_KEY_META = 'device_public_key';

export interface DeviceKey extends Signer {
  /** `ed25519:<base64>` */
  publicKey: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface DeviceKeyOptions {
  /**
   * When the database records a public key but the keychain no longer holds its private half (a
   * wiped keychain, another machine): create a new key pair instead of failing. Attestations signed
   * by the old key stay verifiable with the old public key (kept in the audit trail).
   */
  replaceLost?: boolean;
  now?: Date;
}

/** The device public key recorded in the database, `ed25519:<base64>`, or null before the first attestation. */
export function readDevicePublicKey(db: Db): string | null {
  return stmt<[string], { value: string }>(db, 'SELECT value FROM meta WHERE key = ?').get(DEVICE_PUBLIC_KEY_META)?.value ?? null;
}

function signerFor(seed: Uint8Array, publicKey: string): DeviceKey {
  return { publicKey, sign: (message) => ed.sign(message, seed) };
}

function seedFromKeychain(stored: string, keychain: Keychain): Uint8Array {
  const seed = decodeBase64(stored, 32);
  if (seed === null) {
    const where = 'service' in keychain ? ` (service ${String((keychain as { service: unknown }).service)})` : '';
    throw new WardenError('failed', `The OS keychain entry ${DEVICE_KEY_ENTRY}${where} does not hold a base64 Ed25519 key of 32 bytes, so nothing can be signed: remove that entry to let MCP Warden create a new device key.`);
  }
  return seed;
}

/**
 * The device key, created on first use. Reads the keychain (its one-sentence error propagates when
 * it is unavailable) and checks that the private key there matches the public key recorded in the
 * database, so a keychain entry overwritten by something else is caught instead of signing with it.
 */
export function deviceKey(store: Store, keychain: Keychain, options: DeviceKeyOptions = {}): DeviceKey {
  const { db } = store;
  const recorded = readDevicePublicKey(db);
  const stored = keychain.get(DEVICE_KEY_ENTRY);
  if (stored !== null && recorded !== null) {
    const seed = seedFromKeychain(stored, keychain);
    const publicKey = formatPublicKey(ed.getPublicKey(seed));
    if (publicKey !== recorded) {
      throw new WardenError(
        'failed',
        `The device key in the OS keychain (${publicKey}) is not the one recorded in the database (${recorded}), so MCP Warden will not sign with it: restore the original keychain entry ${DEVICE_KEY_ENTRY}, or remove it and create a new device key.`,
      );
    }
    return signerFor(seed, publicKey);
  }
  // Creating or recording: serialised by an IMMEDIATE transaction, so two processes starting at once
  // end with one key pair, the same in the keychain and in the database.
  const now = options.now ?? new Date();
  return db
    .transaction((): DeviceKey => {
      const current = readDevicePublicKey(db);
      const inKeychain = keychain.get(DEVICE_KEY_ENTRY);
      if (inKeychain !== null) {
        const seed = seedFromKeychain(inKeychain, keychain);
        const publicKey = formatPublicKey(ed.getPublicKey(seed));
        if (current === null) {
          record(db, publicKey);
          appendAudit(db, { actor: 'system', type: 'device_key.recorded', details: { public_key: publicKey } }, now);
        } else if (current !== publicKey) {
          throw new WardenError('failed', `The device key in the OS keychain (${publicKey}) is not the one recorded in the database (${current}), so MCP Warden will not sign with it.`);
        }
        return signerFor(seed, publicKey);
      }
      if (current !== null && options.replaceLost !== true) {
        throw new WardenError(
          'failed',
          `The device signing key ${current} is no longer in the OS keychain (entry ${DEVICE_KEY_ENTRY}), so nothing can be signed: attestations it signed still verify with that public key, and a new device key must be created explicitly.`,
        );
      }
      const { secretKey, publicKey: publicBytes } = ed.keygen();
      const publicKey = formatPublicKey(publicBytes);
      // Keychain first: if it refuses, nothing is recorded anywhere.
      keychain.set(DEVICE_KEY_ENTRY, encodeBase64(secretKey));
      record(db, publicKey);
      appendAudit(db, { actor: 'system', type: current === null ? 'device_key.created' : 'device_key.replaced', details: { public_key: publicKey, ...(current === null ? {} : { previous_public_key: current }) } }, now);
      return signerFor(secretKey, publicKey);
    })
    .immediate();
}

function record(db: Db, publicKey: string): void {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(DEVICE_PUBLIC_KEY_META, publicKey);
}
