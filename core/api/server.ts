/**
 * The server definition contract: the one place its shape is declared. CLI, REST, IPC and the
 * renderer import these types; validation lives in `server-schema.ts` so that read-only paths
 * (`mcp list`) never load zod.
 */
export const TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface EnvVar {
  key: string;
  /** Plain text, or text holding `{{secret:NAME}}` handles resolved only at launch. */
  value: string;
}

export type ServerSource =
  | { kind: 'manual' }
  /** `key` is the entry's key in the config; `pointer` the RFC 6901 pointer to it, unique in the file. */
  | { kind: 'discovered'; client: string; config_path: string; key: string; pointer: string };

export type ServerStatus = 'discovered' | 'pending' | 'approved' | 'declared';

/** What a user submits to register a server. */
export interface ServerInput {
  name: string;
  transport: Transport;
  display_name?: string | undefined;
  description?: string | undefined;
  command?: string | undefined;
  args?: string[] | undefined;
  cwd?: string | undefined;
  url?: string | undefined;
  headers?: Record<string, string> | undefined;
  env_template?: EnvVar[] | undefined;
  capabilities?: string[] | undefined;
}

/** A registered server: a blueprint. Registering spawns nothing and connects to nothing. */
export interface ServerDefinition {
  id: string;
  name: string;
  display_name: string;
  description: string;
  transport: Transport;
  /** Absolute path of the executable, resolved at registration (stdio only). */
  command: string | null;
  args: string[];
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  env_template: EnvVar[];
  capabilities: string[];
  /** `stdio://<name>` or the http(s) URL. */
  server_url: string;
  source: ServerSource;
  /** SHA-256 (hex) of the launch fingerprint: transport, command, args, cwd, URL, header and env key names. */
  fingerprint: string;
  /**
   * `discovered`: found in a client config, not yet approved; `pending`: its command line, or a URL
   * its headers send keychain secrets to, came in through the API (registered or changed there) and
   * waits for a person to confirm it
   * (core/probe/consent.ts); `approved`: registered by hand or approved; `declared`: registered by
   * name and capabilities only (no command yet), matched as soon as a client config lists a server
   * of that name.
   */
  status: ServerStatus;
  /** SHA-256 of the resolved executable when registered or approved (stdio only). */
  command_sha256: string | null;
  /** Content-scan rule ids silenced for this server (core/content-scan). */
  allowed_rules: string[];
  created_at: string;
  updated_at: string;
}

export function serverUrlOf(def: Pick<ServerDefinition, 'transport' | 'name' | 'url'>): string {
  return def.transport === 'stdio' ? `stdio://${def.name}` : (def.url ?? '');
}
