// `npm start` where no window can open: scripts/start.mjs says why in one sentence and runs
// `mcp-warden serve` instead. A real run with no display (DISPLAY and WAYLAND_DISPLAY unset), a temp
// HOME and data directory, the existing build (MCP_WARDEN_START_NO_BUILD) and a free port. Linux
// (CI) only by nature: macOS and Windows always count as having a display.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.ts';
import { waitFor } from '../helpers/fake-home.ts';

test('with no display, npm start says so in one sentence and serves the web UI instead', async (t) => {
  const home = tempDir(t);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, MCP_WARDEN_HOME: path.join(home, 'data'), MCP_WARDEN_PORT: '0', MCP_WARDEN_START_NO_BUILD: '1', XDG_CONFIG_HOME: undefined };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  t.after(() => child.kill('SIGKILL'));

  const link = await waitFor('the web UI link', () => /^Open the web UI: (http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(stdout)?.[1], 60_000);
  const lines = stderr.trim().split('\n');
  assert.deepEqual(lines, [
    'MCP Warden could not start its desktop window (there is no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set), so it runs the headless mode instead (`mcp-warden serve`): open the link below in a browser.',
  ]);
  assert.match(stdout, /^MCP Warden API on http:\/\/127\.0\.0\.1:\d+\/api\/v1$/m);
  assert.match(stdout, new RegExp(`^Watching \\d+ client config locations? for ${path.join(home, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`, 'm'), 'serve runs on the temp data directory');

  // It is a real serve: the API answers on that port.
  const origin = new URL(link).origin;
  const health = await fetch(`${origin}/api/v1/health`);
  assert.equal(health.status, 200);

  // Stopping npm start stops serve with it.
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, `start.mjs exits with serve's code:\n${stderr}`);
  await assert.rejects(fetch(`${origin}/api/v1/health`), 'nothing listens any more');
});
