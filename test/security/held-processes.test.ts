/**
 * Attacks by another local process that the red team tried and that held (issue 11, "What held"):
 * seven writers at once on one data directory, and `kill -9` of `scan`, `apply` and `serve` in the
 * middle of their writes. The database must stay intact, no writer may see a busy error, and every
 * change that was acknowledged (an exit 0, a 201) must still be there.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../core/store/database.ts';
import { BIN, cli, envWith, ROOT, tempDir } from '../helpers/cli.ts';
import { countRows } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe } from '../helpers/serve.ts';

/** `PRAGMA integrity_check` of the data directory's database; 'ok' too when a process was killed before it created one. */
function integrity(home: string): string {
  if (!existsSync(path.join(home, DATABASE_FILE))) return 'ok';
  const db = new Database(path.join(home, DATABASE_FILE), { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

function run(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: envWith(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('seven processes writing one data directory at once: every write lands, none shows a busy error', async (t) => {
  const home = tempDir(t);
  const writers = Array.from({ length: 7 }, (_, w) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'test', 'helpers', 'add-many.ts'), home, `w${w}`, '60']);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    }));
  const results = await Promise.all(writers);
  for (const r of results) {
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /busy|locked/i);
  }
  assert.equal(countRows(home, 'servers'), 7 * 60);
  assert.equal(integrity(home), 'ok');
});

test('kill -9 of scan and of apply in the middle of their writes never corrupts the database, and the next run completes', async (t) => {
  const home = tempDir(t);
  const fake = fakeHome(t);
  const servers: Record<string, unknown> = {};
  for (let i = 0; i < 1500; i++) servers[`srv-${i}`] = { command: '/bin/true', args: [`--n=${i}`], env: { MODE: String(i % 7) } };
  writeByRename(fake.claudeDesktop, claudeDesktopConfig(servers));
  const manifest = path.join(tempDir(t), 'servers.yaml');
  writeFileSync(manifest, `version: 1\nservers:\n${Array.from({ length: 400 }, (_, i) => `  - name: m-${i}\n    transport: http\n    url: https://m${i}.example.com/mcp\n`).join('')}`);

  for (const [label, args, delays] of [
    ['scan', ['--home', home, 'scan'], [150, 400, 800]],
    ['apply', ['--home', home, 'apply', '-f', manifest], [150, 400, 700]],
  ] as const) {
    for (const delay of delays) {
      const { child, done } = run([...args], fake.env);
      await sleep(delay);
      child.kill('SIGKILL');
      const ended = await done;
      assert.ok(ended.signal === 'SIGKILL' || ended.code === 0, `${label} ended on its own with ${ended.code}: ${ended.stderr}`);
      assert.equal(integrity(home), 'ok', `${label} killed after ${delay} ms left a damaged database`);
    }
    const again = cli([...args], { env: fake.env });
    assert.equal(again.code, 0, `${label} after the kills: ${again.stderr}`);
  }
  assert.equal(countRows(home, 'servers'), 1500 + 400, 'every server of the config and of the manifest is registered once');
  const verified = cli(['--home', home, 'audit', 'verify'], { env: fake.env });
  assert.equal(verified.code, 0, `the audit chain after the kills: ${verified.stdout}${verified.stderr}`);
});

test('kill -9 of serve while it registers servers: every registration it answered 201 is still there', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const acknowledged: string[] = [];
  let stop = false;
  const senders = Array.from({ length: 4 }, async (_, s) => {
    for (let i = 0; !stop; i++) {
      const name = `k${s}-${i}`;
      try {
        const r = await served.request('POST', '/mcp-servers', { name, server_url: `https://${name}.example.com/mcp` });
        if (r.status === 201) acknowledged.push(name);
      } catch {
        return; // serve is gone
      }
    }
  });
  await sleep(1500);
  served.child.kill('SIGKILL');
  stop = true;
  await Promise.all(senders);
  assert.ok(acknowledged.length > 20, `serve answered ${acknowledged.length} registrations before the kill`);
  assert.equal(integrity(served.home), 'ok');
  const db = new Database(path.join(served.home, DATABASE_FILE), { readonly: true });
  try {
    const names = new Set(db.prepare<[], { name: string }>('SELECT name FROM servers').all().map((r) => r.name));
    const lost = acknowledged.filter((name) => !names.has(name));
    assert.deepEqual(lost, [], 'acknowledged registrations lost by the kill');
  } finally {
    db.close();
  }
  assert.equal(served.cli('audit', 'verify').code, 0, 'the audit chain is intact after the kill');
});
