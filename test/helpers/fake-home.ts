import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { PlatformEnv } from '../../core/api/discovery.ts';
import { tempDir } from './cli.ts';

/** A home directory for client configs, isolated from the real one, and the env that points at it. */
export function fakeHome(t: TestContext): { home: string; where: PlatformEnv; env: Record<string, string | undefined>; claudeDesktop: string } {
  const home = tempDir(t, 'mcp-warden-fakehome-');
  const env = { HOME: home, XDG_CONFIG_HOME: undefined, CLAUDE_CONFIG_DIR: undefined, APPDATA: undefined };
  return {
    home,
    env,
    where: { platform: 'linux', homedir: home, env: { HOME: home } },
    claudeDesktop: path.join(home, '.config', 'Claude', 'claude_desktop_config.json'),
  };
}

/** Writes JSON the way editors save: to a temporary file in the same folder, renamed over the target. */
export function writeByRename(file: string, content: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  writeFileSync(tmp, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  renameSync(tmp, file);
}

/** A real-looking Claude Desktop config: UI preferences next to mcpServers. */
export function claudeDesktopConfig(mcpServers: Record<string, unknown>): Record<string, unknown> {
  return {
    globalShortcut: 'Alt+Space',
    isUsingBuiltInNodeForMcp: true,
    preferences: { menuBarEnabled: false, quickEntryShortcut: 'off' },
    mcpServers,
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
