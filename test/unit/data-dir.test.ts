import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../core/home/data-dir.ts';

test('the data directory follows each platform, MCP_WARDEN_HOME and --home', () => {
  const linux = { platform: 'linux' as const, homedir: '/home/ada', env: {} };
  assert.equal(resolveDataDir(linux), '/home/ada/.config/mcp-warden');
  assert.equal(resolveDataDir({ ...linux, env: { XDG_CONFIG_HOME: '/xdg' } }), '/xdg/mcp-warden');
  assert.equal(resolveDataDir({ ...linux, env: { XDG_CONFIG_HOME: '' } }), '/home/ada/.config/mcp-warden', 'an empty variable is ignored');
  assert.equal(resolveDataDir({ platform: 'darwin', homedir: '/Users/ada', env: {} }), '/Users/ada/Library/Application Support/mcp-warden');
  assert.equal(resolveDataDir({ platform: 'win32', homedir: 'C:\\Users\\ada', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } }), 'C:\\Users\\ada\\AppData\\Roaming\\mcp-warden');
  assert.equal(resolveDataDir({ platform: 'win32', homedir: 'C:\\Users\\ada', env: {} }), 'C:\\Users\\ada\\AppData\\Roaming\\mcp-warden');
  assert.equal(resolveDataDir({ ...linux, env: { MCP_WARDEN_HOME: '/data/warden' } }), '/data/warden');
  assert.equal(resolveDataDir({ ...linux, env: { MCP_WARDEN_HOME: '/data/warden' } }, '/override'), '/override', '--home wins over the variable');
  assert.equal(resolveDataDir(linux, 'relative/dir'), path.resolve('relative/dir'), 'a relative --home is made absolute');
});
