// Launcher events under database contention (issue 11, finding 3): N launchers' worth of EventSinks,
// each in its own process (test/fixtures/launcher/sink-driver.ts, ~1,000 tool.called events a
// second), while another connection holds the write lock 300 ms at a time
// (test/fixtures/launcher/lock-holder.mjs). Then the lock goes away, the spool is recovered (what
// `audit verify` does first) and the trail is counted: every event pushed must be there exactly once
// (goal: 0 lost, 0 twice) and verify must be intact. Baseline, same run: the same number of events
// appended directly in one transaction. Also the cost of one push (journal write included) in this
// process, beside a plain JSON.stringify of the same event.
// Run: node bench/audit-contention.ts [launchers=6] [seconds=10]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAuditMany } from '../core/audit/audit-log.ts';
import { EventSink, type LauncherEvent } from '../core/launcher/event-writer.ts';
import { verifyTrail } from '../core/launcher/verify-trail.ts';
import { openStore } from '../core/store/database.ts';
import { machine, median, round } from './lib/stats.ts';

const LAUNCHERS = Number(process.argv[2] ?? 6);
const SECONDS = Number(process.argv[3] ?? 10);
const HOLD_MS = 300;
const ROOT = path.resolve(import.meta.dirname, '..');
const DRIVER = path.join(ROOT, 'test/fixtures/launcher/sink-driver.ts');
const HOLDER = path.join(ROOT, 'test/fixtures/launcher/lock-holder.mjs');
const temp: string[] = [];
const tempHome = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-contention-'));
  temp.push(dir);
  return dir;
};

const event = (text: string): LauncherEvent => ({
  kind: 'audit',
  at: new Date().toISOString(),
  event: { actor: 'system', type: 'tool.called', server_id: null, details: { name: 'bench', tool: 'echo', duration_ms: 0.05, error: false, argument_keys: ['text'], arguments: { text }, undeclared: false, blocked: false, client: 'bench' } },
});

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}`))));
  });
}

/** Microseconds per push (journal write included), in batches of 1,000, median; and per JSON.stringify alone. */
async function pushCost(): Promise<{ push_us: number; stringify_us: number }> {
  const home = tempHome();
  openStore(home).close();
  const sink = new EventSink(home);
  const pushes: number[] = [];
  const strings: number[] = [];
  for (let round = 0; round < 20; round++) {
    const events = Array.from({ length: 1000 }, (_, i) => event(`cost-${round}-${i}`));
    let t = performance.now();
    for (const e of events) JSON.stringify(e);
    strings.push(((performance.now() - t) * 1000) / events.length);
    t = performance.now();
    for (const e of events) sink.push(e);
    pushes.push(((performance.now() - t) * 1000) / events.length);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await sink.close(10_000);
  return { push_us: round(median(pushes), 2), stringify_us: round(median(strings), 2) };
}

try {
  const home = tempHome();
  openStore(home).close();
  const holder = spawn(process.execPath, [HOLDER, path.join(home, 'warden.db'), String(HOLD_MS), '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout.once('data', resolve));
  const started = performance.now();
  const outputs = await Promise.all(Array.from({ length: LAUNCHERS }, (_, i) => run(process.execPath, [DRIVER, home, `L${i}`, 'flood', String(SECONDS * 1000)])));
  const attackS = (performance.now() - started) / 1000;
  const pushed = outputs.reduce((n, out) => n + (JSON.parse(out) as { pushed: number }).pushed, 0);
  const leftInSpool = readdirSync(path.join(home, 'spool')).length;
  const holderExit = new Promise((resolve) => holder.once('exit', resolve));
  holder.kill('SIGKILL');
  await holderExit;

  const store = openStore(home);
  const recoveryStart = performance.now();
  const { verdict, recovered } = verifyTrail(store);
  const recoveryMs = performance.now() - recoveryStart;
  const counts = store.db.prepare<[], { n: number; uniq: number }>("SELECT count(*) AS n, count(DISTINCT json_extract(details, '$.arguments.text')) AS uniq FROM audit_events WHERE type = 'tool.called'").get() as { n: number; uniq: number };
  const replays = (store.db.prepare("SELECT count(*) AS n FROM audit_events WHERE type = 'launcher.spool_replayed'").get() as { n: number }).n;
  store.close();

  // Baseline: the same number of events, appended directly in one transaction.
  const direct = openStore(tempHome());
  const inputs = Array.from({ length: pushed }, (_, i) => ({ input: (event(`direct-${i}`) as Extract<LauncherEvent, { kind: 'audit' }>).event, now: new Date() }));
  const directStart = performance.now();
  direct.db.transaction(() => appendAuditMany(direct.db, inputs)).immediate();
  const directMs = performance.now() - directStart;
  direct.close();

  const cost = await pushCost();
  const lost = pushed - counts.uniq;
  console.log(JSON.stringify({
    benchmark: 'audit-contention',
    launchers: LAUNCHERS,
    seconds: SECONDS,
    lock_hold_ms: HOLD_MS,
    events_pushed: pushed,
    events_in_database_after_recovery: counts.uniq,
    lost,
    written_twice: counts.n - counts.uniq,
    verify_intact: verdict.ok,
    attack_s: round(attackS, 2),
    spool_files_left_by_the_launchers: leftInSpool,
    spool_replays_during_and_after: replays,
    recovery: { ...('problem' in recovered ? recovered : { files: recovered.files, events: recovered.events }), ms: round(recoveryMs, 1) },
    baseline: { events: pushed, direct_one_transaction_ms: round(directMs, 1) },
    push_cost: cost,
    goal: { lost: 0, written_twice: 0 },
    pass: lost === 0 && counts.n === counts.uniq && verdict.ok,
    machine: machine(),
  }, null, 2));
} finally {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
}
