/**
 * attestFromRequest: the REST attest shape, with real Ed25519 publisher signatures over the
 * canonical attestation_data, a real store and the REAL OS keychain (npm test runs a private one).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import * as ed from '@noble/ed25519';
import { readPublisher, verifyServer } from '../../core/attest/attest.ts';
import { DEVICE_KEY_ENTRY } from '../../core/attest/device-key.ts';
import { verifyEnvelope } from '../../core/attest/dsse.ts';
import { attestFromRequest } from '../../core/attest/request.ts';
import { registerFromRequest } from '../../core/registry/api-register.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { engine, failure, stateChecksum, type Engine } from '../helpers/engine.ts';

const SCRIPT = "process.stdin.on('data', () => {}); // publisher's server 1.2.0\n";
const CHECKSUM = `sha256:${createHash('sha256').update(SCRIPT).digest('hex')}`;

async function setup(t: TestContext) {
  const e = engine(t);
  const keychain = new OsKeychain(e.store.installId);
  t.after(() => keychain.delete(DEVICE_KEY_ENTRY));
  writeFileSync(path.join(e.home, 'server.js'), SCRIPT);
  const { server } = registerFromRequest(e.options, { name: 'published', server_url: 'stdio://published', command: process.execPath, args: ['server.js'], cwd: e.home }, e.ctx);
  const publisher = await ed.keygenAsync();
  const publicKey = `ed25519:${Buffer.from(publisher.publicKey).toString('base64')}`;
  const sign = async (data: unknown) => Buffer.from(await ed.signAsync(Buffer.from(canonicalJson(data)), publisher.secretKey)).toString('base64');
  return { e, keychain, server, publicKey, sign };
}

const attest = (s: { e: Engine; keychain: OsKeychain; server: Parameters<typeof attestFromRequest>[2] }, body: unknown) => attestFromRequest(s.e.store, s.keychain, s.server, body);

test('the publisher signs attestation_data exactly as sent; the device signs what runs', async (t) => {
  const s = await setup(t);
  // As a publisher sends it: a version and the checksum, no key inside.
  const attestation_data = { version: '1.2.0', checksum: CHECKSUM };
  const signature = await s.sign(attestation_data);
  const result = attest(s, { public_key: s.publicKey, attestation_data, signature });

  assert.deepEqual(result.attestation.statement.publisher, { key: s.publicKey, checksum: CHECKSUM, signature, attestation_data });
  assert.deepEqual(result.attestation.statement.artifact, { kind: 'script', path: path.join(s.e.home, 'server.js'), checksum: CHECKSUM });
  assert.deepEqual(readPublisher(s.e.store.db, s.server.id), { publisher_key: s.publicKey, expected_checksum: CHECKSUM });
  const deviceKey = result.envelope.signatures[0]?.keyid ?? '';
  assert.equal(verifyEnvelope(result.envelope, deviceKey).ok, true, 'the DSSE envelope verifies offline with the device key');
  assert.equal(verifyServer(s.e.store, s.server).ok, true, 'verification follows the same rule for the signed data');

  // Without a signature, attestation_data carries the checksum to record.
  const unsigned = attest(s, { public_key: s.publicKey, attestation_data: { checksum: CHECKSUM.toUpperCase().replace('SHA256', 'sha256') } });
  assert.equal(unsigned.attestation.statement.publisher?.checksum, CHECKSUM, 'hex case does not matter');
  assert.equal(unsigned.attestation.statement.publisher?.signature, signature, 'the same key and checksum keep the earlier signature');
});

test('a checksum that does not match what runs, or a signature over other data, is a failed attestation naming it; nothing is recorded', async (t) => {
  const s = await setup(t);
  const before = stateChecksum(s.e.dataDir);
  const other = `sha256:${'ab'.repeat(32)}`;
  const mismatch = failure(() => attest(s, { public_key: s.publicKey, attestation_data: { version: '1.2.0', checksum: other } }));
  assert.deepEqual([mismatch.code, mismatch.field], ['failed', 'attestation_data.checksum']);
  assert.match(mismatch.message, new RegExp(`does not match the publisher's checksum: expected ${other}, measured ${CHECKSUM}`));

  const signed = await s.sign({ version: '1.2.0', checksum: CHECKSUM });
  const tampered = failure(() => attest(s, { public_key: s.publicKey, attestation_data: { version: '1.2.1', checksum: CHECKSUM }, signature: signed }));
  assert.deepEqual([tampered.code, tampered.field], ['failed', 'signature']);
  assert.match(tampered.message, /does not verify with ed25519:.+ over the canonical attestation_data/);

  const impostor = await ed.keygenAsync();
  const otherKey = `ed25519:${Buffer.from(impostor.publicKey).toString('base64')}`;
  assert.deepEqual(Object.values(failure(() => attest(s, { public_key: otherKey, attestation_data: { version: '1.2.0', checksum: CHECKSUM }, signature: signed }))).slice(0, 2), ['failed', 'signature']);
  // A key named inside the signed data must be the key given.
  const withKey = { version: '1.2.0', checksum: CHECKSUM, publisher_key: otherKey };
  assert.deepEqual(Object.values(failure(() => attest(s, { public_key: s.publicKey, attestation_data: withKey, signature: signed }))).slice(0, 2), ['invalid_input', 'attestation_data.publisher_key']);
  assert.equal(stateChecksum(s.e.dataDir), before, 'no attestation, no publisher columns, no audit event');
});

test('malformed attest requests are refused naming the request field', async (t) => {
  const s = await setup(t);
  const signed = await s.sign({ checksum: CHECKSUM });
  for (const [body, code, field] of [
    [{ public_key: s.publicKey, signature: signed }, 'invalid_input', 'attestation_data'],
    [{ public_key: s.publicKey, attestation_data: { version: '1' }, signature: signed }, 'invalid_input', 'attestation_data.checksum'],
    [{ public_key: 'rsa:abc', attestation_data: { checksum: CHECKSUM } }, 'invalid_input', 'public_key'],
    [{ attestation_data: { checksum: 'md5:abc' } }, 'invalid_input', 'attestation_data.checksum'],
    [{ attestation_data: { checksum: CHECKSUM }, signature: signed }, 'invalid_input', 'public_key'],
    [{ public_key: s.publicKey, attestation_data: { checksum: CHECKSUM }, signature: 'not base64!' }, 'invalid_input', 'signature'],
    [{ public_key: s.publicKey, attestation_data: 'data' }, 'invalid_input', 'attestation_data'],
    [{ public_key: s.publicKey, extra: true }, 'invalid_input', 'extra'],
  ] as const) {
    const got = failure(() => attest(s, body));
    assert.deepEqual([got.code, got.field], [code, field], JSON.stringify(body));
  }
  // An empty request attests with what is recorded (nothing yet): just the device's measurement.
  assert.equal(attest(s, {}).attestation.statement.publisher, null);
});
