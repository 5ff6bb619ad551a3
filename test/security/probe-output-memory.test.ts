// Finding 17 of issue 11: the probe's 16 MiB output cap was checked, but stdout was accumulated
// (each chunk concatenated onto one growing buffer), so a flooding server took the probe to
// 330-380 MB. Replayed with the built CLI (`mcp probe --yes`) against real flooding servers; the
// peak RSS of the CLI process (VmHWM, written at exit by a preload) is compared with a quiet probe's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, cli, ROOT, tempDir } from '../helpers/cli.ts';

const SERVERS = path.join(ROOT, 'test', 'fixtures', 'servers');
const PRELOAD = path.join(ROOT, 'test', 'fixtures', 'hwm-on-exit.mjs');
/** Generous: a quiet probe of this CLI peaks near 100 MB; the accumulating reader added 170-190 MB here. */
const ALLOWED_MB = 120;

test('a server flooding stdout (16+ MiB in long lines, or in one line) is cut off at the cap while the probe holds at most one capped line', { skip: process.platform !== 'linux' && 'VmHWM is read from /proc' }, (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  const add = (name: string, script: string, ...env: string[]) => {
    const added = cli(['--home', home, 'mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', path.join(SERVERS, script), ...env.flatMap((e) => ['--env', e])]);
    assert.equal(added.code, 0, added.stderr);
  };
  add('quiet', 'well-behaved.mjs');
  add('one-line', 'stdout-flood.mjs', 'FLOOD=one-line');
  add('long-lines', 'stdout-flood.mjs', 'FLOOD=lines', `FLOOD_LINE=${8 * 1024 * 1024}`);
  add('json-lines', 'stdout-flood.mjs', 'FLOOD=json', `FLOOD_LINE=${1024 * 1024}`);

  const probe = (name: string): { peakMb: number; stdout: string; code: number | null } => {
    const hwm = path.join(home, `hwm-${name}`);
    const run = spawnSync(process.execPath, ['--import', PRELOAD, BIN, '--home', home, 'mcp', 'probe', name, '--yes'], { env: { ...process.env, HWM_FILE: hwm }, encoding: 'utf8', timeout: 60_000 });
    return { peakMb: Number(readFileSync(hwm, 'utf8')) / 1024, stdout: run.stdout, code: run.status };
  };
  const quiet = probe('quiet');
  assert.equal(quiet.code, 0, quiet.stdout);
  for (const name of ['one-line', 'long-lines', 'json-lines']) {
    const flood = probe(name);
    assert.equal(flood.code, 1);
    assert.match(flood.stdout, new RegExp(`^✗ ${name}: too_much_output: Server "${name}" wrote more than 16 MiB on stdout`), name);
    const over = flood.peakMb - quiet.peakMb;
    t.diagnostic(`${name}: peak ${flood.peakMb.toFixed(0)} MB, ${over.toFixed(0)} MB over the quiet probe's ${quiet.peakMb.toFixed(0)} MB`);
    assert.ok(over < ALLOWED_MB, `${name}: the probe peaked ${over.toFixed(0)} MB above a quiet probe (allowed ${ALLOWED_MB} MB)`);
  }
});

test('a line over the line cap is dropped, not read: a server whose answer is that line is reported as such, not as merely slow', (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  const script = path.join(SERVERS, 'stdout-flood.mjs');
  // 5 MiB of one line, then silence: under the 16 MiB session cap, over the 4 MiB line cap.
  const added = cli(['--home', home, 'mcp', 'add', 'big-answer', 'stdio', '--command', process.execPath, '--arg', script, '--env', 'FLOOD=one-line', '--env', `FLOOD_LIMIT=${5 * 1024 * 1024}`]);
  assert.equal(added.code, 0, added.stderr);
  const probed = cli(['--home', home, 'mcp', 'probe', 'big-answer', '--yes', '--timeout', '2']);
  assert.equal(probed.code, 1);
  assert.match(probed.stdout, /^✗ big-answer: too_much_output: Server "big-answer" did not answer initialize within 2 s and wrote 1 line\(s\) on stdout longer than 4 MiB, which MCP Warden does not read \(the first began "x{40,}…"\)/);
});
