// Issue 11, finding 3: audit events lost silently under database contention. The attack: several
// real `mcp-warden run` launchers relaying tool calls while another connection holds the database's
// write lock 300 ms at a time. On main, launchers appended to spool files other launchers were
// renaming, reading and deleting, and a failed replay renamed over a newer spool: thousands of
// tool.called events vanished and `audit verify` still said intact. Now each batch is its own file,
// replays claim files by rename and are idempotent, and every launcher event is numbered in its
// session, so an event that is nowhere is a gap `audit verify` reports.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import { cli, cliAsync, ROOT, tempDir } from '../helpers/cli.ts';
import { rawLauncher } from '../helpers/raw-launcher.ts';
import { startServe } from '../helpers/serve.ts';

const ECHO = path.join(ROOT, 'test/fixtures/servers/launcher-echo.mjs');
const HOLDER = path.join(ROOT, 'test/fixtures/launcher/lock-holder.mjs');

function setUp(t: TestContext): string {
  const home = tempDir(t, 'mcp-warden-contention-');
  const added = cli(['--home', home, 'mcp', 'add', 'echo', 'stdio', '--command', process.execPath, '--arg', ECHO]);
  assert.equal(added.code, 0, added.stderr);
  return home;
}

/** Another process holding the write lock `holdMs` at a time (with gaps of up to `gapMs`), until the test ends. */
async function holdLock(t: TestContext, home: string, holdMs: number, gapMs: number): Promise<ChildProcess> {
  const holder = spawn(process.execPath, [HOLDER, path.join(home, 'warden.db'), String(holdMs), String(gapMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  t.after(async () => {
    holder.kill('SIGKILL');
    await exited;
  });
  await new Promise((resolve) => holder.stdout?.once('data', resolve));
  return holder;
}

async function stop(holder: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  holder.kill('SIGKILL');
  await exited;
}

/** Every tool.called event's text argument, as stored. */
function calledTexts(home: string): string[] {
  const db = new Database(path.join(home, 'warden.db'), { readonly: true });
  try {
    return db.prepare<[], { text: string }>("SELECT json_extract(details, '$.arguments.text') AS text FROM audit_events WHERE type = 'tool.called' ORDER BY seq").all().map((r) => r.text);
  } finally {
    db.close();
  }
}

function countOf(home: string, sql: string): number {
  const db = new Database(path.join(home, 'warden.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('launchers relaying calls under a write lock held 300 ms at a time: every call reaches the trail exactly once, and verify says intact', async (t) => {
  const home = setUp(t);
  const holder = await holdLock(t, home, 300, 20);
  const launchers = Array.from({ length: 4 }, () => rawLauncher(home, 'echo'));
  t.after(() => launchers.forEach((l) => l.child.kill('SIGKILL')));
  const answered: string[] = [];
  const until = Date.now() + 8000;
  // Midway, while batches wait in the spool or are being replayed: on their way, not a gap.
  const midway = new Promise((resolve) => setTimeout(resolve, 4000)).then(() => cliAsync(['--home', home, 'audit', 'verify']));
  await Promise.all(launchers.map(async (l, i) => {
    await l.initialize();
    for (let n = 1; Date.now() < until; n++) {
      const text = `L${i}-${n}`;
      assert.equal(await l.call('echo', { text }), text);
      answered.push(text);
    }
  }));
  const during = await midway;
  assert.equal(during.code, 0, `verify during the attack: ${during.stdout}${during.stderr}`);
  // The clients go away while the lock is still being taken and given back.
  assert.deepEqual(await Promise.all(launchers.map((l) => l.end())), [0, 0, 0, 0]);
  await stop(holder);

  const verify = cli(['--home', home, 'audit', 'verify', '--json']);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.equal((JSON.parse(verify.stdout) as { verification: { ok: boolean } }).verification.ok, true);
  const stored = calledTexts(home);
  assert.ok(answered.length > 1000, `the clients made ${answered.length} calls`);
  assert.equal(stored.length, answered.length, 'one event per answered call, none lost, none twice');
  assert.deepEqual(new Set(stored), new Set(answered));
  assert.ok(countOf(home, "SELECT count(*) AS n FROM audit_events WHERE type = 'launcher.spool_replayed'") > 0, 'the lock made launchers spool batches (the attack took effect)');
  assert.deepEqual(readdirSync(path.join(home, 'spool')), [], 'nothing is left in the spool');
});

test('a batch lost from the spool is a gap: audit verify names the session and the missing events and fails, in the CLI and the REST API', async (t) => {
  const home = setUp(t);
  // Held for the whole session: every batch of the launcher goes to the spool.
  const holder = await holdLock(t, home, 600_000, 0);
  const launcher = rawLauncher(home, 'echo');
  t.after(() => launcher.child.kill('SIGKILL'));
  await launcher.initialize();
  const sent: string[] = [];
  for (let burst = 1; burst <= 4; burst++) {
    for (let n = 1; n <= 5; n++) {
      sent.push(`b${burst}-${n}`);
      await launcher.call('echo', { text: `b${burst}-${n}` });
    }
    // Past the 200 ms flush and the writer's 250 ms wait: each burst is a batch of its own.
    if (burst < 4) await new Promise((resolve) => setTimeout(resolve, 700));
  }
  assert.equal(await launcher.end(), 0);
  const spool = path.join(home, 'spool');
  const batches = readdirSync(spool).filter((f) => f.endsWith('.batch')).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
  // One file per batch: the four bursts, and the session's end with the fourth or after it.
  assert.ok(batches.length >= 4, `one file per batch: ${readdirSync(spool).join(', ')}`);
  const session = (batches[0] as string).split('.')[0] as string;
  const seqsOf = (file: string): number[] => readFileSync(path.join(spool, file), 'utf8').split('\n').filter((l) => l.includes('"s":')).map((l) => (JSON.parse(l) as { s: number }).s);
  assert.deepEqual(batches.slice(0, 3).map(seqsOf), [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]]);
  // The second batch, and every one from the fourth on (with the session's end), never make it.
  for (const lost of [batches[1] as string, ...batches.slice(3)]) rmSync(path.join(spool, lost));
  await stop(holder);

  const human = cli(['--home', home, 'audit', 'verify']);
  assert.equal(human.code, 1, human.stdout + human.stderr);
  assert.match(human.stderr, new RegExp(`launcher session ${session} \\(server "echo"\\): events 6-10 are missing, between audit events \\d+ and \\d+; and 1 more gap`));
  const json = cli(['--home', home, 'audit', 'verify', '--json']);
  assert.equal(json.code, 1);
  const verdict = (JSON.parse(json.stdout) as { verification: { ok: boolean; gaps: { session: string; first: number; last: number | null }[] } }).verification;
  assert.equal(verdict.ok, false);
  assert.deepEqual(verdict.gaps.map((g) => [g.session, g.first, g.last]), [[session, 6, 10], [session, 16, null]]);
  assert.deepEqual(calledTexts(home), [...sent.slice(0, 5), ...sent.slice(10, 15)], 'the kept batches were replayed; the lost ones are nowhere');

  const served = await startServe(t, { home, args: ['--no-monitor'] });
  const rest = await served.request<{ ok: boolean; reason: string; gaps: { session: string; first: number; last: number | null }[] }>('GET', '/audit/verify');
  assert.equal(rest.status, 200);
  assert.equal(rest.json.ok, false);
  assert.match(rest.json.reason, /events 6-10 are missing/);
  assert.deepEqual(rest.json.gaps.map((g) => [g.first, g.last]), [[6, 10], [16, null]]);
  await served.stop();
});
