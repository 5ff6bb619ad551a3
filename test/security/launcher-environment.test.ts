// Finding 6, launcher half (issue 11): code-loading variables in the launcher's environment (a client
// entry with env NODE_OPTIONS=--require evil.js) ran code inside the launcher, which reads the
// keychain. The launcher now refuses before anything else: the client is told why, an alert is
// raised, nothing is started. Replayed against the real `mcp-warden run`.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.ts';
import { waitFor } from '../helpers/fake-home.ts';
import { addServer, alerts, home, HOSTILE, INITIALIZE, rawLauncher, textOf } from '../helpers/launcher.ts';

interface AuditEvent { type: string; server_id: string | null; details: Record<string, unknown> }

test('NODE_OPTIONS=--require evil.js: refused with the reason, a high alert, exit 1, the server never started, even when the payload hides the variable', async (t) => {
  const h = home(t);
  const marker = path.join(h.dir, 'server-started');
  assert.equal(cli(['--home', h.dir, 'secrets', 'add', 'token'], { input: 'not-for-evil\n' }).code, 0);
  addServer(h, 'envy', HOSTILE, '--env', `MARKER_FILE=${marker}`, '--env', 'TOKEN={{secret:token}}');
  const evil = path.join(h.dir, 'evil.cjs');
  // What a payload would do first: hide itself from the process's view of its environment.
  writeFileSync(evil, 'delete process.env.NODE_OPTIONS;\n');
  const l = rawLauncher(t, h, 'envy', { env: { NODE_OPTIONS: `--require ${evil}` } });
  const answer = await l.request(1, 'initialize', INITIALIZE);
  const error = answer.error as { code: number; message: string };
  assert.equal(error.code, -32001);
  assert.match(error.message, /did not start "envy": its launcher was started with NODE_OPTIONS set, which can load code into the process that reads your keychain/);
  l.child.stdin.end();
  assert.equal(await l.exit, 1);
  assert.equal(existsSync(marker), false, 'the server was never started');

  await waitFor('the alert', () => alerts(h).find((a) => a.type === 'unsafe_launcher_environment'), 10_000);
  const alert = alerts(h).find((a) => a.type === 'unsafe_launcher_environment');
  const { server } = h.json<{ server: { id: string } }>('mcp', 'show', 'envy');
  assert.equal(alert?.severity, 'high');
  assert.equal(alert?.server_id, server.id);
  assert.deepEqual((alert?.details.settings as { name: string }[]).map((s) => s.name), ['NODE_OPTIONS']);
  assert.ok(!JSON.stringify(alert).includes(evil), 'the value (a path) is not repeated');
  const refused = h.json<{ events: AuditEvent[] }>('audit', '--type', 'launcher.refused').events;
  assert.equal(refused[0]?.details.reason, 'unsafe_environment');
});

test('LD_PRELOAD and DYLD_* are refused too, each named', async (t) => {
  const h = home(t);
  const marker = path.join(h.dir, 'server-started');
  addServer(h, 'preload', HOSTILE, '--env', `MARKER_FILE=${marker}`);
  const l = rawLauncher(t, h, 'preload', { env: { LD_PRELOAD: path.join(h.dir, 'libmissing.so'), DYLD_INSERT_LIBRARIES: '/tmp/x.dylib' } });
  const error = (await l.request(1, 'initialize', INITIALIZE)).error as { message: string };
  assert.match(error.message, /started with LD_PRELOAD, DYLD_INSERT_LIBRARIES set/);
  l.child.stdin.end();
  assert.equal(await l.exit, 1);
  assert.equal(existsSync(marker), false);
});

test('NODE_OPTIONS with memory and warning flags only does not stop the launcher', async (t) => {
  const h = home(t);
  addServer(h, 'roomy', HOSTILE);
  const l = rawLauncher(t, h, 'roomy', { env: { NODE_OPTIONS: '--max-old-space-size=512 --no-warnings' } });
  await l.request(1, 'initialize', INITIALIZE);
  l.notify('notifications/initialized');
  const pid = Number(textOf((await l.request(2, 'tools/call', { name: 'pid', arguments: {} })).result));
  assert.ok(pid > 0);
  l.child.stdin.end();
  assert.equal(await l.exit, 0);
});

test('variable names as each platform reads them: node_options counts on Windows (names are case-insensitive there), not on Linux', async () => {
  const { unsafeSettings } = await import('../../core/launcher/environment-guard.ts');
  const sources = (platform: NodeJS.Platform) => ({ env: { node_options: '--require evil.js', Ld_Preload: '/x.so', Path: 'C:\\bin' }, execArgv: [], initial: undefined, platform });
  assert.deepEqual(unsafeSettings(sources('win32')).map((s) => s.name), ['NODE_OPTIONS', 'LD_PRELOAD']);
  assert.deepEqual(unsafeSettings(sources('linux')), [], 'Node and the loader on Linux read only the exact names');
  // And Node flags that load code, whichever way they are spelled on the command line.
  for (const flags of [['--import=x.mjs'], ['--loader', 'x.mjs'], ['--experimental-loader=x.mjs'], ['-r', 'x.js'], ['--env-file=.env'], ['--require=x.js']]) {
    assert.equal(unsafeSettings({ env: {}, execArgv: flags, initial: undefined, platform: 'linux' }).length, 1, flags.join(' '));
    assert.equal(unsafeSettings({ env: { NODE_OPTIONS: flags.join(' ') }, execArgv: [], initial: undefined, platform: 'linux' }).length, 1, `NODE_OPTIONS=${flags.join(' ')}`);
  }
});
