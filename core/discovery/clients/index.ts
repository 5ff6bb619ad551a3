import type { ClientId, ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { claudeCode } from './claude-code.ts';
import { claudeDesktop } from './claude-desktop.ts';
import { cline } from './cline.ts';
import { cursor } from './cursor.ts';
import { geminiCli } from './gemini-cli.ts';
import { vscode } from './vscode.ts';
import { windsurf } from './windsurf.ts';

/** Every supported client, in the order of CLIENT_IDS. */
export const CLIENTS: readonly ClientDefinition[] = [claudeDesktop, claudeCode, cursor, vscode, windsurf, geminiCli, cline];

/** Every user-scope config location of every client (project scopes come from parsed configs). */
export function allLocations(where: PlatformEnv): ConfigLocation[] {
  return CLIENTS.flatMap((client) => client.locations(where));
}

/** Each client's name as shown to users. */
export const CLIENT_NAMES: Readonly<Record<ClientId, string>> = Object.fromEntries(CLIENTS.map((c) => [c.id, c.displayName])) as Record<ClientId, string>;

/** The project-scope configs named by a parsed user config (today only Claude Code's `projects`). */
export function projectLocations(projectPaths: readonly string[]): ConfigLocation[] {
  return CLIENTS.flatMap((client) => client.projectLocations?.(projectPaths) ?? []);
}

export { claudeCodeProjectLocations } from './claude-code.ts';
