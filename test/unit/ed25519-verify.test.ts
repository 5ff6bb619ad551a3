// ed25519Verify (Node's OpenSSL Ed25519) against signatures made with @noble/ed25519, which signs
// the device's attestations: valid ones verify; any flipped bit, another key or message, a wrong
// length, and a non-canonical S (S + L, accepted by lenient ZIP-215 verifiers) do not.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as ed from '@noble/ed25519';
import { ed25519Verify } from '../../core/attest/dsse.ts';

ed.hashes.sha512 ??= (message) => new Uint8Array(createHash('sha512').update(message).digest());

/** The order of the Ed25519 group. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

test('Ed25519 verification accepts what @noble/ed25519 signs and nothing else', () => {
  for (let i = 0; i < 20; i++) {
    const secret = new Uint8Array(randomBytes(32));
    const publicKey = ed.getPublicKey(secret);
    const message = new Uint8Array(randomBytes(1 + i * 7));
    const signature = ed.sign(message, secret);
    assert.equal(ed25519Verify(signature, message, publicKey), true, `signature ${i}`);

    const flipped = signature.slice();
    flipped[i % 64] = (flipped[i % 64] as number) ^ 0x01;
    assert.equal(ed25519Verify(flipped, message, publicKey), false, 'a flipped signature bit');
    const otherMessage = message.slice();
    otherMessage[0] = (otherMessage[0] as number) ^ 0x80;
    assert.equal(ed25519Verify(signature, otherMessage, publicKey), false, 'another message');
    assert.equal(ed25519Verify(signature, message, ed.getPublicKey(new Uint8Array(randomBytes(32)))), false, 'another key');
  }
  const secret = new Uint8Array(randomBytes(32));
  const message = new Uint8Array(Buffer.from('attestation'));
  const signature = ed.sign(message, secret);
  const publicKey = ed.getPublicKey(secret);
  assert.equal(ed25519Verify(signature.slice(0, 63), message, publicKey), false, 'a short signature');
  assert.equal(ed25519Verify(signature, message, publicKey.slice(0, 31)), false, 'a short key');

  // S + L is the same scalar, non-canonically encoded: RFC 8032 verification must refuse it.
  const s = BigInt(`0x${Buffer.from(signature.slice(32)).reverse().toString('hex')}`) + L;
  const sBytes = Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse();
  const malleable = new Uint8Array(Buffer.concat([Buffer.from(signature.slice(0, 32)), sBytes]));
  assert.equal(ed25519Verify(malleable, message, publicKey), false, 'a non-canonical S');
});
