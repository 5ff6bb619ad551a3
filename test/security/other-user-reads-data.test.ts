/**
 * Finding 8 of issue 11: another local user could read what MCP Warden keeps and crack it. In a data
 * directory that already existed with mode 0755, warden.db was 0644 and held the HMAC key of the
 * config-value digests beside the digests (a PGPASSWORD fell in 10,009 guesses, as `nobody`); the
 * backups of secured configs kept the config's 0644 with the plaintext token; `audit export --out`
 * and `scan --sarif` wrote 0644 files.
 *
 * Replayed here with a real second user: every read is attempted as `nobody` (setpriv), against files
 * whose folders `nobody` can traverse (a control read of the client's own 0644 config succeeds), so
 * only the modes MCP Warden sets stand in the way.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSecretKey } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../core/api/audit.ts';
import type { SecureOutcome } from '../../core/secure/secure.ts';
import { digestValue, redactionKey } from '../../core/discovery/redact.ts';
import { DIGEST_KEY_ENTRY, DIGEST_KEY_FILE, LEGACY_KEY_META } from '../../core/secrets/digest-key.ts';
import { DATABASE_FILE, openStore } from '../../core/store/database.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig } from '../helpers/fake-home.ts';
import { envThroughEntry, keychainOf } from '../helpers/secrets.ts';

const ECHO_ENV = path.join(ROOT, 'test', 'fixtures', 'servers', 'echo-env.mjs');
const LEGACY_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'db', 'schema-v5.sqlite');
/** A weak password: the kind the old digests gave away to a few thousand guesses. */
const PGPASSWORD = 'kiwi42';
const NOBODY = 65534;
const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mcp-warden-bus' };

/** setpriv, or a failure that says why this test cannot run (it must not silently skip). */
function setpriv(): string {
  assert.equal(process.getuid?.(), 0, 'test/security/other-user-reads-data.test.ts replays reads by another user, so it must run as root (to become nobody with setpriv); run it as root.');
  const found = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' });
  assert.equal(found.status, 0, 'test/security/other-user-reads-data.test.ts needs setpriv to read files as the user nobody: install util-linux (apt-get install util-linux).');
  return found.stdout.trim();
}

/** `cat` (or `ls` for a folder) run as nobody: whether it worked, and what it said. */
function asNobody(target: string): { ok: boolean; stderr: string } {
  const tool = statSync(target).isDirectory() ? ['ls', '--', target] : ['cat', '--', target];
  const r = spawnSync(setpriv(), [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...tool], { encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

function assertNobodyCannotRead(target: string): void {
  const r = asNobody(target);
  assert.equal(r.ok, false, `the user nobody could read ${target}`);
  assert.match(r.stderr, /Permission denied/, `${target}: ${r.stderr}`);
}

const modeOf = (file: string): number => lstatSync(file).mode & 0o777;
const octal = (mode: number): string => `0${mode.toString(8)}`;

/** Every file and folder under `dir`, depth first. */
function tree(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const entry = path.join(dir, name);
    return lstatSync(entry).isDirectory() ? [entry, ...tree(entry)] : [entry];
  });
}

/** A world-traversable root (mkdtemp makes 0700 folders, which would stop nobody before our modes do). */
function openRoot(t: TestContext): string {
  const root = tempDir(t, 'mcp-warden-at-rest-');
  chmodSync(root, 0o755);
  return root;
}

function openFolder(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  return dir;
}

function bytesIn(file: string): Buffer {
  return existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
}

/** Asserts neither the hex text of `hex` nor its raw bytes are in warden.db, -wal or -shm. */
function assertKeyNotInDatabase(data: string, hex: string): void {
  for (const suffix of ['', '-wal', '-shm']) {
    const bytes = bytesIn(path.join(data, `${DATABASE_FILE}${suffix}`));
    assert.equal(bytes.includes(Buffer.from(hex)), false, `the digest key (hex) is in ${DATABASE_FILE}${suffix}`);
    assert.equal(bytes.includes(Buffer.from(hex, 'hex')), false, `the digest key (bytes) is in ${DATABASE_FILE}${suffix}`);
  }
}


test('another local user reads none of the data directory, the backup or the exports, and the digest key is not in the database', async (t) => {
  setpriv();
  const root = openRoot(t);
  const home = openFolder(path.join(root, 'home'));
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, APPDATA: undefined };
  const configDir = openFolder(path.join(home, '.config', 'Claude'));
  const config = path.join(configDir, 'claude_desktop_config.json');
  writeFileSync(config, `${JSON.stringify(claudeDesktopConfig({ pg: { command: process.execPath, args: [ECHO_ENV], env: { PGPASSWORD, PGUSER: 'app' } } }), null, 2)}\n`);
  chmodSync(config, 0o644);
  // The data directory exists already, open to everyone, with a file an older version left 0644.
  const data = openFolder(path.join(root, 'data'));
  const oldCache = openFolder(path.join(data, 'launch-cache'));
  writeFileSync(path.join(oldCache, 'old.json'), '{}\n');
  chmodSync(path.join(oldCache, 'old.json'), 0o644);
  const out = openFolder(path.join(root, 'out'));
  const run = (...args: string[]) => cli(['--home', data, ...args], { env });

  // The control: nobody reaches these folders, so a 0644 file there is readable to it.
  assert.equal(asNobody(config).ok, true, 'the user nobody can read the client config (0644 in 0755 folders): the reads below are refused by modes alone');

  const sarif = path.join(out, 'report.sarif');
  const scan = run('scan', '--sarif', sarif);
  assert.equal(scan.code, 3, `the plaintext PGPASSWORD is a high finding: ${scan.stderr}`);
  assert.ok(
    scan.stderr.includes(`mcp-warden: note: The data directory ${data} was open to other users of this machine (mode 0755), so MCP Warden made it private (mode 0700).\n`),
    `the tightened directory is said, with its path and old mode: ${scan.stderr}`,
  );
  assert.equal(modeOf(data), 0o700);
  const again = run('mcp', 'list');
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /was open to other users/, 'said once');

  // The digests in the database are keyed by a key that is in the OS keychain, and not beside them.
  const hex = keychainOf(data).get(DIGEST_KEY_ENTRY);
  assert.ok(hex !== null && /^[0-9a-f]{64}$/.test(hex), 'the digest key is in the OS keychain');
  const digest = digestValue(createSecretKey(Buffer.from(hex, 'hex')), PGPASSWORD);
  assert.ok(readFileSync(path.join(data, DATABASE_FILE)).includes(Buffer.from(digest)), 'the PGPASSWORD digest is stored, made with the keychain key');
  assert.equal(readFileSync(path.join(data, DATABASE_FILE)).includes(Buffer.from(PGPASSWORD)), false);

  // secure: the value moves to the keychain, the config is rewritten, a backup keeps the old bytes.
  const secured = run('mcp', 'secure', 'pg', '--json');
  assert.equal(secured.code, 0, secured.stderr);
  const [outcome] = (JSON.parse(secured.stdout) as { items: SecureOutcome[] }).items as [SecureOutcome];
  const backup = outcome.backup;
  assert.ok(backup !== null && readFileSync(backup).includes(Buffer.from(PGPASSWORD)), 'the backup holds the old config, password included');
  assert.equal(modeOf(backup), 0o600, `the backup is ${octal(modeOf(backup))}, not 0600, though the config was 0644`);
  assert.equal(modeOf(config), 0o644, 'the config itself keeps its own mode');

  // A client starts the rewritten entry: the launcher runs, its caches land in the data directory.
  const entry = (JSON.parse(readFileSync(config, 'utf8')) as { mcpServers: { pg: { command: string; args: string[]; env?: Record<string, string> } } }).mcpServers.pg;
  assert.equal(await envThroughEntry(entry, env, 'PGPASSWORD'), PGPASSWORD, 'the server still gets its password, from the keychain');

  assert.equal(run('mcp', 'approve', 'pg').code, 0);
  const attestation = path.join(out, 'pg.attestation.json');
  const attested = run('mcp', 'attest', 'pg', '--out', attestation);
  assert.equal(attested.code, 0, attested.stderr);
  // An export over an existing 0644 file: the file is made 0600, not only new ones.
  const trail = path.join(out, 'audit.jsonl');
  writeFileSync(trail, 'an older export\n');
  chmodSync(trail, 0o644);
  const exported = run('audit', 'export', '--out', trail);
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(readFileSync(trail, 'utf8'), /"type":"secrets\.moved"/);

  // Hold the database open as a running app would, so its -wal and -shm exist while they are read.
  const store = openStore(data);
  t.after(() => store.close());
  store.db.prepare("INSERT INTO meta (key, value) VALUES ('at-rest-test', 'x') ON CONFLICT (key) DO UPDATE SET value = 'y'").run();
  const files = tree(data);
  for (const suffix of ['', '-wal', '-shm']) assert.ok(files.includes(path.join(data, `${DATABASE_FILE}${suffix}`)), `${DATABASE_FILE}${suffix} exists`);
  assert.ok(files.some((f) => f.startsWith(path.join(data, 'launch-cache', 'pg'))), `the launcher's cache is there: ${files.join(', ')}`);

  assert.equal(modeOf(data), 0o700, 'the data directory is 0700');
  for (const file of files) {
    const want = lstatSync(file).isDirectory() ? 0o700 : 0o600;
    assert.equal(modeOf(file), want, `${path.relative(data, file)} is ${octal(modeOf(file))}, not ${octal(want)}`);
  }
  for (const exportFile of [sarif, attestation, trail]) assert.equal(modeOf(exportFile), 0o600, `${path.basename(exportFile)} is ${octal(modeOf(exportFile))}, not 0600`);

  // The attack: as nobody, read the database (and its WAL), the caches, the backup and the exports.
  for (const target of [data, path.join(data, DATABASE_FILE), path.join(data, `${DATABASE_FILE}-wal`), path.join(data, `${DATABASE_FILE}-shm`), backup, sarif, attestation, trail]) {
    assertNobodyCannotRead(target);
  }
  // And a copy of the database alone (a backup of the disk, a bug report) gives no key to try guesses with.
  assertKeyNotInDatabase(data, hex);
  assert.equal(readFileSync(config).includes(Buffer.from(PGPASSWORD)), false, 'the readable config holds no password any more');
});

test("a data directory of another user is refused with one sentence, and nothing is written in it", (t) => {
  setpriv();
  const root = openRoot(t);
  const theirs = openFolder(path.join(root, 'theirs'));
  chownSync(theirs, NOBODY, NOBODY);
  const r = cli(['--home', theirs, 'mcp', 'list']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `mcp-warden: The data directory ${theirs} belongs to another user (uid ${NOBODY}), so MCP Warden will not keep its data there: use a data directory of your own (--home or MCP_WARDEN_HOME).\n`);
  assert.deepEqual(readdirSync(theirs), []);
  assert.equal(modeOf(theirs), 0o755, 'its mode is left alone');
});

/** A data directory holding a database of the previous version: the key in `meta`, 0644 files, WAL frames with older copies. */
function legacyDataDir(t: TestContext): { data: string; legacy: string; raw: Database.Database } {
  const data = path.join(openRoot(t), 'data');
  mkdirSync(data, { mode: 0o700 });
  const file = path.join(data, DATABASE_FILE);
  copyFileSync(LEGACY_FIXTURE, file);
  chmodSync(file, 0o644);
  // Another connection (an older app still running) in WAL mode, with pages of meta in its WAL.
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.prepare("INSERT INTO meta (key, value) VALUES ('older-app', '1')").run();
  t.after(() => raw.close());
  const legacy = (raw.prepare('SELECT value FROM meta WHERE key = ?').get(LEGACY_KEY_META) as { value: string } | undefined)?.value;
  assert.ok(legacy !== undefined && /^[0-9a-f]{64}$/.test(legacy), 'the fixture holds the digest key in the database');
  for (const suffix of ['-wal', '-shm']) {
    chmodSync(`${file}${suffix}`, 0o644);
    assert.ok(bytesIn(`${file}${suffix}`).length > 0);
  }
  assert.ok(Buffer.concat([bytesIn(file), bytesIn(`${file}-wal`)]).includes(Buffer.from(legacy)), 'the key is in the files before the upgrade');
  // Every copy of the fixture has its install id, so its keychain entries: start from none, leave none.
  keychainOf(data).delete(DIGEST_KEY_ENTRY);
  t.after(() => keychainOf(data).delete(DIGEST_KEY_ENTRY));
  // Opening makes the 0644 files of the older version 0600 (the -wal and -shm while they exist).
  openStore(data).close();
  for (const suffix of ['', '-wal', '-shm']) assert.equal(modeOf(`${file}${suffix}`), 0o600, `${DATABASE_FILE}${suffix} made 0600 on open`);
  return { data, legacy, raw };
}

test('upgrading a database that holds the digest key moves the same key to the keychain and leaves no copy in warden.db, -wal or -shm', (t) => {
  const { data, legacy, raw } = legacyDataDir(t);
  const r = cli(['--home', data, 'mcp', 'list']);
  assert.equal(r.code, 0, r.stderr);

  assert.equal(keychainOf(data).get(DIGEST_KEY_ENTRY), legacy, 'the same key value, so stored digests still compare');
  assert.equal(raw.prepare('SELECT value FROM meta WHERE key = ?').get(LEGACY_KEY_META), undefined, 'the row is gone');
  assertKeyNotInDatabase(data, legacy);

  const moved = JSON.parse(cli(['--home', data, 'audit', '--type', 'digest_key.moved', '--json']).stdout) as { events: AuditEvent[] };
  assert.deepEqual(moved.events.map((e) => e.details), [{ from: 'database', to: 'keychain' }]);
  // Digests made now equal those made with the old key.
  const store = openStore(data);
  t.after(() => store.close());
  assert.equal(digestValue(redactionKey(store.db), PGPASSWORD), digestValue(createSecretKey(Buffer.from(legacy, 'hex')), PGPASSWORD));
});

test('without a usable keychain the digest key goes to a 0600 file outside the database, and that is said', (t) => {
  setpriv();
  const { data, legacy } = legacyDataDir(t);
  const r = cli(['--home', data, 'mcp', 'list'], { env: NO_BUS });
  assert.equal(r.code, 0, r.stderr);
  const keyFile = path.join(data, DIGEST_KEY_FILE);
  assert.match(r.stderr, new RegExp(`^mcp-warden: note: The OS keychain is not available, .+; so the key of the config-value digests is kept in ${keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(mode 0600, outside the database\\) instead of the OS keychain\\.\\n$`));
  assert.equal(readFileSync(keyFile, 'utf8').trim(), legacy, 'the same key');
  assert.equal(modeOf(keyFile), 0o600);
  assertKeyNotInDatabase(data, legacy);
  chmodSync(data, 0o755); // even with the folder opened again, the file itself stays closed to others
  assertNobodyCannotRead(keyFile);
  chmodSync(data, 0o700);

  const status = cli(['--home', data, 'secrets', 'status', '--json'], { env: NO_BUS });
  assert.deepEqual((JSON.parse(status.stdout) as { digest_key: unknown }).digest_key, { store: 'file', file: keyFile });
  // It stays in the file once a keychain answers: digests keep comparing.
  const store = openStore(data);
  t.after(() => store.close());
  assert.equal(digestValue(redactionKey(store.db), 'x'), digestValue(createSecretKey(Buffer.from(legacy, 'hex')), 'x'));
  assert.equal(keychainOf(data).get(DIGEST_KEY_ENTRY), null);
});

test('a digest key gone from the keychain is replaced, audited and said, and scanning goes on', (t) => {
  const root = tempDir(t);
  const home = path.join(root, 'home');
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, APPDATA: undefined };
  const config = path.join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(path.dirname(config), { recursive: true });
  writeFileSync(config, JSON.stringify(claudeDesktopConfig({ remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer kiwi42kiwi42kiwi42' } } })));
  const data = path.join(root, 'data');
  const run = (...args: string[]) => cli(['--home', data, ...args], { env });
  assert.equal(run('scan').code, 0);
  const keychain = keychainOf(data);
  const first = keychain.get(DIGEST_KEY_ENTRY);
  assert.ok(first !== null);
  t.after(() => keychain.delete(DIGEST_KEY_ENTRY));

  assert.equal(keychain.delete(DIGEST_KEY_ENTRY), true);
  const rescan = run('scan', '--json');
  assert.ok(rescan.stderr.includes('mcp-warden: note: The key of the config-value digests was missing from the OS keychain entry .digest-hmac-key, so MCP Warden made a new one: secret values in client configs (headers, arguments) read as changed once, so review the alerts this raises.\n'), rescan.stderr);
  // The documented cost: the header's digest differs now, so it reads as changed (loud, not silent).
  const findings = (JSON.parse(rescan.stdout) as { findings: { type: string; details: { fields?: Record<string, unknown> } }[] }).findings;
  assert.deepEqual(findings.filter((f) => f.type === 'launch_changed').map((f) => Object.keys(f.details.fields ?? {})), [['headers']]);
  const second = keychain.get(DIGEST_KEY_ENTRY);
  assert.ok(second !== null && second !== first, 'a new key');
  const replaced = JSON.parse(run('audit', '--type', 'digest_key.replaced', '--json').stdout) as { events: AuditEvent[] };
  assert.deepEqual(replaced.events.map((e) => e.details), [{ store: 'keychain', reason: 'missing' }]);
  assertKeyNotInDatabase(data, second);
  assert.equal(run('scan').code, 3);
  assert.equal(keychain.get(DIGEST_KEY_ENTRY), second, 'kept from then on');
});
