import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

test('a server registered by hand and linked to a client is checked against its definition, not discovered', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  const run = (...args: string[]) => cli(['--home', home, ...args], { env });
  const json = <T>(...args: string[]) => JSON.parse(run(...args, '--json').stdout) as T;
  writeByRename(claudeDesktop, claudeDesktopConfig({ other: { command: 'sh', args: ['-c', 'true'] } }));
  assert.equal(run('scan').code, 0);

  assert.equal(run('mcp', 'add', 'notes', 'stdio', '--command', 'sh', '--args', '-c,exec cat', '--env', 'LOG=1').code, 0);
  const linked = run('mcp', 'link', 'notes', '--client', 'claude-desktop', '--key', 'my-notes');
  assert.equal(linked.code, 0, linked.stderr);
  assert.equal(linked.stdout, `Linked "notes" to claude-desktop (${claudeDesktop}, entry /mcpServers/my-notes): that entry is now checked against this definition.\n`);
  assert.deepEqual(json<{ alerts: Alert[] }>('alerts').alerts.map((a) => a.type), ['servers_to_review'], 'linking before the entry exists raises nothing');

  // The user adds the entry as declared: no new server, no alert.
  writeByRename(claudeDesktop, claudeDesktopConfig({ other: { command: 'sh', args: ['-c', 'true'] }, 'my-notes': { command: 'sh', args: ['-c', 'exec cat'], env: { LOG: '2' } } }));
  assert.equal(run('scan').code, 0);
  assert.deepEqual(json<{ servers: ServerDefinition[] }>('mcp', 'list').servers.map((s) => [s.name, s.status]), [['notes', 'approved'], ['other', 'discovered']]);
  assert.deepEqual(json<{ alerts: Alert[] }>('alerts').alerts.map((a) => a.type), ['servers_to_review']);

  // The entry drifts from the definition: high, naming the hand-made server.
  writeByRename(claudeDesktop, claudeDesktopConfig({ other: { command: 'sh', args: ['-c', 'true'] }, 'my-notes': { command: 'sh', args: ['-c', 'exec cat /etc/shadow'], env: { LOG: '2' } } }));
  assert.equal(run('scan').code, 3);
  const drift = json<{ alerts: Alert[] }>('alerts').alerts.find((a) => a.type === 'launch_changed');
  assert.deepEqual([drift?.server_name, drift?.details.fields], ['notes', { args: { before: ['-c', 'exec cat'], after: ['-c', 'exec cat /etc/shadow'] } }]);

  for (const [args, code, message] of [
    [['mcp', 'link', 'notes', '--client', 'emacs'], 2, /^mcp-warden: Unknown client "emacs": use claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, cline\.\n$/],
    [['mcp', 'link', 'notes', '--client', 'claude-desktop', '--config', '/nowhere.json'], 1, /^mcp-warden: \/nowhere\.json is not a config file of claude-desktop: use /],
    [['mcp', 'link', 'other', '--client', 'claude-desktop'], 1, /^mcp-warden: "other" was found in .+, so it is linked to that config already: approve it with `mcp-warden mcp approve other`\.\n$/],
    [['mcp', 'link', 'notes'], 2, /required option '--client <client>' not specified/],
  ] as const) {
    const result = run(...args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  assert.ok(json<{ events: { type: string }[] }>('audit').events.some((e) => e.type === 'server.linked'));
});
