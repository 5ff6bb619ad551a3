/**
 * Read side of the registry. Deliberately free of zod and validation code: `mcp list` is run by
 * scripts and must start fast.
 */
import type { ServerDefinition, ServerSource } from '../api/server.ts';
import { serverUrlOf } from '../api/server.ts';
import type { Db } from '../store/database.ts';
import { notFound } from '../api/errors.ts';
import { stmt } from '../store/statements.ts';

/** The JSON-encoded columns of a server row; the rest are stored as they are. */
type JsonColumns = 'args' | 'headers' | 'env_template' | 'capabilities' | 'source' | 'allowed_rules';
/**
 * A declared server is stored as status 'approved' with `declared = 1` (migration 4 explains why),
 * and a pending one as status 'discovered' with a manual source (a pair nothing else writes, so no
 * migration is needed, and a query that reads the column alone still sees a server nobody
 * approved); this and `toRow` in register.ts are the only two places that know.
 */
export type ServerRow = Omit<ServerDefinition, JsonColumns | 'server_url' | 'status'> & Record<JsonColumns, string> & { status: 'discovered' | 'approved'; declared: number };

export function rowToServer(row: ServerRow): ServerDefinition {
  const source = JSON.parse(row.source) as ServerSource;
  return {
    id: row.id,
    name: row.name,
    display_name: row.display_name,
    description: row.description,
    transport: row.transport,
    command: row.command,
    args: JSON.parse(row.args) as string[],
    cwd: row.cwd,
    url: row.url,
    headers: JSON.parse(row.headers) as Record<string, string>,
    env_template: JSON.parse(row.env_template) as ServerDefinition['env_template'],
    capabilities: JSON.parse(row.capabilities) as string[],
    server_url: serverUrlOf(row),
    source,
    fingerprint: row.fingerprint,
    status: row.declared === 1 ? 'declared' : row.status === 'discovered' && source.kind === 'manual' ? 'pending' : row.status,
    command_sha256: row.command_sha256,
    allowed_rules: JSON.parse(row.allowed_rules) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function listServers(db: Db): ServerDefinition[] {
  return stmt<[], ServerRow>(db, 'SELECT * FROM servers ORDER BY name').all().map(rowToServer);
}

/** Finds a server by name (case-insensitive) or by id. */
export function findServer(db: Db, nameOrId: string): ServerDefinition | undefined {
  const row = stmt<[string, string], ServerRow>(db, 'SELECT * FROM servers WHERE name = ? OR id = ?').get(nameOrId, nameOrId);
  return row === undefined ? undefined : rowToServer(row);
}

export function getServer(db: Db, nameOrId: string): ServerDefinition {
  const server = findServer(db, nameOrId);
  if (server === undefined) throw notFound(`No server named "${nameOrId}" is registered.`, 'name');
  return server;
}
