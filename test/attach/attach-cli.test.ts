import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

const SETTINGS = `// VS Code user settings
{
  "editor.fontSize": 14, // the user's own comment
  /* servers below */
  "mcp": {
    "servers": {}
  }
}
`;

test('mcp attach / detach through the CLI: a JSONC VS Code settings file keeps its comments, clients --json shows the attached server, errors exit 2 or 1 with one sentence', (t) => {
  const { env, home: userHome, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  const run = (...args: string[]) => cli(['--home', home, ...args], { env });
  const settings = path.join(userHome, '.config', 'Code', 'User', 'settings.json');
  writeByRename(settings, SETTINGS);
  writeByRename(claudeDesktop, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] } }));
  assert.equal(run('scan').code, 0);
  assert.equal(run('mcp', 'add', 'notes', 'stdio', '--command', 'sh', '--args', '-c,exec cat').code, 0);

  const attached = run('mcp', 'attach', 'notes', '--client', 'vscode', '--config', settings, '--json');
  assert.equal(attached.code, 0, attached.stderr);
  const result = (JSON.parse(attached.stdout) as { result: { changed: boolean; key: string; backup: string } }).result;
  assert.deepEqual([result.changed, result.key], [true, 'notes']);
  assert.equal(readFileSync(result.backup, 'utf8'), SETTINGS);
  const text = readFileSync(settings, 'utf8');
  for (const kept of ['// VS Code user settings\n', '"editor.fontSize": 14, // the user\'s own comment\n', '/* servers below */\n']) assert.ok(text.includes(kept), kept);
  assert.match(text, /"notes": \{\n {8}"type": "stdio",\n {8}"command": ".+",\n {8}"args": \[\n {10}".+bin\/mcp-warden\.mjs",\n {10}"--home",/);

  const clients = JSON.parse(run('clients', '--json').stdout) as { clients: { client: string; config_path: string; attached: { name: string }[] }[] };
  assert.deepEqual(clients.clients.map((c) => [c.client, c.config_path === settings ? 'settings' : path.basename(c.config_path), c.attached.map((a) => a.name)]).filter(([c]) => c !== 'claude-code'), [
    ['claude-desktop', 'claude_desktop_config.json', []],
    ['vscode', 'settings', ['notes']],
  ]);
  assert.match(run('clients').stdout, /ATTACHED[\s\S]*settings\.json +ok +1 +notes/);
  assert.equal(JSON.parse(run('alerts', '--json').stdout).alerts.filter((a: { type: string }) => a.type !== 'servers_to_review').length, 0, 'attach raised nothing');

  const again = run('mcp', 'attach', 'notes', '--client', 'vscode', '--config', settings);
  assert.equal(again.stdout, `"notes" is already attached in vscode (${settings}, entry "notes"): nothing was written.\n`);

  const detached = run('mcp', 'detach', 'notes', '--client', 'vscode', '--config', settings);
  assert.equal(detached.code, 0, detached.stderr);
  assert.match(detached.stdout, /^"notes" is a plain entry again in vscode \(.+, entry "notes"\)\. Backup of the previous file: .+settings\.json\.mcp-warden-backup-\d{8}T\d{9}Z(-\d+)?\.\n$/);
  const plain = readFileSync(settings, 'utf8');
  assert.ok(plain.startsWith('// VS Code user settings\n'));
  assert.match(plain, /"notes": \{\n {8}"type": "stdio",\n {8}"command": "\/.*sh",\n {8}"args": \[\n {10}"-c",\n {10}"exec cat"\n {8}\]\n {6}\}/);

  for (const [args, code, message] of [
    [['mcp', 'attach', 'notes', '--client', 'emacs'], 2, /^mcp-warden: Unknown client "emacs": use claude-desktop, claude-code, cursor, vscode, windsurf, gemini-cli, cline\.\n$/],
    [['mcp', 'attach', 'notes'], 2, /required option '--client <client>' not specified/],
    [['mcp', 'attach', 'nobody', '--client', 'vscode'], 1, /^mcp-warden: No server named "nobody" is registered\.\n$/],
    [['mcp', 'attach', 'found', '--client', 'claude-desktop'], 1, /^mcp-warden: "found" was discovered but never approved: approve it first with `mcp-warden mcp approve found`, then attach it\.\n$/],
    [['mcp', 'attach', 'notes', '--client', 'claude-desktop', '--key', 'found'], 1, /^mcp-warden: The entry "found" of .+ is already server "found", not "notes": choose another --key, or remove that entry first\.\n$/],
  ] as const) {
    const r = run(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const events = (JSON.parse(run('audit', '--json').stdout) as { events: { type: string }[] }).events.map((e) => e.type);
  assert.ok(events.includes('server.attached') && events.includes('server.detached'));
});
