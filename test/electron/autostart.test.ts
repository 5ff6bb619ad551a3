// Start at login: the XDG autostart desktop entry on Linux (a real file in a temp HOME) and the
// login-items port on macOS and Windows.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { autostartExecutable, desktopEntry, isAutostartEnabled, linuxAutostartFile, quoteExecArg, setAutostart, type AutostartWhere } from '../../electron/main/autostart.ts';
import type { LoginItemsPort } from '../../electron/main/ports.ts';
import { tempDir } from '../helpers/cli.ts';

function fakeLoginItems(): LoginItemsPort & { calls: boolean[] } {
  let enabled = false;
  const calls: boolean[] = [];
  return { calls, get: () => enabled, set: (value) => (calls.push(value), (enabled = value)) };
}

test('Linux: enabling writes ~/.config/autostart/mcp-warden.desktop, disabling removes it', (t) => {
  const home = tempDir(t);
  const where: AutostartWhere = { platform: 'linux', env: {}, homedir: home, executable: '/opt/MCP Warden/mcp-warden', args: ['--hidden'] };
  const items = fakeLoginItems();
  const file = path.join(home, '.config', 'autostart', 'mcp-warden.desktop');
  assert.equal(linuxAutostartFile(where), file);
  assert.equal(isAutostartEnabled(where, items), false);

  setAutostart(where, true, items);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\n/);
  assert.match(text, /^Type=Application$/m);
  assert.match(text, /^Exec="\/opt\/MCP Warden\/mcp-warden" --hidden$/m, 'the path with a space is quoted');
  assert.equal(isAutostartEnabled(where, items), true);
  assert.deepEqual(readdirSync(path.dirname(file)), ['mcp-warden.desktop'], 'no temporary file left behind');
  assert.deepEqual(items.calls, [], 'login items are not used on Linux');

  // The desktop's own settings may switch the entry off without deleting it.
  writeFileSync(file, text.replace('X-GNOME-Autostart-enabled=true', 'X-GNOME-Autostart-enabled=false'));
  assert.equal(isAutostartEnabled(where, items), false);

  setAutostart(where, false, items);
  assert.equal(existsSync(file), false);
  setAutostart(where, false, items); // already off: no error
});

test('Linux: an absolute XDG_CONFIG_HOME is used; a relative one is ignored, as the spec says', (t) => {
  const home = tempDir(t);
  const config = path.join(home, 'xdg');
  const where: AutostartWhere = { platform: 'linux', env: { XDG_CONFIG_HOME: config }, homedir: home, executable: '/usr/bin/mcp-warden' };
  setAutostart(where, true, fakeLoginItems());
  assert.ok(existsSync(path.join(config, 'autostart', 'mcp-warden.desktop')));
  assert.equal(linuxAutostartFile({ env: { XDG_CONFIG_HOME: 'relative' }, homedir: home }), path.join(home, '.config', 'autostart', 'mcp-warden.desktop'));
});

test('Exec quoting follows the Desktop Entry spec; an AppImage autostarts its own file', () => {
  assert.equal(quoteExecArg('/usr/bin/mcp-warden'), '/usr/bin/mcp-warden');
  assert.equal(quoteExecArg('/home/a b/x'), '"/home/a b/x"');
  assert.equal(quoteExecArg('/tmp/$HOME"`\\'), '"/tmp/\\$HOME\\"\\`\\\\"');
  assert.equal(quoteExecArg('100%'), '100%%', 'a percent sign would start a field code');
  assert.match(desktopEntry({ executable: '/e', args: ['/project dir', '--hidden'] }), /^Exec=\/e "\/project dir" --hidden$/m);
  assert.equal(autostartExecutable('/tmp/.mount_abc/mcp-warden', { APPIMAGE: '/home/u/MCP-Warden.AppImage' }), '/home/u/MCP-Warden.AppImage');
  assert.equal(autostartExecutable('/opt/mcp-warden/mcp-warden', {}), '/opt/mcp-warden/mcp-warden');
});

test('macOS and Windows: the login-items port, no file', (t) => {
  const home = tempDir(t);
  for (const platform of ['darwin', 'win32'] as const) {
    const items = fakeLoginItems();
    const where: AutostartWhere = { platform, env: {}, homedir: home, executable: '/Applications/MCP Warden.app' };
    setAutostart(where, true, items);
    assert.equal(isAutostartEnabled(where, items), true);
    setAutostart(where, false, items);
    assert.deepEqual(items.calls, [true, false], platform);
    assert.equal(existsSync(path.join(home, '.config')), false, 'nothing written under HOME');
  }
});
