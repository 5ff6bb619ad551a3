// A bypass of the fix for finding 17 of issue 11 (the probe's output reader): the reader held the
// unfinished stdout line as the pieces the reads delivered, one Buffer per read. A server that drips
// one byte per write, never a newline, stays far under the 4 MiB line cap and the 16 MiB session cap
// yet cost the probe a Buffer object per byte: 345 MB after 5 s, 1 GB after the default 15 s.
// Replayed with the built CLI (`mcp probe --yes`) against a real dripping server; the peak RSS of
// the CLI (VmHWM, written at exit by a preload) is compared with a quiet probe's in the same run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, cli, ROOT, tempDir } from '../helpers/cli.ts';

const SERVERS = path.join(ROOT, 'test', 'fixtures', 'servers');
const PRELOAD = path.join(ROOT, 'test', 'fixtures', 'hwm-on-exit.mjs');
/**
 * What the dripped bytes (some hundreds of KiB) may cost above a quiet probe: the reader now holds
 * them in one buffer (~16 MB over, mostly the garbage of the reads). How much the old reader cost
 * depends on how many separate reads the machine managed: 62 MB over in 8 s on a loaded 2-core
 * machine, 230 MB in 5 s on a quiet one; so the probe runs 12 s and the bound is tighter than for
 * the floods of probe-output-memory.test.ts.
 */
const ALLOWED_MB = 50;

test('a server dripping stdout one byte per write, never a newline, costs the probe about the bytes it sent, not an object per read', { skip: process.platform !== 'linux' && 'VmHWM is read from /proc' }, (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  for (const [name, script] of [['quiet', 'well-behaved.mjs'], ['drip', 'stdout-drip.mjs']] as const) {
    const added = cli(['--home', home, 'mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', path.join(SERVERS, script)]);
    assert.equal(added.code, 0, added.stderr);
  }
  const probe = (name: string): { peakMb: number; stdout: string; code: number | null } => {
    const hwm = path.join(home, `hwm-${name}`);
    const run = spawnSync(process.execPath, ['--import', PRELOAD, BIN, '--home', home, 'mcp', 'probe', name, '--yes', '--timeout', '12'], { env: { ...process.env, HWM_FILE: hwm }, encoding: 'utf8', timeout: 60_000 });
    return { peakMb: Number(readFileSync(hwm, 'utf8')) / 1024, stdout: run.stdout, code: run.status };
  };
  const quiet = probe('quiet');
  assert.equal(quiet.code, 0, quiet.stdout);
  const drip = probe('drip');
  assert.equal(drip.code, 1);
  assert.match(drip.stdout, /^✗ drip: timeout: Server "drip" did not answer initialize within 12 s/);
  const over = drip.peakMb - quiet.peakMb;
  t.diagnostic(`drip: peak ${drip.peakMb.toFixed(0)} MB, ${over.toFixed(0)} MB over the quiet probe's ${quiet.peakMb.toFixed(0)} MB`);
  assert.ok(over < ALLOWED_MB, `the probe peaked ${over.toFixed(0)} MB above a quiet probe (allowed ${ALLOWED_MB} MB)`);
});
