/**
 * What every client module exports: where that client keeps its MCP config files. Pure functions of
 * the PlatformEnv passed in, so each platform's answer is unit-tested on any platform.
 */
import type { ClientId, ConfigLocation, PlatformEnv } from '../api/discovery.ts';

export interface ClientDefinition {
  id: ClientId;
  displayName: string;
  /** Every candidate file, existing or not: the watcher also watches for files that appear later. */
  locations(where: PlatformEnv): ConfigLocation[];
  /**
   * Extra locations named inside a parsed user config (Claude Code lists its projects in
   * ~/.claude.json; each may hold a `.mcp.json`). Absent for clients without project scope.
   */
  projectLocations?(projectPaths: readonly string[]): ConfigLocation[];
}
