/**
 * Red team of issue 11, finding 8, on the exports: `audit export --out`, `scan --sarif` and
 * `mcp attest --out` are written 0600, but the path was opened and written whatever sat there. In a
 * shared folder (/tmp, sticky and world-writable) another user can be there first: a FIFO of theirs
 * received the whole audit trail (O_CREAT opens an existing FIFO; Linux's fs.protected_fifos is 0 here,
 * and macOS has no such setting); a file of theirs was chmodded 0600 by root and filled, so its owner
 * read it; a link of theirs made the export overwrite a file of the user's. Replayed with a real
 * second user (nobody, through setpriv): each is refused in one sentence and nothing is written.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { BIN, cli, envWith, tempDir } from '../helpers/cli.ts';
import { fakeHome, waitFor } from '../helpers/fake-home.ts';

const NOBODY = 65534;

function setpriv(): string {
  assert.equal(process.getuid?.(), 0, 'test/security/export-to-other-users-file.test.ts replays files another user put in a shared folder, so it must run as root (to become nobody with setpriv).');
  const found = spawnSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' });
  assert.equal(found.status, 0, 'test/security/export-to-other-users-file.test.ts needs setpriv (apt-get install util-linux).');
  return found.stdout.trim();
}

const nobodyArgs = (...command: string[]): string[] => [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...command];
const asNobody = (...command: string[]) => spawnSync(setpriv(), nobodyArgs(...command), { encoding: 'utf8' });

/** A data directory with audit events, and a sticky world-writable folder like /tmp. */
function setup(t: TestContext) {
  const fake = fakeHome(t);
  const env = { ...fake.env, MCP_WARDEN_HOME: tempDir(t, 'mcp-warden-data-') };
  mkdirSync(path.join(fake.home, '.cursor'));
  writeFileSync(path.join(fake.home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { pg: { command: 'node', env: { PGPASSWORD: 'hunter2hunter2' } } } }));
  assert.notEqual(cli(['scan'], { env }).code, 1);
  const root = tempDir(t, 'mcp-warden-shared-root-');
  chmodSync(root, 0o755);
  const shared = path.join(root, 'tmp');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  return { env, shared, root };
}

test("audit export: another user's FIFO at the --out path receives nothing", async (t) => {
  const { env, shared } = setup(t);
  const out = path.join(shared, 'audit.jsonl');
  const got = path.join(shared, 'got');
  assert.equal(asNobody('mkfifo', '-m', '666', out).status, 0);
  // nobody waits on the FIFO and keeps whatever comes.
  const reader = spawn(setpriv(), nobodyArgs('sh', '-c', `cat "${out}" > "${got}"`), { stdio: 'ignore' });
  t.after(() => reader.kill('SIGKILL'));
  await waitFor('nobody to be reading', () => { try { return lstatSync(got).uid === NOBODY; } catch { return false; } });

  const run = cli(['audit', 'export', '--out', out], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr, `mcp-warden: Cannot write ${out}: it is a named pipe (FIFO) of another user (uid ${NOBODY}), who could read or redirect what is written there; write to a file of your own.\n`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(readFileSync(got, 'utf8'), '', 'nobody read the audit trail');
});

test("scan --sarif: another user's file at the path is left as it is (root would have chmodded it 0600 for its owner and filled it)", (t) => {
  const { env, shared } = setup(t);
  const out = path.join(shared, 'report.sarif');
  assert.equal(asNobody('sh', '-c', `umask 0; echo mine > "${out}"`).status, 0);
  const run = cli(['scan', '--sarif', out], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr, `mcp-warden: Cannot write the SARIF file ${out}: it is a file of another user (uid ${NOBODY}), who could read or redirect what is written there; write to a file of your own.\n`);
  assert.equal(readFileSync(out, 'utf8'), 'mine\n');
  assert.equal(lstatSync(out).mode & 0o777, 0o666);
  assert.equal(asNobody('cat', out).stdout, 'mine\n');
});

test("audit export: a link another user made at the path does not overwrite the user's file it points to", (t) => {
  const { env, shared, root } = setup(t);
  const victim = path.join(root, 'notes.txt');
  writeFileSync(victim, 'the user\'s own notes\n');
  const out = path.join(shared, 'audit.jsonl');
  assert.equal(asNobody('ln', '-s', victim, out).status, 0);
  const run = cli(['audit', 'export', '--out', out], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /it is a link made by another user \(uid 65534\)/);
  assert.equal(readFileSync(victim, 'utf8'), 'the user\'s own notes\n');
});

test('held: exports to /dev/stdout (a pipe), /dev/null and a fresh file in the shared folder still work', (t) => {
  const { env, shared } = setup(t);
  // Through a shell's pipe (the test's own stdout is a socket, which /dev/stdout cannot reopen).
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" audit export --out /dev/stdout | cat`], { env: envWith(env), encoding: 'utf8' });
  assert.equal(piped.status, 0, piped.stderr);
  assert.match(piped.stdout, /"type":"digest_key\.created"/);
  assert.equal(cli(['audit', 'export', '--out', '/dev/null'], { env }).code, 0);
  const fresh = path.join(shared, 'mine.jsonl');
  assert.equal(cli(['audit', 'export', '--out', fresh], { env }).code, 0);
  assert.equal(lstatSync(fresh).mode & 0o777, 0o600);
  assert.notEqual(asNobody('cat', fresh).status, 0);
});
