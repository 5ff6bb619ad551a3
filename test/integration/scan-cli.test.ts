import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { cli, tempDir, type CliResult } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

const TOKEN = `ghp_${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6'}`;

test('scan: baseline, new server, approval, drift, revert, removal, broken file, SARIF and exit codes', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  const outputs: CliResult[] = [];
  const run = (...args: string[]) => {
    const r = cli(['--home', home, ...args], { env });
    outputs.push(r);
    return r;
  };
  const json = <T>(...args: string[]): T => JSON.parse(run(...args, '--json').stdout) as T;
  const openAlerts = () => json<{ alerts: Alert[] }>('alerts').alerts;

  writeByRename(claudeDesktop, claudeDesktopConfig({
    files: { command: 'sh', args: ['-c', 'exec cat'] },
    github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN } },
  }));

  // First scan: the baseline. Servers registered as discovered, one info alert, plus hygiene findings.
  const first = run('scan', '--json');
  assert.equal(first.code, 3, 'a plaintext secret is a high finding');
  const report = JSON.parse(first.stdout) as { configs: { client: string; path: string; state: string; servers: { name: string; status: string }[] }[]; findings: { type: string; severity: string }[] };
  assert.deepEqual(report.configs.map((c) => [c.client, c.path, c.state]), [['claude-desktop', claudeDesktop, 'ok']]);
  assert.deepEqual(report.configs[0]?.servers.map((s) => [s.name, s.status]), [['files', 'discovered'], ['github', 'discovered']]);
  assert.deepEqual(report.findings.map((f) => [f.type, f.severity]).sort(), [['plaintext_secret', 'high'], ['servers_to_review', 'info']]);
  let alerts = openAlerts();
  assert.deepEqual(alerts.map((a) => a.type).sort(), ['plaintext_secret', 'servers_to_review']);
  assert.match(alerts.find((a) => a.type === 'servers_to_review')?.title ?? '', /^2 MCP servers found in Claude Desktop \(.+\): review and approve them$/);
  assert.match(alerts.find((a) => a.type === 'plaintext_secret')?.title ?? '', /env\.GITHUB_TOKEN/);

  // Scanning again changes nothing: the same conditions never raise a second alert.
  const again = run('scan');
  assert.equal(again.code, 3);
  assert.match(again.stdout, /Claude Desktop: .*claude_desktop_config\.json \(2 servers\)/);
  assert.deepEqual(openAlerts().map((a) => a.id), alerts.map((a) => a.id));

  // A server added after the baseline: high, until approved.
  writeByRename(claudeDesktop, claudeDesktopConfig({
    files: { command: 'sh', args: ['-c', 'exec cat'] },
    github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN } },
    newcomer: { command: 'sh', args: ['-c', 'true'] },
  }));
  run('scan');
  const unapproved = openAlerts().filter((a) => a.type === 'unapproved_server');
  assert.equal(unapproved.length, 1);
  assert.equal(unapproved[0]?.severity, 'high');
  assert.equal(unapproved[0]?.server_name, 'newcomer');
  const approved = run('mcp', 'approve', 'newcomer');
  assert.equal(approved.code, 0, approved.stderr);
  assert.match(approved.stdout, /Approved server "newcomer" \(was discovered\)\./);
  assert.equal(openAlerts().filter((a) => a.type === 'unapproved_server').length, 0);
  const resolvedOne = json<{ alerts: Alert[] }>('alerts', '--state', 'resolved').alerts.find((a) => a.id === unapproved[0]?.id);
  assert.equal(resolvedOne?.resolved_reason, 'the server was approved or left the config');

  // Changed args: high, with the before/after; reverting resolves it automatically.
  writeByRename(claudeDesktop, claudeDesktopConfig({
    files: { command: 'sh', args: ['-c', 'exec cat /etc/passwd'] },
    github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN, EXTRA: '1' } },
    newcomer: { command: 'sh', args: ['-c', 'true'] },
  }));
  run('scan');
  alerts = openAlerts();
  const launch = alerts.find((a) => a.type === 'launch_changed');
  assert.equal(launch?.severity, 'high');
  assert.equal(launch?.server_name, 'files');
  assert.deepEqual(launch?.details.fields, { args: { before: ['-c', 'exec cat'], after: ['-c', 'exec cat /etc/passwd'] } });
  const envChanged = alerts.find((a) => a.type === 'env_changed');
  assert.equal(envChanged?.severity, 'medium');
  assert.deepEqual([envChanged?.details.added, envChanged?.details.removed], [['EXTRA'], []]);

  writeByRename(claudeDesktop, claudeDesktopConfig({
    files: { command: 'sh', args: ['-c', 'exec cat'] },
    github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN } },
    newcomer: { command: 'sh', args: ['-c', 'true'] },
  }));
  run('scan');
  const resolved = json<{ alerts: Alert[] }>('alerts', '--state', 'resolved').alerts;
  assert.equal(resolved.find((a) => a.id === launch?.id)?.resolved_reason, 'the entry matches the approved definition again');
  assert.equal(resolved.find((a) => a.id === envChanged?.id)?.resolved_reason, 'the environment variable names match the approved definition again');

  // Removed from the config: low.
  writeByRename(claudeDesktop, claudeDesktopConfig({ files: { command: 'sh', args: ['-c', 'exec cat'] }, github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN } } }));
  run('scan');
  const removed = openAlerts().find((a) => a.type === 'server_removed');
  assert.deepEqual([removed?.severity, removed?.server_name], ['low', 'newcomer']);

  // A broken file: one medium alert naming line and column; the registry is untouched.
  const registry = databaseChecksum(home, ['servers', 'agent_servers', 'server_secret_refs']);
  writeFileSync(claudeDesktop, '{\n  "mcpServers": {\n    "files": { "command": "sh" \n');
  const broken = run('scan', '--json');
  const parseAlert = openAlerts().find((a) => a.type === 'config_parse_error');
  assert.equal(parseAlert?.severity, 'medium');
  assert.match(parseAlert?.title ?? '', /claude_desktop_config\.json cannot be parsed: .+ at line 4, column 1$/);
  assert.equal(databaseChecksum(home, ['servers', 'agent_servers', 'server_secret_refs']), registry, 'the registry did not change');
  assert.equal(json<{ servers: ServerDefinition[] }>('mcp', 'list').servers.length, 3);
  assert.equal((JSON.parse(broken.stdout) as { configs: { state: string }[] }).configs[0]?.state, 'unparseable');
  run('scan');
  assert.equal(openAlerts().filter((a) => a.type === 'config_parse_error').length, 1, 'once per distinct content');

  writeByRename(claudeDesktop, claudeDesktopConfig({ files: { command: 'sh', args: ['-c', 'exec cat'] }, github: { command: 'sh', args: ['-c', 'exit 0'], env: { GITHUB_TOKEN: TOKEN } } }));
  const sarifFile = path.join(home, 'findings.sarif');
  run('scan', '--sarif', sarifFile);
  assert.equal(openAlerts().filter((a) => a.type === 'config_parse_error').length, 0, 'resolved once the file parses');
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
  assert.equal(sarif.version, '2.1.0');
  assert.deepEqual(sarif.runs[0]?.results.map((r) => [r.ruleId, r.level]).sort(), [['plaintext_secret', 'error'], ['server_removed', 'note'], ['servers_to_review', 'note']]);

  // The secret from the config is nowhere in the data directory, nor in any output.
  for (const entry of readdirSync(home, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(home, entry);
    if (statSync(file).isFile()) assert.ok(!readFileSync(file).includes(TOKEN), `${entry} holds the plaintext token`);
  }
  for (const output of outputs) assert.ok(!output.stdout.includes(TOKEN) && !output.stderr.includes(TOKEN), 'an output holds the token');
  const github = json<{ server: ServerDefinition }>('mcp', 'show', 'github').server;
  assert.match(github.env_template[0]?.value ?? '', /^\[redacted:[0-9a-f]{16}\]$/);

  const verified = run('audit', 'verify');
  assert.equal(verified.code, 0, verified.stderr);
  const types = new Set(json<{ events: { type: string }[] }>('audit').events.map((e) => e.type));
  for (const type of ['server.discovered', 'server.approved', 'alert.opened', 'alert.resolved']) assert.ok(types.has(type), `audit has ${type}`);
});

test('scan exits 0 when nothing is high, and the alert-only policy registers nothing new', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  writeByRename(claudeDesktop, claudeDesktopConfig({ files: { command: 'sh', args: ['-c', 'exec cat'] } }));
  const clean = cli(['--home', home, 'scan'], { env });
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(cli(['--home', home, 'settings', 'set', 'new-server-policy', 'alert'], { env }).code, 0);
  const bad = cli(['--home', home, 'settings', 'set', 'new-server-policy', 'sometimes'], { env });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'mcp-warden: The setting new-server-policy takes register or alert, not "sometimes".\n');

  writeByRename(claudeDesktop, claudeDesktopConfig({ files: { command: 'sh', args: ['-c', 'exec cat'] }, stranger: { url: 'https://mcp.stranger.example/mcp' } }));
  const scanned = cli(['--home', home, 'scan', '--json'], { env });
  assert.equal(scanned.code, 3);
  const alerts = (JSON.parse(cli(['--home', home, 'alerts', '--json'], { env }).stdout) as { alerts: Alert[] }).alerts;
  const unregistered = alerts.find((a) => a.type === 'unregistered_server');
  assert.equal(unregistered?.severity, 'high');
  assert.match(unregistered?.title ?? '', /Unregistered MCP server "stranger" appeared in Claude Desktop/);
  const names = (JSON.parse(cli(['--home', home, 'mcp', 'list', '--json'], { env }).stdout) as { servers: ServerDefinition[] }).servers.map((s) => s.name);
  assert.deepEqual(names, ['files']);
});
