/**
 * The `agents` table: one row per client config file MCP Warden has seen (the agent whose allowed
 * servers it lists). This module is the table's only reader and writer; callers hold the
 * transaction.
 */
import type { ClientId, ConfigLocation } from '../api/discovery.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

/** What a scan needs of a config it saw before. */
export interface ConfigFileState {
  id: string;
  state: string;
  content_sha256: string | null;
  baseline_at: string | null;
}

/** A config file as an agent (`/agents`). */
export interface ConfigFileRow {
  id: string;
  client: ClientId;
  config_path: string;
  format: ConfigLocation['format'];
  scope: ConfigLocation['scope'];
  state: 'ok' | 'missing' | 'unparseable';
  first_seen_at: string;
}

const COLUMNS = 'id, client, config_path, format, scope, state, first_seen_at';

export function configFileState(db: Db, agentId: string): ConfigFileState | undefined {
  return stmt<[string], ConfigFileState>(db, 'SELECT id, state, content_sha256, baseline_at FROM agents WHERE id = ?').get(agentId);
}

/** A scan's outcome for the file: its state and content hash, inserted on first sight. */
export function recordConfigFile(db: Db, location: ConfigLocation, id: string, state: { state: string; sha: string | null }, now: Date): void {
  stmt(db,
    `INSERT INTO agents (id, client, config_path, format, scope, state, content_sha256, first_seen_at, last_scan_at)
     VALUES (@id, @client, @path, @format, @scope, @state, @sha, @now, @now)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, content_sha256 = excluded.content_sha256, last_scan_at = excluded.last_scan_at`,
  ).run({ id, client: location.client, path: location.path, format: location.format, scope: location.scope, state: state.state, sha: state.sha, now: now.toISOString() });
}

/** The first complete scan of a file: what it listed then is its baseline (not alerted on). */
export function markBaseline(db: Db, agentId: string, now: Date): void {
  stmt(db, 'UPDATE agents SET baseline_at = ? WHERE id = ?').run(now.toISOString(), agentId);
}

/** A config about to get an entry by hand (link, attach): recorded as missing until a scan reads it. */
export function ensureConfigFile(db: Db, agentId: string, location: ConfigLocation, now: Date): void {
  stmt(db,
    `INSERT INTO agents (id, client, config_path, format, scope, state, content_sha256, first_seen_at, last_scan_at)
     VALUES (?, ?, ?, ?, ?, 'missing', NULL, ?, ?) ON CONFLICT (id) DO NOTHING`,
  ).run(agentId, location.client, location.path, location.format, location.scope, now.toISOString(), now.toISOString());
}

/** Every config seen before, by client then path. */
export function storedLocations(db: Db): ConfigLocation[] {
  return stmt<[], ConfigLocation>(db, 'SELECT client, config_path AS path, format, scope FROM agents ORDER BY client, config_path').all();
}

export function listConfigFiles(db: Db): ConfigFileRow[] {
  return stmt<[], ConfigFileRow>(db, `SELECT ${COLUMNS} FROM agents ORDER BY client, config_path`).all();
}

export function getConfigFile(db: Db, agentId: string): ConfigFileRow | undefined {
  return stmt<[string], ConfigFileRow>(db, `SELECT ${COLUMNS} FROM agents WHERE id = ?`).get(agentId);
}

/** A config by id, or a client id naming that client's config in use (state ok) first. */
export function findConfigFile(db: Db, idOrClient: string): ConfigFileRow | undefined {
  return stmt<[string, string], ConfigFileRow>(db,
    `SELECT ${COLUMNS} FROM agents WHERE id = ? OR client = lower(?) ORDER BY state = 'ok' DESC, first_seen_at, config_path LIMIT 1`,
  ).get(idOrClient, idOrClient);
}

export function countConfigFilesOf(db: Db, client: string): number {
  return stmt<[string], { n: number }>(db, 'SELECT count(*) AS n FROM agents WHERE client = ?').get(client)?.n ?? 0;
}

/** The configs holding an entry of that key that is not registered (an open `unregistered_server` alert). */
export function configsWithUnregisteredEntry(db: Db, key: string): ConfigLocation[] {
  return stmt<[string], ConfigLocation>(db,
    `SELECT DISTINCT g.client, g.config_path AS path, g.format, g.scope
       FROM alerts a JOIN agents g ON g.id = a.agent_id
      WHERE a.type = 'unregistered_server' AND a.state != 'resolved' AND lower(json_extract(a.details, '$.key')) = lower(?)`,
  ).all(key);
}
