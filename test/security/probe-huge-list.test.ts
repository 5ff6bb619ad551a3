// A hostile server lists 150,000 tools in one page, each one tiny and the page under the byte caps:
// the probe spread the page into its list (`push(...entries)`), which overflowed the call stack, and
// would otherwise hold every entry. It now stops at MAX_LIST_ENTRIES with a sentence that says why.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_LIST_ENTRIES } from '../../core/probe/list-limit.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';

const SERVER = path.join(ROOT, 'test', 'fixtures', 'servers', 'huge-list.mjs');

test('a server listing 150,000 tools is a protocol error naming the limit, not a crash; a list at the limit is read whole', (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  for (const [name, count] of [['huge', 150_000], ['at-limit', MAX_LIST_ENTRIES]] as const) {
    const added = cli(['--home', home, 'mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', SERVER, '--env', `HUGE_TOOLS=${count}`]);
    assert.equal(added.code, 0, added.stderr);
  }
  const huge = cli(['--home', home, 'mcp', 'probe', 'huge', '--yes', '--json']);
  assert.equal(huge.code, 1, huge.stderr);
  const failed = (JSON.parse(huge.stdout) as { probes: { ok: boolean; category: string; message: string }[] }).probes[0];
  assert.equal(failed?.category, 'protocol_error');
  assert.match(failed?.message ?? '', /listed more than 10,000 tools, far more than any real server/);
  assert.doesNotMatch(huge.stdout + huge.stderr, /call stack/);

  const whole = cli(['--home', home, 'mcp', 'probe', 'at-limit', '--yes', '--json']);
  assert.equal(whole.code, 0, whole.stdout + whole.stderr);
  assert.equal((JSON.parse(whole.stdout) as { probes: { tools: unknown[] }[] }).probes[0]?.tools.length, MAX_LIST_ENTRIES);
});
