/**
 * Issue 11, finding 1: a config path that is a device or a FIFO. A link to /dev/zero at Claude
 * Desktop's config path took `scan` past 3 GB in 3 s; a repository's `.mcp.json` linked to /dev/zero
 * (the project listed in ~/.claude.json) did the same; a FIFO at a config path hung `scan`, `watch`
 * and `serve` in a blocking open() that ignored SIGTERM. Each attack is replayed here against the
 * built CLI in a fake HOME: the process must finish (or keep answering and stop on SIGTERM), stay
 * small, and name what sits at the path.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe } from '../helpers/serve.ts';
import { WatchedProcess } from '../helpers/watched-process.ts';

/** Far above what a scan of a few configs needs (~70 MB), far below what reading /dev/zero reaches. */
const MAX_RSS_MB = 300;
const DEVICE = /it is a link to \/dev\/zero, a character device, not a regular file/;
const FIFO = /it is a named pipe \(FIFO\), not a regular file/;

interface ScanJson {
  configs: { path: string; state: string; error?: { message: string }; servers: unknown[] }[];
  findings: { type: string; severity: string; title: string; config_path: string }[];
}

function setup(t: Parameters<typeof tempDir>[0]) {
  const fake = fakeHome(t);
  const data = tempDir(t, 'mcp-warden-data-');
  const env = { ...fake.env, MCP_WARDEN_HOME: data };
  mkdirSync(path.dirname(fake.claudeDesktop), { recursive: true });
  return { fake, data, env };
}

async function scanJson(env: Record<string, string | undefined>): Promise<{ json: ScanJson; code: number | null; peakMb: number; killedFor: string | null }> {
  const run = await WatchedProcess.run(['scan', '--json'], { env, maxRssMb: MAX_RSS_MB, timeoutMs: 30_000 });
  const { process: p } = run;
  assert.equal(p.killedFor, null, `scan was killed for ${p.killedFor} (peak ${p.peakMb} MiB); stderr: ${p.stderr.slice(0, 500)}`);
  return { json: JSON.parse(p.stdout) as ScanJson, code: run.code, peakMb: p.peakMb, killedFor: p.killedFor };
}

test('scan: a link to /dev/zero at Claude Desktop\'s config path is a high finding naming the device, read without growing', async (t) => {
  const { fake, env } = setup(t);
  symlinkSync('/dev/zero', fake.claudeDesktop);
  const { json, code, peakMb } = await scanJson(env);
  assert.ok(peakMb < MAX_RSS_MB, `peak RSS ${peakMb} MiB`);
  assert.equal(code, 3, 'a high finding: exit 3');
  const config = json.configs.find((c) => c.path === fake.claudeDesktop);
  assert.equal(config?.state, 'unreadable');
  assert.match(config?.error?.message ?? '', DEVICE);
  const finding = json.findings.find((f) => f.type === 'config_unreadable');
  assert.equal(finding?.severity, 'high');
  assert.match(finding?.title ?? '', new RegExp(`^Claude Desktop config ${fake.claudeDesktop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be read: ${DEVICE.source}$`));

  // The human output says the same in its inventory.
  const human = cli(['scan'], { env });
  assert.match(human.stdout, new RegExp(`\\(cannot be read: ${DEVICE.source}\\)`));
});

test('scan: a cloned repository whose .mcp.json links to /dev/zero, listed in ~/.claude.json projects, is reported, not read', async (t) => {
  const { fake, env } = setup(t);
  const repo = tempDir(t, 'mcp-warden-hostile-repo-');
  symlinkSync('/dev/zero', path.join(repo, '.mcp.json'));
  writeFileSync(path.join(fake.home, '.claude.json'), JSON.stringify({ projects: { [repo]: { mcpServers: {} } } }));
  const { json, peakMb } = await scanJson(env);
  assert.ok(peakMb < MAX_RSS_MB, `peak RSS ${peakMb} MiB`);
  const project = json.configs.find((c) => c.path === path.join(repo, '.mcp.json'));
  assert.equal(project?.state, 'unreadable', JSON.stringify(json.configs));
  assert.match(project?.error?.message ?? '', DEVICE);
  assert.ok(json.findings.some((f) => f.type === 'config_unreadable' && f.config_path === path.join(repo, '.mcp.json') && f.severity === 'high'));
  // The user's own config still counts.
  assert.equal(json.configs.find((c) => c.path === path.join(fake.home, '.claude.json'))?.state, 'ok');
});

test('scan: a FIFO at a config path is named and skipped at once (no writer ever comes)', async (t) => {
  const { fake, env } = setup(t);
  execFileSync('mkfifo', [fake.claudeDesktop]);
  writeByRename(path.join(fake.home, '.cursor', 'mcp.json'), { mcpServers: { files: { command: 'node', args: ['files.js'] } } });
  const { json, code } = await scanJson(env);
  assert.equal(code, 3);
  assert.match(json.configs.find((c) => c.path === fake.claudeDesktop)?.error?.message ?? '', FIFO);
  // The other client's config is scanned as usual.
  assert.equal(json.configs.find((c) => c.path.endsWith(path.join('.cursor', 'mcp.json')))?.servers.length, 1);
});

test('attach: a FIFO at the config to edit is refused in one sentence, nothing written, no hang', async (t) => {
  const { fake, env } = setup(t);
  assert.equal(cli(['mcp', 'add', 'files', 'stdio', '--command', process.execPath], { env }).code, 0);
  execFileSync('mkfifo', [fake.claudeDesktop]);
  const run = await WatchedProcess.run(['mcp', 'attach', 'files', '--client', 'claude-desktop', '--config', fake.claudeDesktop], { env, maxRssMb: MAX_RSS_MB, timeoutMs: 30_000 });
  assert.equal(run.process.killedFor, null, 'attach finished by itself');
  assert.equal(run.code, 1);
  assert.equal(run.process.stderr, `mcp-warden: ${fake.claudeDesktop} cannot be read as a client config: it is a named pipe (FIFO), not a regular file; nothing was written.\n`);
});

test('watch: with a FIFO and a /dev/zero link at config paths it keeps scanning other configs, stays small and stops on SIGTERM', async (t) => {
  const { fake, env } = setup(t);
  execFileSync('mkfifo', [fake.claudeDesktop]);
  const repo = tempDir(t, 'mcp-warden-hostile-repo-');
  symlinkSync('/dev/zero', path.join(repo, '.mcp.json'));
  writeFileSync(path.join(fake.home, '.claude.json'), JSON.stringify({ projects: { [repo]: { mcpServers: {} } } }));

  const watch = new WatchedProcess(['watch'], { env, maxRssMb: MAX_RSS_MB }).cleanUpAfter(t);
  await watch.waitForOutput('watch to start', /Press Ctrl-C to stop\.\n/);
  assert.match(watch.stdout, new RegExp(`${fake.claudeDesktop.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot be read: ${FIFO.source}`));
  assert.match(watch.stdout, new RegExp(`\\.mcp\\.json: cannot be read: ${DEVICE.source}`));
  assert.match(watch.stderr, /^\[HIGH\] Claude Desktop config .* cannot be read: it is a named pipe/m);

  // It keeps answering: a change to another client's config is scanned while the traps stay in place.
  const cursor = path.join(fake.home, '.cursor', 'mcp.json');
  writeByRename(cursor, { mcpServers: { files: { command: 'node', args: ['files.js'] } } });
  await watch.waitForOutput('the Cursor config to be scanned', /Cursor .*mcp\.json: 1 server;/);

  // The FIFO replaced by a /dev/zero link, then by a real config: each is seen as it is.
  const swap = `${fake.claudeDesktop}.swap`;
  symlinkSync('/dev/zero', swap);
  renameSync(swap, fake.claudeDesktop);
  await watch.waitForOutput('the /dev/zero link to be reported', new RegExp(`Claude Desktop .*: cannot be read: ${DEVICE.source}`));
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ notes: { command: 'node', args: ['notes.js'] } }));
  await watch.waitForOutput('the real config to be read', /Claude Desktop .*claude_desktop_config\.json: 1 server;/);

  const exit = await watch.stop('SIGTERM');
  assert.equal(watch.killedFor, null, `watch did not exit within 10 s of SIGTERM (peak ${watch.peakMb} MiB)`);
  assert.equal(exit.code, 0);
  assert.ok(exit.ms < 5_000, `exited ${exit.ms} ms after SIGTERM`);
  assert.ok(watch.peakMb < MAX_RSS_MB, `peak RSS ${watch.peakMb} MiB`);
});

test('serve: a FIFO at a config path does not stop the API from answering, and SIGTERM stops it', async (t) => {
  const fake = fakeHome(t);
  mkdirSync(path.dirname(fake.claudeDesktop), { recursive: true });
  execFileSync('mkfifo', [fake.claudeDesktop]);
  const served = await startServe(t, { fake, timeoutMs: 15_000 });

  const health = await served.request('GET', '/health');
  assert.equal(health.status, 200);
  const alerts = await served.request<{ items: { type: string; title: string }[] }>('GET', '/alerts');
  assert.ok(alerts.json.items.some((a) => a.type === 'config_unreadable' && FIFO.test(a.title)), JSON.stringify(alerts.json));
  // A scan on demand reads every config again, the FIFO included, and answers.
  const scanned = await served.request<{ configs: number }>('POST', '/scan');
  assert.equal(scanned.status, 200);
  assert.ok(scanned.json.configs >= 1);

  const stoppedAt = Date.now();
  const code = await served.stop();
  assert.equal(code, 0);
  assert.ok(Date.now() - stoppedAt < 5_000, 'serve exited promptly on SIGTERM');
});

test('held (red team): a config whose folder is a link into a repository holding a FIFO is named as the FIFO, at once', async (t) => {
  const { fake, env } = setup(t);
  const repo = tempDir(t, 'mcp-warden-hostile-repo-');
  execFileSync('mkfifo', [path.join(repo, 'claude_desktop_config.json')]);
  execFileSync('rm', ['-rf', path.dirname(fake.claudeDesktop)]);
  symlinkSync(repo, path.dirname(fake.claudeDesktop));
  const { json } = await scanJson(env);
  const config = json.configs.find((c) => c.path === fake.claudeDesktop);
  assert.equal(config?.state, 'unreadable');
  assert.match(config?.error?.message ?? '', new RegExp(`it is a link to ${path.join(repo, 'claude_desktop_config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, a named pipe \\(FIFO\\), not a regular file`));
});
