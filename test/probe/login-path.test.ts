/** The login-shell PATH: read through a real shell with a fake HOME, with every way it can fail. */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loginShellPath, readLoginShellPath, setLoginShellPath } from '../../core/process/login-path.ts';
import { processGone, tempDir } from './helpers.ts';

const posix = process.platform !== 'win32';

test('bash -il reads the profile: its PATH comes back, whatever banner the profile prints', { skip: !posix || !existsSync('/bin/bash') }, async (t) => {
  const home = tempDir(t);
  writeFileSync(path.join(home, '.bash_profile'), 'echo "Welcome to a chatty profile"\nexport PATH="/opt/warden-login/bin:$PATH"\necho "and goodbye"\n');
  const value = await readLoginShellPath({ shell: '/bin/bash', env: { HOME: home, PATH: '/usr/bin:/bin' }, fallback: '/fallback' });
  assert.match(value, /^\/opt\/warden-login\/bin:/);
  assert.doesNotMatch(value, /Welcome|goodbye|\n/);
});

test('a shell that hangs: the fallback after the timeout, and the shell is killed', { skip: !posix }, async (t) => {
  const dir = tempDir(t);
  const pidFile = path.join(dir, 'pid');
  const shell = path.join(dir, 'slow-shell');
  writeFileSync(shell, `#!/bin/sh\necho $$ > "${pidFile}"\nsleep 30\n`);
  chmodSync(shell, 0o755);
  const started = Date.now();
  const value = await readLoginShellPath({ shell, timeoutMs: 300, fallback: '/fallback/bin' });
  assert.equal(value, '/fallback/bin');
  assert.ok(Date.now() - started < 2000);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  for (let i = 0; i < 50 && !processGone(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(processGone(pid), true, 'the hanging shell was killed');
});

test('a shell that is missing, or prints no PATH, gives the fallback', { skip: !posix }, async (t) => {
  const dir = tempDir(t);
  assert.equal(await readLoginShellPath({ shell: path.join(dir, 'no-such-shell'), fallback: '/fb1' }), '/fb1');
  const silent = path.join(dir, 'silent-shell');
  writeFileSync(silent, '#!/bin/sh\necho "no path here"\n');
  chmodSync(silent, 0o755);
  assert.equal(await readLoginShellPath({ shell: silent, fallback: '/fb2' }), '/fb2');
});

test('on Windows no shell is asked: the process PATH is used', async () => {
  assert.equal(await readLoginShellPath({ platform: 'win32', shell: '/definitely/not/run', env: { Path: 'C:\\Windows' } }), 'C:\\Windows');
});

test('loginShellPath asks once per process, and tests can inject the value', async () => {
  setLoginShellPath('/injected/bin');
  assert.equal(await loginShellPath(), '/injected/bin');
  setLoginShellPath(undefined);
  const first = loginShellPath();
  assert.equal(loginShellPath(), first, 'the same cached promise');
  const value = await first;
  assert.equal(typeof value, 'string');
  assert.ok(value.length > 0);
});
