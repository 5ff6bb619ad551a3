/**
 * Issue 11, finding 20: a config flip storm (1,000 renames between two contents) re-opened alerts on
 * every flip (988 alerts, 494 HIGH lines); a symbolic link loop was reported as "deleted"; a 1.5 GB
 * file left the config "ok" with stale data. Replayed against the built CLI in a fake HOME: the storm
 * is one alert per condition, re-opened and counted, notified once; the loop and the huge file are
 * reported as what they are.
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';
import { WatchedProcess } from '../helpers/watched-process.ts';

const MAX_RSS_MB = 300;
const FLIPS = 1000;

interface AlertJson {
  id: number;
  type: string;
  severity: string;
  state: string;
  details: { reopened?: { count: number } };
}

function setup(t: Parameters<typeof tempDir>[0]) {
  const fake = fakeHome(t);
  const data = tempDir(t, 'mcp-warden-data-');
  const env = { ...fake.env, MCP_WARDEN_HOME: data };
  mkdirSync(path.dirname(fake.claudeDesktop), { recursive: true });
  return { fake, env };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Resolves once `read()` has not changed for `quietMs`. */
async function quiet(read: () => string, quietMs: number, timeoutMs = 60_000): Promise<void> {
  let last = read();
  let since = Date.now();
  await waitFor('the output to settle', () => {
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    return Date.now() - since >= quietMs;
  }, timeoutMs);
}

test(`watch: ${FLIPS} renames flipping a config between two contents are one alert per condition, re-opened and counted, and one HIGH line`, async (t) => {
  const { fake, env } = setup(t);
  const approved = claudeDesktopConfig({ files: { command: 'node', args: ['files.js'] } });
  const changed = claudeDesktopConfig({ files: { command: 'node', args: ['evil.js'], env: { EXTRA: '1' } } });
  writeByRename(fake.claudeDesktop, approved);

  const watch = new WatchedProcess(['watch'], { env, maxRssMb: MAX_RSS_MB }).cleanUpAfter(t);
  await watch.waitForOutput('watch to start', /Press Ctrl-C to stop\.\n/);
  const before = watch.stdout.split('\n').length;

  for (let i = 0; i < FLIPS; i++) {
    writeByRename(fake.claudeDesktop, i % 2 === 0 ? changed : approved);
    // A breath between renames, so the watcher sees most flips (it would coalesce a tight loop).
    await new Promise((r) => setTimeout(r, 3));
  }
  await quiet(() => watch.stdout, 1_500);
  const exit = await watch.stop('SIGTERM');
  assert.equal(exit.code, 0);

  const scans = watch.stdout.split('\n').length - before;
  assert.ok(scans >= 50, `the watcher scanned the storm (${scans} scans)`);
  const alerts = (JSON.parse(cli(['alerts', '--state', 'all', '--json'], { env }).stdout) as { alerts: AlertJson[] }).alerts;
  const launch = alerts.filter((a) => a.type === 'launch_changed');
  const envChanged = alerts.filter((a) => a.type === 'env_changed');
  assert.equal(launch.length, 1, `one launch_changed alert for the whole storm, not ${launch.length}`);
  assert.equal(envChanged.length, 1, `one env_changed alert for the whole storm, not ${envChanged.length}`);
  const highLines = watch.stderr.split('\n').filter((l) => l.startsWith('[HIGH]'));
  assert.equal(highLines.length, 1, `one HIGH line, not ${highLines.length}:\n${highLines.slice(0, 5).join('\n')}`);
  assert.match(highLines[0] ?? '', /"files" in Claude Desktop now launches differently: args changed/);

  // Each return is counted on the alert and in the audit trail; the storm ended on the approved content.
  const alert = launch[0] as AlertJson;
  const count = alert.details.reopened?.count ?? 0;
  assert.ok(count >= 1, `re-opened at least once (${count})`);
  assert.equal(alert.state, 'resolved');
  const events = (JSON.parse(cli(['audit', '--type', 'alert.reopened', '--json'], { env }).stdout) as { events: { details: { alert_id: number } }[] }).events;
  assert.equal(events.filter((e) => e.details.alert_id === alert.id).length, count);
  assert.ok(/; 0 alerts raised, 2 re-opened, 0 resolved$/m.test(watch.stdout), 'watch says the two alerts were re-opened');
  assert.equal(cli(['audit', 'verify'], { env }).code, 0);
});

test('scan: a symbolic link loop at a config path is reported as a loop, not as a deleted file', async (t) => {
  const { fake, env } = setup(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ files: { command: 'node', args: ['files.js'] } }));
  assert.equal(cli(['scan'], { env }).code, 0);
  rmSync(fake.claudeDesktop);
  symlinkSync(`${fake.claudeDesktop}.other`, fake.claudeDesktop);
  symlinkSync(fake.claudeDesktop, `${fake.claudeDesktop}.other`);

  const human = cli(['scan'], { env });
  assert.match(human.stdout, new RegExp(`${escape(fake.claudeDesktop)} \\(cannot be read: it is a symbolic link loop\\)`));
  assert.doesNotMatch(human.stdout, /deleted/);
  const json = JSON.parse(cli(['scan', '--json'], { env }).stdout) as { configs: { path: string; state: string }[]; findings: { type: string; title: string }[] };
  assert.equal(json.configs.find((c) => c.path === fake.claudeDesktop)?.state, 'unreadable');
  assert.ok(json.findings.some((f) => f.type === 'config_unreadable' && f.title.endsWith('cannot be read: it is a symbolic link loop')));
  assert.ok(!json.findings.some((f) => f.type === 'config_missing'));
});

test('watch: a link made first to nothing, then closed into a loop, is reported as each in turn (never as deleted)', async (t) => {
  const { fake, env } = setup(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ files: { command: 'node', args: ['files.js'] } }));
  const watch = new WatchedProcess(['watch'], { env, maxRssMb: MAX_RSS_MB }).cleanUpAfter(t);
  await watch.waitForOutput('watch to start', /Press Ctrl-C to stop\.\n/);

  // `ln -s other config` (other does not exist yet), renamed over the config as editors save...
  const other = `${fake.claudeDesktop}.other`;
  const tmp = `${fake.claudeDesktop}.tmp`;
  symlinkSync(other, tmp);
  renameSync(tmp, fake.claudeDesktop);
  await watch.waitForOutput('the dangling link', new RegExp(`cannot be read: it is a link to ${escape(other)}, which does not exist`));
  // ...then `ln -s config other`: the config itself does not change, but it is a loop now.
  symlinkSync(fake.claudeDesktop, other);
  await watch.waitForOutput('the loop', /claude_desktop_config\.json: cannot be read: it is a symbolic link loop;/);
  assert.ok(!/: missing;/.test(watch.stdout), `never reported as missing:\n${watch.stdout}`);
  assert.ok(!/scanning .* failed/.test(watch.stderr), watch.stderr);
  const exit = await watch.stop('SIGTERM');
  assert.equal(exit.code, 0);
});

test('scan and watch: a 1.5 GB (sparse) file in place of a config is "too large", not "ok" with the old servers', async (t) => {
  const { fake, env } = setup(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ files: { command: 'node', args: ['files.js'] } }));
  assert.equal(cli(['scan'], { env }).code, 0);

  const watch = new WatchedProcess(['watch'], { env, maxRssMb: MAX_RSS_MB }).cleanUpAfter(t);
  await watch.waitForOutput('watch to start', /Press Ctrl-C to stop\.\n/);
  const big = `${fake.claudeDesktop}.big`;
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 1.5 * 1024 ** 3);
  closeSync(fd);
  renameSync(big, fake.claudeDesktop);
  const tooLarge = 'it is 1.5 GiB, larger than the 32 MiB a client config can be';
  await watch.waitForOutput('the huge file to be reported', new RegExp(`claude_desktop_config\\.json: cannot be read: ${escape(tooLarge)};`));
  await watch.stop('SIGTERM');
  assert.ok(watch.peakMb < MAX_RSS_MB, `watch peak RSS ${watch.peakMb} MiB`);

  const run = await WatchedProcess.run(['scan', '--json'], { env, maxRssMb: MAX_RSS_MB, timeoutMs: 30_000 });
  assert.equal(run.process.killedFor, null, `scan killed for ${run.process.killedFor} (peak ${run.process.peakMb} MiB)`);
  assert.equal(run.code, 0, run.process.stderr);
  const json = JSON.parse(run.process.stdout) as { configs: { path: string; state: string; error?: { message: string }; servers: unknown[] }[]; findings: { type: string; title: string }[] };
  const config = json.configs.find((c) => c.path === fake.claudeDesktop);
  assert.equal(config?.state, 'unreadable');
  assert.equal(config?.error?.message, tooLarge);
  assert.equal(config?.servers.length, 0, 'no stale servers reported as read from it');
  assert.ok(json.findings.some((f) => f.type === 'config_unreadable' && f.title.endsWith(tooLarge)));
  // The stored state is not "ok" either.
  const clients = (JSON.parse(cli(['clients', '--json'], { env }).stdout) as { clients: { config_path: string; state: string }[] }).clients;
  assert.equal(clients.find((c) => c.config_path === fake.claudeDesktop)?.state, 'unparseable');
});
