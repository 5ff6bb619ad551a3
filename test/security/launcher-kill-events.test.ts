// Issue 11, finding 19: `kill -9` of the launcher lost the events still queued in memory (up to the
// 200 ms flush). The attack: tool calls through a real `mcp-warden run`, then SIGKILL right after the
// last answer. Now each event is written ahead to the session's journal before the relay goes on, and
// the journal of a dead session is recovered (by the next launcher, `audit verify`, the monitor)
// exactly once, thanks to the receipts of (session, seq).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { cli, cliAsync, ROOT, tempDir } from '../helpers/cli.ts';
import { waitFor } from '../helpers/fake-home.ts';
import { rawLauncher } from '../helpers/raw-launcher.ts';
import { startServe } from '../helpers/serve.ts';

const ECHO = path.join(ROOT, 'test/fixtures/servers/launcher-echo.mjs');
const DRIVER = path.join(ROOT, 'test/fixtures/launcher/sink-driver.ts');

function setUp(t: TestContext): string {
  const home = tempDir(t, 'mcp-warden-kill-');
  const added = cli(['--home', home, 'mcp', 'add', 'echo', 'stdio', '--command', process.execPath, '--arg', ECHO]);
  assert.equal(added.code, 0, added.stderr);
  return home;
}

function rows<T>(home: string, sql: string): T[] {
  const db = new Database(path.join(home, 'warden.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

const texts = (home: string): string[] => rows<{ text: string }>(home, "SELECT json_extract(details, '$.arguments.text') AS text FROM audit_events WHERE type = 'tool.called' ORDER BY seq").map((r) => r.text);

function verifyOk(home: string): void {
  const verify = cli(['--home', home, 'audit', 'verify']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /The audit trail is intact/);
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone with its launcher
  }
}

const journals = (home: string): string[] => (existsSync(path.join(home, 'spool')) ? readdirSync(path.join(home, 'spool')) : []).filter((f) => f.endsWith('.journal'));

test('kill -9 of the launcher right after its calls: every call is in the trail after recovery, exactly once', async (t) => {
  const home = setUp(t);
  const launcher = rawLauncher(home, 'echo');
  t.after(() => launcher.child.kill('SIGKILL'));
  await launcher.initialize();
  const sent: string[] = [];
  for (let n = 1; n <= 20; n++) {
    sent.push(`call-${n}`);
    await launcher.call('echo', { text: `call-${n}` });
  }
  const serverPid = Number(await launcher.call('pid', {}));
  // Well inside the 200 ms before the first batch is handed to the writer.
  launcher.child.kill('SIGKILL');
  await launcher.exit;
  killIfAlive(serverPid); // the server may outlive a killed launcher: finding 10, not this test's

  verifyOk(home); // recovers the journal the dead session left
  assert.deepEqual(texts(home), [...sent, null], 'the 20 echo calls and the pid call, once each');
  assert.deepEqual(journals(home), [], 'the journal was taken in');
  verifyOk(home);
  assert.equal(texts(home).length, 21, 'a second recovery writes nothing twice');
  const [end] = rows<{ kind: string; seq: number }>(home, "SELECT kind, seq FROM launcher_receipts WHERE kind = 'end'");
  assert.equal(end?.seq, 22, 'the recovery recorded where the session ended');
});

test('the next launcher recovers a killed session, and settled and pending calls come back as settled and as provisional', async (t) => {
  const home = setUp(t);
  const driver = spawn(process.execPath, [DRIVER, home, 'crashed', 'crash', '50'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => driver.kill('SIGKILL'));
  const exited = new Promise((resolve) => driver.once('exit', resolve));
  const line = await Promise.race([
    new Promise<string>((resolve) => driver.stdout.once('data', (d: Buffer) => resolve(d.toString()))),
    exited.then(() => assert.fail('the driver exited before it was ready')),
  ]);
  const ready = JSON.parse(line) as { session: string };
  driver.kill('SIGKILL');
  await exited;
  const spool = path.join(home, 'spool');
  const [journal] = journals(home);
  assert.equal(journal, `${ready.session}.journal`);
  // A copy of it under the claim of a replayer that died after its commit, before its delete.
  copyFileSync(path.join(spool, journal), path.join(spool, `${journal}.claimed-${ready.session}`));

  // The next launch recovers it as it starts, and an `audit verify` tries at the same time.
  const launcher = rawLauncher(home, 'echo');
  t.after(() => launcher.child.kill('SIGKILL'));
  const [verify] = await Promise.all([cliAsync(['--home', home, 'audit', 'verify']), launcher.initialize()]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  await waitFor('the killed session recovered', () => readdirSync(spool).filter((f) => f.startsWith(ready.session)).length === 0, 10_000);
  assert.equal(await launcher.end(), 0);

  const expected = [...Array.from({ length: 50 }, (_, i) => `crashed-${i + 1}`), 'crashed-answered', 'crashed-unanswered'];
  const stored = rows<{ text: string; provisional: number }>(home, "SELECT json_extract(details, '$.arguments.text') AS text, json_extract(details, '$.provisional') AS provisional FROM audit_events WHERE type = 'tool.called' ORDER BY seq");
  assert.deepEqual(stored.map((r) => r.text).sort(), expected.sort(), 'each event once, though two copies of the journal were replayed');
  assert.equal(stored.find((r) => r.text === 'crashed-answered')?.provisional, 0, 'the settled call as settled');
  assert.equal(stored.find((r) => r.text === 'crashed-unanswered')?.provisional, 1, 'the pending call as its provisional event');
  const receipts = rows<{ seq: number; kind: string }>(home, `SELECT seq, kind FROM launcher_receipts WHERE session = '${ready.session}' ORDER BY seq`);
  assert.deepEqual(receipts.map((r) => r.seq), Array.from({ length: 53 }, (_, i) => i + 1), 'numbers 1-53, no hole');
  assert.equal(receipts.at(-1)?.kind, 'end');
  verifyOk(home);
});

test('the monitor takes in the journal of a launcher killed while nothing else runs', async (t) => {
  const home = setUp(t);
  const launcher = rawLauncher(home, 'echo');
  t.after(() => launcher.child.kill('SIGKILL'));
  await launcher.initialize();
  await launcher.call('echo', { text: 'before the kill' });
  const serverPid = Number(await launcher.call('pid', {}));
  launcher.child.kill('SIGKILL');
  await launcher.exit;
  killIfAlive(serverPid);

  const served = await startServe(t, { home }); // serve runs the monitor
  await waitFor('the monitor recovered the journal', () => journals(home).length === 0 && texts(home).length === 2, 10_000);
  assert.deepEqual(texts(home), ['before the kill', null]);
  await served.stop();
  verifyOk(home);
});
