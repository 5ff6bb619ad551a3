import path from 'node:path';
import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { envDir, inHome, isWindowsAbsolute, pathApi } from '../platform-paths.ts';

export const claudeCode: ClientDefinition = {
  id: 'claude-code',
  displayName: 'Claude Code',
  locations(where: PlatformEnv): ConfigLocation[] {
    const dir = envDir(where, 'CLAUDE_CONFIG_DIR');
    const file = dir === undefined ? inHome(where, '.claude.json') : pathApi(where).join(dir, '.claude.json');
    return [{ client: 'claude-code', path: file, format: 'claude-code', scope: 'user' }];
  },
  projectLocations: claudeCodeProjectLocations,
};

/**
 * The project-scope `.mcp.json` of each project directory named in ~/.claude.json
 * (ParseResult.projectPaths). The path's own form picks the path rules, not the platform running
 * the code: a drive letter (`C:\repo`, `C:/repo`) or UNC prefix means Windows, a leading `/` means
 * POSIX; anything else (a relative path) is dropped. A directory named twice (`/repo`, `/repo/`)
 * yields one location.
 */
export function claudeCodeProjectLocations(projectPaths: readonly string[]): ConfigLocation[] {
  const seen = new Set<string>();
  const out: ConfigLocation[] = [];
  for (const dir of projectPaths) {
    // No file system has a NUL in a path: such a "project" can never hold a config.
    if (dir.includes('\0')) continue;
    const p = isWindowsAbsolute(dir) ? path.win32 : dir.startsWith('/') ? path.posix : undefined;
    if (p === undefined) continue;
    const file = p.join(dir, '.mcp.json');
    if (seen.has(file)) continue;
    seen.add(file);
    out.push({ client: 'claude-code', path: file, format: 'mcpServers', scope: 'project' });
  }
  return out;
}

