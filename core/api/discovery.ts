/**
 * The discovery contract: where clients keep MCP configs, and what a parsed config says. Client
 * modules in core/discovery/clients/ produce these; the scanner, CLI, REST API and UI consume them.
 */
import type { Transport } from './server.ts';

export const CLIENT_IDS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf', 'gemini-cli', 'cline'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** The platform and environment paths are computed from, so every OS is testable on any OS. */
export interface PlatformEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
}

/** How a config file lays out its servers. */
export type ConfigFormat =
  | 'mcpServers' // { "mcpServers": { name: entry } }: Claude Desktop, Cursor, Windsurf, Gemini CLI, Cline, .mcp.json
  | 'claude-code' // ~/.claude.json: top-level mcpServers and projects.<path>.mcpServers
  | 'vscode-mcp' // VS Code <user>/mcp.json: { "servers": { name: entry } }
  | 'vscode-settings'; // VS Code settings.json: { "mcp": { "servers": { name: entry } } }

export interface ConfigLocation {
  client: ClientId;
  /** Absolute path; the file may not exist (yet). */
  path: string;
  format: ConfigFormat;
  scope: 'user' | 'project';
}

/** One server entry of a config, normalised across clients. */
export interface DiscoveredServer {
  /** The entry's key in the config (`github`). */
  key: string;
  /** RFC 6901 JSON pointer to the entry (`/mcpServers/github`, `/projects/~1repo/mcpServers/github`): unique in the file. */
  pointer: string;
  transport: Transport;
  /** As written in the config (not resolved). */
  command: string | null;
  args: string[];
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  env: Record<string, string>;
  disabled: boolean;
}

export interface ConfigProblem {
  pointer: string;
  message: string;
}

export type ParseResult =
  | {
      ok: true;
      servers: DiscoveredServer[];
      /** Entries that could not be understood (wrong types...), skipped with a reason. */
      problems: ConfigProblem[];
      /** Claude Code only: project directories named in ~/.claude.json (whose .mcp.json may hold servers). */
      projectPaths: string[];
    }
  | { ok: false; error: { message: string; line: number; column: number } };
