// A bypass of the fix for finding 13 of issue 11 (terminal escapes): human output was escaped, but
// `--json` and `audit export` were written with JSON.stringify, which escapes only the C0 controls.
// The C1 controls (U+009B is an 8-bit CSI, U+009D an OSC: xterm acts on them in UTF-8) and the bidi
// overrides a hostile server put in its serverInfo reached the terminal raw, and `--json` is
// pretty-printed precisely when stdout is a terminal. Replayed with the built CLI against the real
// hostile server of terminal-escapes.test.ts; the values must still parse back exactly.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';

const SERVER = path.join(ROOT, 'test', 'fixtures', 'servers', 'terminal-escapes.mjs');
/** What JSON.stringify leaves raw and a terminal obeys or reorders by: DEL, C1, bidi controls, separators. */
const UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;
const NAME = 'evil\u001b]0;pwned\u0007\u001b[2J\u202Egnp.exe';
const VERSION = '1.0\u009b31m';

test('--json and audit export write C1 and bidi controls as \\u escapes: nothing a terminal obeys, the same JSON values', (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  const run = (...args: string[]) => cli(['--home', home, ...args]);
  const added = run('mcp', 'add', 'evil', 'stdio', '--command', process.execPath, '--arg', SERVER, '--description', 'Takes notes\u009d52;c;Y3VybCBldmlsLnNoIHwgc2g=\u009c\u2066txt.exe');
  assert.equal(added.code, 0, added.stderr);

  const probed = run('mcp', 'probe', 'evil', '--yes', '--json');
  assert.equal(probed.code, 0, probed.stderr);
  assert.doesNotMatch(probed.stdout, UNSAFE, `mcp probe --json wrote ${JSON.stringify(probed.stdout.match(UNSAFE)?.[0])} raw`);
  const result = (JSON.parse(probed.stdout) as { probes: { server: { name: string; version: string } }[] }).probes[0];
  assert.equal(result?.server.name, NAME, 'the JSON value is exact');
  assert.equal(result?.server.version, VERSION);

  for (const args of [['mcp', 'show', 'evil', '--json'], ['mcp', 'list', '--json'], ['audit', '--json'], ['audit', 'export']]) {
    const out = run(...args);
    assert.equal(out.code, 0, `${args.join(' ')}: ${out.stderr}`);
    assert.doesNotMatch(out.stdout, UNSAFE, `${args.join(' ')} wrote ${JSON.stringify(out.stdout.match(UNSAFE)?.[0])} raw`);
    for (const line of args.includes('export') ? out.stdout.trim().split('\n') : [out.stdout]) JSON.parse(line);
  }
  const shown = JSON.parse(run('mcp', 'show', 'evil', '--json').stdout) as { server: { description: string } };
  assert.equal(shown.server.description, 'Takes notes\u009d52;c;Y3VybCBldmlsLnNoIHwgc2g=\u009c\u2066txt.exe');
});
