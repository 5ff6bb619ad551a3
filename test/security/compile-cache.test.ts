/**
 * Another local user must not be able to plant compiled code that `mcp-warden` then runs. Node's
 * compile cache defaults to <tmp>/node-compile-cache, a folder anyone can create first in a shared
 * /tmp; the CLI keeps its cache in the user's own cache folder (0700), and uses none when that folder
 * is not private.
 */
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';

test('the compile cache lives in a private folder of the user, never in the shared temporary folder', (t) => {
  const tmp = tempDir(t, 'mcp-warden-tmp-');
  const cache = tempDir(t, 'mcp-warden-cache-');
  const run = cli(['--version'], { env: { TMPDIR: tmp, XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: undefined } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(tmp), [], 'nothing is cached in the shared temporary folder');
  const own = path.join(cache, 'mcp-warden', 'compile-cache');
  assert.equal(statSync(own).mode & 0o777, 0o700);
  assert.ok(readdirSync(own).length > 0, 'the cache was written to the private folder');
});

test('a compile-cache folder someone else made, or anyone can write, is not used', (t) => {
  const tmp = tempDir(t, 'mcp-warden-tmp-');
  const cache = tempDir(t, 'mcp-warden-cache-');
  const planted = path.join(cache, 'mcp-warden', 'compile-cache');
  mkdirSync(planted, { recursive: true, mode: 0o777 });
  chownSync(planted, 65534, 65534);
  const run = cli(['--version'], { env: { TMPDIR: tmp, XDG_CACHE_HOME: cache, NODE_COMPILE_CACHE: undefined } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(planted), [], "nothing is read from or written to another user's folder");
  assert.ok(!existsSync(path.join(tmp, 'node-compile-cache')), 'and Node does not fall back to the shared folder');
});
