import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_IDS, type ConfigLocation, type PlatformEnv } from '../../core/api/discovery.ts';
import { allLocations, CLIENT_NAMES, CLIENTS, claudeCodeProjectLocations, projectLocations } from '../../core/discovery/clients/index.ts';

const linux: PlatformEnv = { platform: 'linux', homedir: '/home/ada', env: {} };
const darwin: PlatformEnv = { platform: 'darwin', homedir: '/Users/ada', env: {} };
const win32: PlatformEnv = { platform: 'win32', homedir: 'C:\\Users\\ada', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } };

/** Each location as `client format scope path`, so one deepEqual shows the whole picture. */
const lines = (locations: ConfigLocation[]): string[] => locations.map((l) => `${l.client} ${l.format} ${l.scope} ${l.path}`);

test('every client is defined once, in CLIENT_IDS order, with a display name', () => {
  assert.deepEqual(
    CLIENTS.map((c) => c.id),
    [...CLIENT_IDS],
  );
  assert.deepEqual(CLIENT_NAMES, {
    'claude-desktop': 'Claude Desktop',
    'claude-code': 'Claude Code',
    cursor: 'Cursor',
    vscode: 'VS Code',
    windsurf: 'Windsurf',
    'gemini-cli': 'Gemini CLI',
    cline: 'Cline',
  });
});

test('Linux locations, without XDG_CONFIG_HOME', () => {
  assert.deepEqual(lines(allLocations(linux)), [
    'claude-desktop mcpServers user /home/ada/.config/Claude/claude_desktop_config.json',
    'claude-desktop mcpServers user /home/ada/.config/claude/claude_desktop_config.json',
    'claude-code claude-code user /home/ada/.claude.json',
    'cursor mcpServers user /home/ada/.cursor/mcp.json',
    'vscode vscode-mcp user /home/ada/.config/Code/User/mcp.json',
    'vscode vscode-settings user /home/ada/.config/Code/User/settings.json',
    'windsurf mcpServers user /home/ada/.codeium/windsurf/mcp_config.json',
    'gemini-cli mcpServers user /home/ada/.gemini/settings.json',
    'cline mcpServers user /home/ada/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
  ]);
});

test('Linux locations follow XDG_CONFIG_HOME and CLAUDE_CONFIG_DIR', () => {
  const where: PlatformEnv = { ...linux, env: { XDG_CONFIG_HOME: '/xdg', CLAUDE_CONFIG_DIR: '/home/ada/claude-cfg' } };
  assert.deepEqual(lines(allLocations(where)), [
    'claude-desktop mcpServers user /xdg/Claude/claude_desktop_config.json',
    'claude-desktop mcpServers user /xdg/claude/claude_desktop_config.json',
    'claude-code claude-code user /home/ada/claude-cfg/.claude.json',
    'cursor mcpServers user /home/ada/.cursor/mcp.json',
    'vscode vscode-mcp user /xdg/Code/User/mcp.json',
    'vscode vscode-settings user /xdg/Code/User/settings.json',
    'windsurf mcpServers user /home/ada/.codeium/windsurf/mcp_config.json',
    'gemini-cli mcpServers user /home/ada/.gemini/settings.json',
    'cline mcpServers user /xdg/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
  ]);
});

test('empty or relative directory variables are ignored', () => {
  for (const env of [{ XDG_CONFIG_HOME: '', CLAUDE_CONFIG_DIR: '' }, { XDG_CONFIG_HOME: 'rel/xdg', CLAUDE_CONFIG_DIR: 'rel/claude' }]) {
    assert.deepEqual(lines(allLocations({ ...linux, env })), lines(allLocations(linux)), JSON.stringify(env));
  }
  const noAppData = lines(allLocations({ ...win32, env: { APPDATA: '' } }));
  assert.deepEqual(noAppData, lines(allLocations(win32)), 'an empty APPDATA falls back to <home>\\AppData\\Roaming');
});

test('macOS locations', () => {
  // XDG_CONFIG_HOME is a Linux convention: a macOS user who sets it for other tools does not move these apps' files.
  assert.deepEqual(lines(allLocations({ ...darwin, env: { XDG_CONFIG_HOME: '/xdg' } })), [
    'claude-desktop mcpServers user /Users/ada/Library/Application Support/Claude/claude_desktop_config.json',
    'claude-code claude-code user /Users/ada/.claude.json',
    'cursor mcpServers user /Users/ada/.cursor/mcp.json',
    'vscode vscode-mcp user /Users/ada/Library/Application Support/Code/User/mcp.json',
    'vscode vscode-settings user /Users/ada/Library/Application Support/Code/User/settings.json',
    'windsurf mcpServers user /Users/ada/.codeium/windsurf/mcp_config.json',
    'gemini-cli mcpServers user /Users/ada/.gemini/settings.json',
    'cline mcpServers user /Users/ada/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json',
  ]);
  assert.equal(lines(allLocations({ ...darwin, env: { CLAUDE_CONFIG_DIR: '/Users/ada/.cc' } }))[1], 'claude-code claude-code user /Users/ada/.cc/.claude.json');
});

test('Windows locations, with APPDATA set and with it unset', () => {
  const expected = [
    'claude-desktop mcpServers user D:\\Roaming\\Claude\\claude_desktop_config.json',
    'claude-code claude-code user C:\\Users\\ada\\.claude.json',
    'cursor mcpServers user C:\\Users\\ada\\.cursor\\mcp.json',
    'vscode vscode-mcp user D:\\Roaming\\Code\\User\\mcp.json',
    'vscode vscode-settings user D:\\Roaming\\Code\\User\\settings.json',
    'windsurf mcpServers user C:\\Users\\ada\\.codeium\\windsurf\\mcp_config.json',
    'gemini-cli mcpServers user C:\\Users\\ada\\.gemini\\settings.json',
    'cline mcpServers user D:\\Roaming\\Code\\User\\globalStorage\\saoudrizwan.claude-dev\\settings\\cline_mcp_settings.json',
  ];
  assert.deepEqual(lines(allLocations({ ...win32, env: { APPDATA: 'D:\\Roaming' } })), expected);
  const fallback = lines(allLocations({ ...win32, env: {} }));
  assert.deepEqual(
    fallback,
    expected.map((l) => l.replace('D:\\Roaming', 'C:\\Users\\ada\\AppData\\Roaming')),
  );
  assert.equal(
    lines(allLocations({ ...win32, env: { CLAUDE_CONFIG_DIR: 'E:\\claude' } }))[1],
    'claude-code claude-code user E:\\claude\\.claude.json',
  );
});

test('Claude Code project locations: <project>/.mcp.json for each absolute project path', () => {
  const paths = ['/home/ada/code/web-app', '/home/ada/code/web-app/', 'C:/Users/ada/repo', 'D:\\work\\api', '\\\\nas\\share\\proj', 'relative/dir', ''];
  const expected = [
    'claude-code mcpServers project /home/ada/code/web-app/.mcp.json',
    'claude-code mcpServers project C:\\Users\\ada\\repo\\.mcp.json',
    'claude-code mcpServers project D:\\work\\api\\.mcp.json',
    'claude-code mcpServers project \\\\nas\\share\\proj\\.mcp.json',
  ];
  assert.deepEqual(lines(claudeCodeProjectLocations(paths)), expected);
  assert.deepEqual(lines(projectLocations(paths)), expected, 'the index asks every client with a project scope');
  assert.deepEqual(projectLocations([]), []);
});

test('a Claude Code project path holding a NUL names no config', async () => {
  const { claudeCodeProjectLocations } = await import('../../core/discovery/clients/claude-code.ts');
  assert.deepEqual(claudeCodeProjectLocations(['/nowhere\u0000x', '/repo']).map((l) => l.path), ['/repo/.mcp.json']);
});
