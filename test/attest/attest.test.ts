/**
 * Attestation against real files, a real SQLite store and the REAL OS keychain (scripts/test.mjs
 * runs this inside a private D-Bus session with an unlocked gnome-keyring).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import * as ed from '@noble/ed25519';
import type { Alert } from '../../core/api/alert.ts';
import { unavailable, WardenError } from '../../core/api/errors.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import { listAudit, verifyAudit } from '../../core/audit/audit-log.ts';
import { attestServer, exportAttestation, getLatestAttestation, listAttestations, readPublisher, verifyAll, verifyServer } from '../../core/attest/attest.ts';
import { DEVICE_KEY_ENTRY, deviceKey, readDevicePublicKey } from '../../core/attest/device-key.ts';
import { pae, verifyEnvelope } from '../../core/attest/dsse.ts';
import { measure } from '../../core/attest/measure.ts';
import { ATTESTATION_PAYLOAD_TYPE, type DsseEnvelope } from '../../core/api/attestation.ts';
import { getServer } from '../../core/registry/read.ts';
import { registerServer } from '../../core/registry/register.ts';
import type { Keychain } from '../../core/secrets/keychain.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { openStore, type Store } from '../../core/store/database.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';

const HOUR_AGO = new Date(Date.now() - 3600_000);
const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

interface Env {
  store: Store;
  keychain: OsKeychain;
  dataDir: string;
  work: string;
}

function setup(t: TestContext): Env {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-attest-'));
  const dataDir = path.join(root, 'home');
  const work = path.join(root, 'work');
  mkdirSync(work);
  const store = openStore(dataDir);
  const keychain = new OsKeychain(store.installId);
  t.after(() => {
    try {
      keychain.delete(DEVICE_KEY_ENTRY);
    } finally {
      store.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
  return { store, keychain, dataDir, work };
}

/** Writes a file whose mtime is an hour old, so the hash cache may keep its hash (recent files are re-read). */
function writeOld(file: string, content: string | Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  utimesSync(file, HOUR_AGO, HOUR_AGO);
}

const SCRIPT = "process.stdin.on('data', () => {}); // MCP server v1\n";

function scriptServer(env: Env, name = 'scripted', script = 'server.js'): ServerDefinition {
  writeOld(path.join(env.work, script), SCRIPT);
  return registerServer(env.store, { name, transport: 'stdio', command: process.execPath, args: ['--no-warnings', script, '--stdio'], cwd: env.work, env_template: [{ key: 'LOG_LEVEL', value: 'debug' }] }, { cwd: env.work, env: process.env });
}

/** The open attestation_failed alerts of a server. */
const openAttestationAlerts = (env: Env, serverId: string): Alert[] =>
  listAlerts(env.store.db, { serverId }).filter((a) => a.type === 'attestation_failed' && a.state !== 'resolved');

const count = (env: Env, sql: string, ...params: unknown[]): number => (env.store.db.prepare(sql).get(...params) as { n: number }).n;

test('attest, then a script changed by one byte fails verify with a high alert naming the file; restoring it passes and resolves the alert', (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  const scriptPath = path.join(env.work, 'server.js');

  const { attestation, envelope } = attestServer(env.store, env.keychain, server);
  const s = attestation.statement;
  assert.equal(s.executable?.path, process.execPath);
  assert.equal(s.executable?.sha256, sha256(readFileSync(process.execPath)));
  assert.equal(s.launcher, 'node');
  assert.deepEqual(s.script, { path: scriptPath, sha256: sha256(SCRIPT), problem: null });
  assert.deepEqual(s.artifact, { kind: 'script', path: scriptPath, checksum: `sha256:${sha256(SCRIPT)}` });
  assert.deepEqual(s.args, ['--no-warnings', 'server.js', '--stdio']);
  assert.deepEqual(s.env_keys, ['LOG_LEVEL']);
  assert.equal(s.url, null);
  assert.equal(s.manifest_sha256, null, 'never pinned');
  assert.equal(s.reported, null, 'never probed');
  assert.equal(attestation.status, 'valid');
  assert.equal(envelope.payloadType, ATTESTATION_PAYLOAD_TYPE);
  const publicKey = readDevicePublicKey(env.store.db);
  assert.match(publicKey ?? '', /^ed25519:[A-Za-z0-9+/]{43}=$/);
  assert.equal(envelope.signatures[0]?.keyid, publicKey);
  // The stored row is the signed payload, byte for byte.
  assert.equal(Buffer.from(envelope.payload, 'base64').toString('utf8'), canonicalJson(s));

  const first = verifyServer(env.store, server);
  assert.equal(first.ok, true, JSON.stringify(first.differences));
  assert.deepEqual(first.differences, []);
  assert.equal(first.alert, null);

  // Same size, one byte different.
  const tampered = SCRIPT.replace('v1', 'v2');
  assert.equal(tampered.length, SCRIPT.length);
  writeOld(scriptPath, tampered);
  const failed = verifyServer(env.store, server);
  assert.equal(failed.ok, false);
  assert.equal(failed.status, 'failed');
  assert.deepEqual(failed.differences.map((d) => d.field), ['script.sha256']);
  assert.deepEqual(failed.differences[0], { field: 'script.sha256', label: `script file ${scriptPath}`, before: sha256(SCRIPT), after: sha256(tampered) });
  assert.equal(failed.alert?.type, 'attestation_failed');
  assert.equal(failed.alert?.severity, 'high');
  assert.equal(failed.alert?.state, 'open');
  assert.ok(failed.alert?.title.includes(scriptPath), failed.alert?.title);
  assert.ok(failed.alert?.title.includes('"scripted"'), failed.alert?.title);
  assert.deepEqual((failed.alert?.details.differences as unknown[])?.length, 1);
  const row = getLatestAttestation(env.store.db, server.id);
  assert.equal(row?.status, 'failed');
  assert.deepEqual(row?.differences.map((d) => [d.field, d.before, d.after]), [['script.sha256', sha256(SCRIPT), sha256(tampered)]]);

  // Still different: the same condition, no second alert.
  const again = verifyServer(env.store, server);
  assert.equal(again.ok, false);
  assert.deepEqual(again.opened, []);
  assert.equal(openAttestationAlerts(env, server.id).length, 1);

  writeOld(scriptPath, SCRIPT);
  const restored = verifyServer(env.store, server);
  assert.equal(restored.ok, true, JSON.stringify(restored.differences));
  assert.equal(restored.resolved.length, 1);
  assert.equal(restored.resolved[0]?.id, failed.alert?.id);
  assert.equal(openAttestationAlerts(env, server.id).length, 0);
  assert.equal(getLatestAttestation(env.store.db, server.id)?.status, 'valid');
  assert.deepEqual(getLatestAttestation(env.store.db, server.id)?.differences, []);

  // Every attest and verify is audited, and the chain holds.
  const types = listAudit(env.store.db, { serverId: server.id }).map((e) => e.type);
  assert.equal(types.filter((x) => x === 'server.attested').length, 1);
  assert.equal(types.filter((x) => x === 'server.verified').length, 4);
  assert.ok(types.includes('alert.opened') && types.includes('alert.resolved'));
  const verifiedEvents = listAudit(env.store.db, { serverId: server.id, type: 'server.verified' });
  assert.deepEqual(verifiedEvents.map((e) => e.details.ok), [true, false, false, true]);
  assert.equal(verifyAudit(env.store.db).ok, true);
});

test('a DSSE envelope verifies offline with the public key alone; a tampered payload, signature, payloadType or another key fails with a reason', async (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  attestServer(env.store, env.keychain, server);
  const publicKey = readDevicePublicKey(env.store.db) as string;
  const file = path.join(env.work, 'out', 'scripted.dsse.json');
  mkdirSync(path.dirname(file));
  const exported = exportAttestation(env.store, server, file);
  assert.equal(exported.publicKey, publicKey);
  const text = readFileSync(file, 'utf8');
  const envelope = JSON.parse(text) as DsseEnvelope;

  const good = verifyEnvelope(text, publicKey);
  assert.equal(good.ok, true, good.ok ? '' : good.reason);
  assert.equal(good.ok && good.statement.script?.sha256, sha256(SCRIPT));

  // Independently of our code: the signature is Ed25519 over the PAE of type and payload bytes.
  const body = Buffer.from(envelope.payload, 'base64');
  const expectedPae = Buffer.concat([Buffer.from(`DSSEv1 ${ATTESTATION_PAYLOAD_TYPE.length} ${ATTESTATION_PAYLOAD_TYPE} ${body.length} `), body]);
  assert.deepEqual(Buffer.from(pae(ATTESTATION_PAYLOAD_TYPE, body)), expectedPae);
  const pub = Buffer.from(publicKey.slice('ed25519:'.length), 'base64');
  assert.equal(await ed.verifyAsync(Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64'), expectedPae, pub), true);
  assert.equal(await ed.verifyAsync(Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64'), body, pub), false, 'the raw payload is not what is signed');

  const payloadTampered = Buffer.from(body);
  const at = payloadTampered.indexOf(Buffer.from(sha256(SCRIPT)));
  assert.ok(at > 0);
  payloadTampered[at] = payloadTampered[at] === 0x61 ? 0x62 : 0x61;
  const p = verifyEnvelope({ ...envelope, payload: payloadTampered.toString('base64') }, publicKey);
  assert.equal(p.ok, false);
  assert.match(p.ok ? '' : p.reason, /does not verify with ed25519:.*the payload or the signature was changed/);

  const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64');
  sig[10] = (sig[10] as number) ^ 0x01;
  const s = verifyEnvelope({ ...envelope, signatures: [{ keyid: publicKey, sig: sig.toString('base64') }] }, publicKey);
  assert.equal(s.ok, false);
  assert.match(s.ok ? '' : s.reason, /does not verify with/);

  const ty = verifyEnvelope({ ...envelope, payloadType: 'application/vnd.in-toto+json' }, publicKey);
  assert.equal(ty.ok, false);
  assert.match(ty.ok ? '' : ty.reason, /payloadType is "application\/vnd.in-toto\+json", not "application\/vnd.mcp-warden.attestation\+json"/);

  const other = `ed25519:${Buffer.from((await ed.keygenAsync()).publicKey).toString('base64')}`;
  const k = verifyEnvelope(text, other);
  assert.equal(k.ok, false);
  assert.match(k.ok ? '' : k.reason, new RegExp(`signed by ${publicKey.replace(/[+/]/g, '\\$&')}, not by ${other.replace(/[+/]/g, '\\$&')}`));
  // Claiming the other key in keyid does not help: the signature still fails.
  const relabelled = verifyEnvelope({ ...envelope, signatures: [{ keyid: other, sig: envelope.signatures[0]?.sig ?? '' }] }, other);
  assert.equal(relabelled.ok, false);
  assert.match(relabelled.ok ? '' : relabelled.reason, /does not verify with/);

  const broken = verifyEnvelope('{"payloadType": ', publicKey);
  assert.match(broken.ok ? '' : broken.reason, /not JSON/);
  assert.match((verifyEnvelope(text, 'ed25519:short') as { reason: string }).reason, /not an Ed25519 public key/);
});

test('the device private key is in the OS keychain only, never in the data directory, and is checked against the recorded public key', (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  assert.equal(env.keychain.get(DEVICE_KEY_ENTRY), null, 'no key before first use');
  attestServer(env.store, env.keychain, server);
  const stored = env.keychain.get(DEVICE_KEY_ENTRY);
  assert.ok(stored !== null, 'the private key is in the real keychain');
  const seed = Buffer.from(stored, 'base64');
  assert.equal(seed.length, 32);
  const publicKey = readDevicePublicKey(env.store.db);
  assert.equal(publicKey, `ed25519:${Buffer.from(ed.getPublicKey(seed)).toString('base64')}`);

  // Not in any file of the data directory: base64, hex or raw bytes (WAL and shared memory included).
  env.store.db.pragma('wal_checkpoint(PASSIVE)');
  const files = readdirSync(env.dataDir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(env.dataDir, f)).filter((f) => statSync(f).isFile());
  assert.ok(files.some((f) => f.endsWith('warden.db')));
  for (const f of files) {
    const content = readFileSync(f);
    assert.equal(content.includes(Buffer.from(stored)), false, `${f} holds the base64 private key`);
    assert.equal(content.includes(Buffer.from(seed.toString('hex'))), false, `${f} holds the hex private key`);
    assert.equal(content.includes(seed), false, `${f} holds the raw private key`);
  }
  assert.ok(files.some((f) => readFileSync(f).includes(Buffer.from(publicKey as string))), 'the public key is in the database');

  // Used again, not created again.
  assert.equal(deviceKey(env.store, env.keychain).publicKey, publicKey);
  assert.equal(listAudit(env.store.db, { type: 'device_key.created' }).length, 1);

  // A keychain entry overwritten by something else is refused, not signed with.
  env.keychain.set(DEVICE_KEY_ENTRY, Buffer.alloc(32, 9).toString('base64'));
  assert.throws(() => attestServer(env.store, env.keychain, server), (e: unknown) => e instanceof WardenError && e.code === 'failed' && /is not the one recorded in the database/.test(e.message));
  env.keychain.set(DEVICE_KEY_ENTRY, stored);

  // A lost key is not silently replaced; replacing it explicitly makes the old attestation fail its signature check.
  env.keychain.delete(DEVICE_KEY_ENTRY);
  assert.throws(() => attestServer(env.store, env.keychain, server), /is no longer in the OS keychain/);
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 1);
  const fresh = deviceKey(env.store, env.keychain, { replaceLost: true });
  assert.notEqual(fresh.publicKey, publicKey);
  assert.equal(readDevicePublicKey(env.store.db), fresh.publicKey);
  assert.equal(listAudit(env.store.db, { type: 'device_key.replaced' })[0]?.details.previous_public_key, publicKey);
  const result = verifyServer(env.store, server);
  assert.equal(result.ok, false);
  assert.deepEqual(result.differences.map((d) => d.field), ['signature']);
  assert.match(result.differences[0]?.note ?? '', /signed by ed25519:.*, not by ed25519:/);
  // Attesting anew with the new key resolves it.
  const again = attestServer(env.store, env.keychain, server);
  assert.equal(again.attestation.keyid, fresh.publicKey);
  assert.equal(again.resolved.length, 1);
  assert.equal(verifyServer(env.store, server).ok, true);
});

test('with the keychain unavailable, attesting fails with its sentence and records nothing; verifying needs no keychain', (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  const sentence = 'The OS keychain is not available, because no unlocked Secret Service answered on the D-Bus session bus (test): start and unlock one and try again.';
  const locked: Keychain = {
    status: () => ({ available: false, persistent: false, backend: 'secret-service', problem: sentence }),
    get: () => { throw unavailable(sentence); },
    set: () => { throw unavailable(sentence); },
    delete: () => { throw unavailable(sentence); },
  };
  assert.throws(() => attestServer(env.store, locked, server), (e: unknown) => e instanceof WardenError && e.code === 'unavailable' && e.message === sentence);
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 0);
  assert.equal(readDevicePublicKey(env.store.db), null);
  assert.equal(listAudit(env.store.db, { type: 'server.attested' }).length, 0);

  attestServer(env.store, env.keychain, server);
  // verifyServer takes no keychain at all: only the public key in the database.
  assert.equal(verifyServer(env.store, server).ok, true);
});

/** A fake npx cache: `<cache>/_npx/<dir>/node_modules/<name>` with its package-lock.json. */
function fakeNpxInstall(cache: string, dir: string, name: string, version: string, integrity: string, wanted: string): string {
  const install = path.join(cache, '_npx', dir);
  const pkgDir = path.join(install, 'node_modules', ...name.split('/'));
  const bin = name.replace(/^@[^/]+\//, '');
  writeOld(path.join(pkgDir, 'package.json'), JSON.stringify({ name, version, bin: { [bin]: 'dist/index.js' } }));
  writeOld(path.join(pkgDir, 'dist', 'index.js'), `#!/usr/bin/env node\n// ${name} ${version}\n`);
  writeOld(path.join(install, 'package.json'), JSON.stringify({ dependencies: { [name]: wanted } }));
  writeOld(path.join(install, 'package-lock.json'), JSON.stringify({
    name: dir, lockfileVersion: 3, requires: true,
    packages: { '': { dependencies: { [name]: wanted } }, [`node_modules/${name}`]: { version, resolved: `https://registry.npmjs.org/${name}/-/${bin}-${version}.tgz`, integrity } },
  }));
  return pkgDir;
}

const npxKey = (...specs: string[]): string => createHash('sha512').update(specs.sort().join('\n')).digest('hex').slice(0, 16);
const sri = (seed: string): string => `sha512-${createHash('sha512').update(seed).digest('base64')}`;

function fakeExecutable(dir: string, name: string): string {
  const file = path.join(dir, 'bin', name);
  writeOld(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  utimesSync(file, HOUR_AGO, HOUR_AGO);
  return file;
}

test('an npx launch is measured from the npx cache (name, version, integrity, bin entry); a moved version is a difference', (t) => {
  const env = setup(t);
  const cache = path.join(env.work, 'npm-cache');
  const npx = fakeExecutable(env.work, 'npx');
  const integrity1 = sri('fake-mcp-1.2.3');
  const pkgDir = fakeNpxInstall(cache, npxKey('fake-mcp'), 'fake-mcp', '1.2.3', integrity1, '^1.2.3');
  // A decoy: the same package in another npx folder, older.
  fakeNpxInstall(cache, '0000000000000000', 'fake-mcp', '0.9.0', sri('decoy'), '0.9.0');
  const server = registerServer(env.store, { name: 'npx-server', transport: 'stdio', command: npx, args: ['-y', 'fake-mcp', '--stdio'] }, { cwd: env.work, env: process.env });
  const opts = { npmCacheDir: cache };

  const { attestation } = attestServer(env.store, env.keychain, server, opts);
  const s = attestation.statement;
  assert.equal(s.launcher, 'npx');
  assert.equal(s.script, null);
  assert.equal(s.executable?.path, npx);
  assert.deepEqual(
    { name: s.package?.name, version: s.package?.version, integrity: s.package?.integrity, source: s.package?.source, dir: s.package?.dir },
    { name: 'fake-mcp', version: '1.2.3', integrity: integrity1, source: 'npx-cache', dir: pkgDir },
  );
  assert.equal(s.package?.entry?.sha256, sha256('#!/usr/bin/env node\n// fake-mcp 1.2.3\n'));
  assert.deepEqual(s.artifact, { kind: 'package', path: pkgDir, checksum: integrity1 });
  assert.equal(verifyServer(env.store, server, opts).ok, true);

  // npx moved the package to 1.3.0.
  const integrity2 = sri('fake-mcp-1.3.0');
  fakeNpxInstall(cache, npxKey('fake-mcp'), 'fake-mcp', '1.3.0', integrity2, '^1.2.3');
  const moved = verifyServer(env.store, server, opts);
  assert.equal(moved.ok, false);
  const byField = Object.fromEntries(moved.differences.map((d) => [d.field, d]));
  assert.deepEqual([byField['package.version']?.before, byField['package.version']?.after], ['1.2.3', '1.3.0']);
  assert.deepEqual([byField['package.integrity']?.before, byField['package.integrity']?.after], [integrity1, integrity2]);
  assert.ok(byField['package.entry.sha256'], 'the bin entry changed too');
  assert.equal(byField['package.version']?.label, 'package fake-mcp version');
  assert.match(moved.alert?.title ?? '', /package fake-mcp version changed/);

  // Removed from the cache entirely: reported as such.
  rmSync(path.join(cache, '_npx'), { recursive: true });
  const gone = verifyServer(env.store, server, opts);
  assert.equal(gone.ok, false);
  assert.match(gone.differences.find((d) => d.field === 'package.version')?.note ?? '', /fake-mcp is not installed in the npx cache/);
  assert.throws(() => attestServer(env.store, env.keychain, server, opts), /Cannot attest "npx-server": The package fake-mcp is not installed/);
});

test('npm exec with --package, a cache written under another key, and a local node_modules are measured', (t) => {
  const env = setup(t);
  const cache = path.join(env.work, 'npm-cache');
  const npm = fakeExecutable(env.work, 'npm');
  // Scoped package, pinned, installed under a folder that is not the computed key (another npx version).
  const pkgDir = fakeNpxInstall(cache, 'feedfacefeedface', '@acme/tool', '2.0.0', sri('acme-2.0.0'), '2.0.0');
  fakeNpxInstall(cache, 'deadbeefdeadbeef', '@acme/tool', '1.0.0', sri('acme-1.0.0'), '1.0.0');
  const execServer = registerServer(env.store, { name: 'exec', transport: 'stdio', command: npm, args: ['exec', '--yes', '--package=@acme/tool@2.0.0', '--', 'tool', '--stdio'] }, { cwd: env.work, env: process.env });
  const m = measure(env.store, execServer, { npmCacheDir: cache });
  assert.equal(m.launcher, 'npm-exec');
  assert.deepEqual([m.package?.name, m.package?.version, m.package?.integrity, m.package?.dir], ['@acme/tool', '2.0.0', sri('acme-2.0.0'), pkgDir]);
  assert.equal(m.package?.entry?.path, path.join(pkgDir, 'dist', 'index.js'));

  // A project with the package in node_modules above the server's cwd, integrity from its package-lock.json.
  const project = path.join(env.work, 'project');
  const sub = path.join(project, 'packages', 'app');
  mkdirSync(sub, { recursive: true });
  writeOld(path.join(project, 'node_modules', 'local-mcp', 'package.json'), JSON.stringify({ name: 'local-mcp', version: '4.5.6', bin: 'cli.js' }));
  writeOld(path.join(project, 'node_modules', 'local-mcp', 'cli.js'), 'console.log(1)\n');
  writeOld(path.join(project, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/local-mcp': { version: '4.5.6', integrity: sri('local-4.5.6') } } }));
  const npx = fakeExecutable(env.work, 'npx');
  const local = registerServer(env.store, { name: 'local', transport: 'stdio', command: npx, args: ['--package', 'local-mcp@4.5.6', 'local-mcp'], cwd: sub }, { cwd: env.work, env: process.env });
  const l = measure(env.store, local, { npmCacheDir: cache });
  assert.deepEqual([l.package?.source, l.package?.version, l.package?.integrity], ['node_modules', '4.5.6', sri('local-4.5.6')]);
  assert.equal(l.package?.entry?.sha256, sha256('console.log(1)\n'));
});

test('a publisher checksum must match the primary artifact; a mismatch is a failed error naming it and records nothing', (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  const scriptPath = path.join(env.work, 'server.js');
  const wrong = `sha256:${sha256('something else')}`;

  assert.throws(
    () => attestServer(env.store, env.keychain, server, { checksum: wrong }),
    (e: unknown) => e instanceof WardenError && e.code === 'failed' && e.field === 'checksum' && e.message.includes(`script file ${scriptPath}`) && e.message.includes(wrong) && e.message.includes(sha256(SCRIPT)),
  );
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 0);
  assert.deepEqual(readPublisher(env.store.db, server.id), { publisher_key: null, expected_checksum: null });
  assert.throws(() => attestServer(env.store, env.keychain, server, { checksum: 'md5:0' }), (e: unknown) => e instanceof WardenError && e.code === 'invalid_input');

  const right = `sha256:${sha256(SCRIPT).toUpperCase()}`;
  const { attestation } = attestServer(env.store, env.keychain, server, { checksum: right });
  assert.equal(attestation.statement.publisher?.checksum, `sha256:${sha256(SCRIPT)}`);
  assert.deepEqual(readPublisher(env.store.db, server.id), { publisher_key: null, expected_checksum: `sha256:${sha256(SCRIPT)}` });

  // A recorded checksum keeps applying: the script replaced fails verify on both counts.
  writeOld(scriptPath, SCRIPT.replace('v1', 'v9'));
  const result = verifyServer(env.store, server);
  assert.deepEqual(result.differences.map((d) => d.field).sort(), ['publisher.match', 'script.sha256']);
  assert.equal(result.differences.find((d) => d.field === 'publisher.match')?.before, `sha256:${sha256(SCRIPT)}`);
  // ...and attesting the replaced script is refused while the checksum is recorded.
  assert.throws(() => attestServer(env.store, env.keychain, server), /does not match the publisher's checksum/);
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 1);
});

test('an npx package checksum is its SRI integrity; an http server has no artifact to check', (t) => {
  const env = setup(t);
  const cache = path.join(env.work, 'npm-cache');
  const integrity = sri('pkg-1.0.0');
  fakeNpxInstall(cache, npxKey('pkg@1.0.0'), 'pkg', '1.0.0', integrity, '1.0.0');
  const npx = fakeExecutable(env.work, 'npx');
  const server = registerServer(env.store, { name: 'pkg', transport: 'stdio', command: npx, args: ['-y', 'pkg@1.0.0'] }, { cwd: env.work, env: process.env });
  assert.throws(() => attestServer(env.store, env.keychain, server, { npmCacheDir: cache, checksum: sri('pkg-6.6.6') }), /package .*pkg does not match the publisher's checksum: expected sha512-/);
  assert.throws(() => attestServer(env.store, env.keychain, server, { npmCacheDir: cache, checksum: `sha256:${'0'.repeat(64)}` }), (e: unknown) => e instanceof WardenError && e.code === 'invalid_input' && /SRI string/.test(e.message));
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 0);
  const ok = attestServer(env.store, env.keychain, server, { npmCacheDir: cache, checksum: integrity });
  assert.equal(ok.attestation.statement.artifact?.checksum, integrity);

  const http = registerServer(env.store, { name: 'remote', transport: 'http', url: 'https://mcp.example.test/mcp', headers: { Authorization: 'Bearer x' } }, { cwd: env.work, env: process.env });
  assert.throws(() => attestServer(env.store, env.keychain, http, { checksum: `sha256:${'0'.repeat(64)}` }), (e: unknown) => e instanceof WardenError && e.code === 'invalid_input' && /http or sse server runs no local artifact/.test(e.message));
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations WHERE server_id = ?', http.id), 0);
});

test('a publisher signature over the canonical attestation_data must verify with the publisher key', async (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  const publisher = await ed.keygenAsync();
  const publisherKey = `ed25519:${Buffer.from(publisher.publicKey).toString('base64')}`;
  const checksum = `sha256:${sha256(SCRIPT)}`;
  const extra = { name: 'scripted', version: '1.0.0' };
  // The exact object the publisher signed, passed as attestationData.
  const signedData = { ...extra, publisher_key: publisherKey, checksum };
  // Signed independently: canonical JSON (RFC 8785) of { publisher_key, checksum, ...extra }.
  const signed = Buffer.from(canonicalJson({ checksum, name: 'scripted', publisher_key: publisherKey, version: '1.0.0' }));
  const signature = Buffer.from(await ed.signAsync(signed, publisher.secretKey)).toString('base64');

  // Signed over other data (another version): refused, nothing recorded.
  const otherData = Buffer.from(await ed.signAsync(Buffer.from(canonicalJson({ checksum, name: 'scripted', publisher_key: publisherKey, version: '2.0.0' })), publisher.secretKey)).toString('base64');
  assert.throws(
    () => attestServer(env.store, env.keychain, server, { publisherKey, checksum, publisherSignature: otherData, attestationData: signedData }),
    (e: unknown) => e instanceof WardenError && e.code === 'failed' && e.field === 'publisher_signature' && e.message.includes(`does not verify with ${publisherKey}`),
  );
  // Signed by someone else: refused.
  const impostor = await ed.keygenAsync();
  const forged = Buffer.from(await ed.signAsync(signed, impostor.secretKey)).toString('base64');
  assert.throws(() => attestServer(env.store, env.keychain, server, { publisherKey, checksum, publisherSignature: forged, attestationData: signedData }), /does not verify/);
  // Signed data that contradicts the checksum given: a usage error.
  assert.throws(() => attestServer(env.store, env.keychain, server, { publisherKey, checksum, publisherSignature: signature, attestationData: { ...signedData, checksum: 'sha256:00' } }), (e: unknown) => e instanceof WardenError && e.code === 'invalid_input');
  assert.throws(() => attestServer(env.store, env.keychain, server, { publisherSignature: signature }), (e: unknown) => e instanceof WardenError && e.field === 'publisher_key');
  assert.equal(count(env, 'SELECT count(*) AS n FROM attestations'), 0);
  assert.deepEqual(readPublisher(env.store.db, server.id), { publisher_key: null, expected_checksum: null });

  const { attestation } = attestServer(env.store, env.keychain, server, { publisherKey, checksum, publisherSignature: signature, attestationData: signedData });
  assert.deepEqual(attestation.statement.publisher, { key: publisherKey, checksum, signature, attestation_data: { ...extra, publisher_key: publisherKey, checksum } });
  assert.deepEqual(readPublisher(env.store.db, server.id), { publisher_key: publisherKey, expected_checksum: checksum });
  assert.equal(verifyServer(env.store, server).ok, true);
  // Attesting again without the signature keeps it: same key, same checksum.
  const again = attestServer(env.store, env.keychain, server);
  assert.equal(again.attestation.statement.publisher?.signature, signature);

  // Someone swaps the recorded publisher key in the database: verify names it.
  const swapped = `ed25519:${Buffer.from(impostor.publicKey).toString('base64')}`;
  env.store.db.prepare('UPDATE servers SET publisher_key = ? WHERE id = ?').run(swapped, server.id);
  const result = verifyServer(env.store, server);
  assert.equal(result.ok, false);
  const key = result.differences.find((d) => d.field === 'publisher.key');
  assert.deepEqual([key?.before, key?.after], [publisherKey, swapped]);
});

test('an http server is attested by URL and header names with no executable; a changed URL, args, env keys, pin or reported version is a difference', (t) => {
  const env = setup(t);
  const http = registerServer(env.store, { name: 'remote', transport: 'http', url: 'https://mcp.example.test/mcp', headers: { 'X-Api-Key': 'plain-value' } }, { cwd: env.work, env: process.env });
  const { attestation } = attestServer(env.store, env.keychain, http);
  const s = attestation.statement;
  assert.deepEqual([s.transport, s.executable, s.script, s.package, s.artifact, s.launcher], ['http', null, null, null, null, null]);
  assert.equal(s.url, 'https://mcp.example.test/mcp');
  assert.deepEqual(s.header_names, ['x-api-key']);
  assert.equal(JSON.stringify(s).includes('plain-value'), false, 'no header value in the statement');
  assert.equal(verifyServer(env.store, http).ok, true);

  env.store.db.prepare('UPDATE servers SET url = ? WHERE id = ?').run('https://evil.example.test/mcp', http.id);
  const moved = verifyServer(env.store, getServer(env.store.db, http.id));
  assert.deepEqual(moved.differences.map((d) => [d.field, d.before, d.after]), [['url', 'https://mcp.example.test/mcp', 'https://evil.example.test/mcp']]);
  assert.match(moved.alert?.title ?? '', /URL changed/);

  // A stdio server: args, env keys, a new pin and a new reported version are each named.
  const server = scriptServer(env);
  env.store.db.prepare("INSERT INTO probes (server_id, at, ok, result) VALUES (?, ?, 1, ?)").run(server.id, new Date().toISOString(), JSON.stringify({ ok: true, server: { name: 'demo', version: '1.0.0' } }));
  env.store.db.prepare('INSERT INTO pins (server_id, manifest_sha256, pin, pinned_at) VALUES (?, ?, ?, ?)').run(server.id, 'a'.repeat(64), '{}', new Date().toISOString());
  const att = attestServer(env.store, env.keychain, server).attestation.statement;
  assert.deepEqual(att.reported, { name: 'demo', version: '1.0.0' });
  assert.equal(att.manifest_sha256, 'a'.repeat(64));
  env.store.db.prepare("INSERT INTO probes (server_id, at, ok, result) VALUES (?, ?, 0, '{}')").run(server.id, new Date().toISOString());
  assert.equal(verifyServer(env.store, server).ok, true, 'a failed probe does not count as what the server reports');
  env.store.db.prepare("INSERT INTO probes (server_id, at, ok, result) VALUES (?, ?, 1, ?)").run(server.id, new Date().toISOString(), JSON.stringify({ ok: true, server: { name: 'demo', version: '1.0.1' } }));
  env.store.db.prepare('UPDATE pins SET manifest_sha256 = ? WHERE server_id = ?').run('b'.repeat(64), server.id);
  env.store.db.prepare('UPDATE servers SET args = ?, env_template = ? WHERE id = ?').run(JSON.stringify(['server.js']), JSON.stringify([{ key: 'TOKEN', value: 'x' }]), server.id);
  const changed = verifyServer(env.store, getServer(env.store.db, server.id));
  assert.deepEqual(changed.differences.map((d) => d.field), ['args', 'env_keys', 'manifest_sha256', 'reported.version']);
  assert.deepEqual(changed.differences.find((d) => d.field === 'env_keys')?.after, ['TOKEN']);
  assert.equal(openAttestationAlerts(env, server.id).length, 1);
  assert.equal(openAttestationAlerts(env, http.id).length, 1, 'one condition per server');
});

test('a stored envelope or statement edited in the database fails verify as an invalid signature', (t) => {
  const env = setup(t);
  const server = scriptServer(env);
  const { attestation } = attestServer(env.store, env.keychain, server);
  // Rewrite the attested script hash to the hash of a different script, in both copies.
  const forged = { ...attestation.statement, script: { ...attestation.statement.script, sha256: sha256('evil') } };
  const envelope = { ...attestation.envelope, payload: Buffer.from(canonicalJson(forged)).toString('base64') };
  env.store.db.prepare('UPDATE attestations SET envelope = ?, statement = ? WHERE id = ?').run(JSON.stringify(envelope), JSON.stringify(forged), attestation.id);
  const result = verifyServer(env.store, server);
  assert.equal(result.ok, false);
  assert.equal(result.differences[0]?.field, 'signature');
  assert.match(result.differences[0]?.note ?? '', /does not verify/);

  // Only the convenience copy edited: the signed one is compared, and the edit is reported.
  env.store.db.prepare('UPDATE attestations SET envelope = ?, statement = ? WHERE id = ?').run(JSON.stringify(attestation.envelope), JSON.stringify(forged), attestation.id);
  const copy = verifyServer(env.store, server);
  assert.deepEqual(copy.differences.map((d) => d.field), ['statement']);
});

test('verifying 20 unchanged servers reads no file: every hash comes from the cache', (t) => {
  const env = setup(t);
  const servers = Array.from({ length: 20 }, (_, i) => scriptServer(env, `srv-${i}`, `s${i}.js`));
  for (const server of servers) attestServer(env.store, env.keychain, server);
  assert.equal(listAttestations(env.store.db, servers[0]?.id ?? '').length, 1);
  const started = performance.now();
  const results = verifyAll(env.store);
  const elapsed = performance.now() - started;
  assert.equal(results.length, 20);
  assert.ok(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok).map((r) => r.differences)));
  // Two files per server (node and the script), all from the cache.
  assert.equal(results.reduce((n, r) => n + r.hashes.read, 0), 0);
  assert.equal(results.reduce((n, r) => n + r.hashes.cached, 0), 40);
  assert.ok(elapsed < 5000, `verifying 20 servers took ${elapsed.toFixed(0)} ms`);
  t.diagnostic(`verifying 20 unchanged servers took ${elapsed.toFixed(1)} ms`);

  // One changed script is read again (and only it) and caught.
  writeOld(path.join(env.work, 's7.js'), SCRIPT.replace('v1', 'v7'));
  const after = verifyAll(env.store);
  assert.equal(after.reduce((n, r) => n + r.hashes.read, 0), 1);
  assert.deepEqual(after.filter((r) => !r.ok).map((r) => r.name), ['srv-7']);
});
