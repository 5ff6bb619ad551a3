/**
 * The `agent_servers` table: the entries of each config file ("links"), each tied to the server it
 * stands for, with the entry as last seen (secret values redacted). This module is the table's only
 * reader and writer; callers hold the transaction. The statements are the ones each caller used
 * before they moved here (issue 12): their conflict clauses differ on purpose, so they stay apart.
 */
import type { ConfigLocation, DiscoveredServer } from '../api/discovery.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

/** One row: a config entry and the server it is linked to. */
export interface Link {
  pointer: string;
  server_id: string;
  key: string;
  /** The entry as last seen (JSON, redacted). */
  observed: string;
  present: number;
  in_baseline: number;
  attached: number;
  /** Empty for a link the user made before the entry ever appeared (core/registry/link.ts). */
  last_seen_at: string;
}

const LINK_COLUMNS = 'pointer, server_id, key, observed, present, in_baseline, attached, last_seen_at';

export function linkAt(db: Db, agentId: string, pointer: string): Link | undefined {
  return stmt<[string, string], Link>(db, `SELECT ${LINK_COLUMNS} FROM agent_servers WHERE agent_id = ? AND pointer = ?`).get(agentId, pointer);
}

/** Every entry of one config, present or not. */
export function linksOfConfig(db: Db, agentId: string): Link[] {
  return stmt<[string], Link>(db, `SELECT ${LINK_COLUMNS} FROM agent_servers WHERE agent_id = ?`).all(agentId);
}

/** Where one config links a server (one server may sit under several keys of a file). */
export function linksOfServerInConfig(db: Db, agentId: string, serverId: string): Pick<Link, 'pointer' | 'present' | 'last_seen_at' | 'key'>[] {
  return stmt<[string, string], Pick<Link, 'pointer' | 'present' | 'last_seen_at' | 'key'>>(db, 'SELECT pointer, present, last_seen_at, key FROM agent_servers WHERE agent_id = ? AND server_id = ?').all(agentId, serverId);
}

/** A config entry with the file it is in. */
export interface LinkedEntry {
  server_id: string;
  pointer: string;
  key: string;
  observed: string;
  attached: number;
  present: number;
  last_seen_at: string;
  location: ConfigLocation;
}

interface LinkedEntryRow extends Omit<LinkedEntry, 'location'> {
  client: ConfigLocation['client'];
  path: string;
  format: ConfigLocation['format'];
  scope: ConfigLocation['scope'];
}

const ENTRY_COLUMNS = 'l.server_id, l.pointer, l.key, l.observed, l.attached, l.present, l.last_seen_at, a.client, a.config_path AS path, a.format, a.scope';
const entryOf = ({ client, path, format, scope, ...link }: LinkedEntryRow): LinkedEntry => ({ ...link, location: { client, path, format, scope } });

/** Every entry linked to a server, in the order each caller needs: the current one first. */
export function linksOfServer(db: Db, serverId: string, order: 'current-first' | 'by-file' = 'by-file'): LinkedEntry[] {
  const orderBy = order === 'current-first' ? 'l.present DESC, l.last_seen_at DESC' : 'a.client, a.config_path, l.pointer';
  return stmt<[string], LinkedEntryRow>(db, `SELECT ${ENTRY_COLUMNS} FROM agent_servers l JOIN agents a ON a.id = l.agent_id WHERE l.server_id = ? ORDER BY ${orderBy}`)
    .all(serverId)
    .map(entryOf);
}

/** A server's entries in the configs of one client: attached first, then present, then by file. */
export function linksOfServerForClient(db: Db, serverId: string, client: string): LinkedEntry[] {
  return stmt<[string, string], LinkedEntryRow>(db,
    `SELECT ${ENTRY_COLUMNS} FROM agent_servers l JOIN agents a ON a.id = l.agent_id
      WHERE l.server_id = ? AND a.client = ? ORDER BY l.attached DESC, l.present DESC, a.config_path`,
  ).all(serverId, client).map(entryOf);
}

/** The distinct configs that link a server (each is rescanned when the server changes). */
export function configsLinking(db: Db, serverId: string): ConfigLocation[] {
  return stmt<[string], ConfigLocation>(db,
    'SELECT DISTINCT g.client, g.config_path AS path, g.format, g.scope FROM agent_servers l JOIN agents g ON g.id = l.agent_id WHERE l.server_id = ?',
  ).all(serverId);
}

/** Whether any config ever linked the server. */
export function isListedAnywhere(db: Db, serverId: string): boolean {
  return stmt<[string], { n: number }>(db, 'SELECT EXISTS (SELECT 1 FROM agent_servers WHERE server_id = ?) AS n').get(serverId)?.n === 1;
}

/** Whether one config links the server at all. */
export function isLinkedIn(db: Db, agentId: string, serverId: string): boolean {
  return stmt<[string, string], { n: number }>(db, 'SELECT 1 AS n FROM agent_servers WHERE agent_id = ? AND server_id = ?').get(agentId, serverId) !== undefined;
}

/** Whether a present entry of that client (that file, when named) runs the server through the launcher. */
export function isAttachedFor(db: Db, serverId: string, client: string, configPath: string | null): boolean {
  const row = stmt<[string, string, string | null, string | null], { n: number }>(db,
    `SELECT count(*) AS n FROM agent_servers l JOIN agents a ON a.id = l.agent_id
      WHERE l.server_id = ? AND a.client = ? AND l.attached = 1 AND l.present = 1 AND (? IS NULL OR a.config_path = ?)`,
  ).get(serverId, client, configPath, configPath);
  return (row?.n ?? 0) > 0;
}

/** Present baseline entries of a config whose server is still only discovered. */
export function countToReview(db: Db, agentId: string): number {
  return (stmt<[string], { n: number }>(db,
      `SELECT count(*) AS n FROM agent_servers l JOIN servers s ON s.id = l.server_id
        WHERE l.agent_id = ? AND l.in_baseline = 1 AND l.present = 1 AND s.status = 'discovered'`,
    ).get(agentId) as { n: number }).n;
}

/** The servers a config links that have an attestation (re-verified when the config changes). */
export function attestedServersOf(db: Db, agentId: string): string[] {
  return stmt<[string], { server_id: string }>(db, 'SELECT DISTINCT a.server_id FROM attestations a JOIN agent_servers l ON l.server_id = a.server_id WHERE l.agent_id = ?').all(agentId).map((r) => r.server_id);
}

/** A discovered server whose config entry's key is `key` (case-insensitive), listed entries first. */
export function discoveredServerWithKey(db: Db, key: string): string | undefined {
  return stmt<[string], { id: string }>(db,
    `SELECT s.id FROM agent_servers l JOIN servers s ON s.id = l.server_id
      WHERE l.key = ? COLLATE NOCASE AND s.status = 'discovered' AND s.declared = 0 AND json_extract(s.source, '$.kind') = 'discovered'
      ORDER BY l.present DESC, s.created_at, s.id LIMIT 1`,
  ).get(key)?.id;
}

/** A server an agent lists, as `/agents` shows it. */
export interface ListedServer {
  agent_id: string;
  id: string;
  name: string;
  status: 'discovered' | 'approved';
  declared: number;
  /** The source's kind: a 'discovered' row with a manual source is pending (core/registry/read.ts). */
  source_kind: 'manual' | 'discovered';
}

// Entries the file lists now, and links made by hand before the entry ever appeared (last_seen_at
// empty); an entry removed from the file is history (its server_removed alert), not a server it lists.
const LISTED = `SELECT l.agent_id, s.id, s.name, s.status, s.declared, json_extract(s.source, '$.kind') AS source_kind FROM agent_servers l JOIN servers s ON s.id = l.server_id
                       WHERE (l.present = 1 OR l.last_seen_at = '')`;

/** The servers each config lists (one config's when `agentId` is given). */
export function listedServers(db: Db, agentId?: string): ListedServer[] {
  return agentId === undefined ? stmt<[], ListedServer>(db, LISTED).all() : stmt<[string], ListedServer>(db, `${LISTED} AND l.agent_id = ?`).all(agentId);
}

/** The runtimes attach recorded in a config's entries (`observed.launcher`), by pointer, as JSON. */
export function recordedLaunchers(db: Db, agentId: string): { pointer: string; launcher: string }[] {
  return stmt<[string], { pointer: string; launcher: string }>(db,
    "SELECT pointer, json_extract(observed, '$.launcher') AS launcher FROM agent_servers WHERE agent_id = ? AND json_extract(observed, '$.launcher') IS NOT NULL",
  ).all(agentId);
}

// ---- writes -------------------------------------------------------------------------------------

/** A plain entry seen again where a link was: its observation replaced, no longer attached. */
export function recordSeenEntry(db: Db, agentId: string, entry: DiscoveredServer, observed: DiscoveredServer, now: Date): void {
  stmt(db, 'UPDATE agent_servers SET observed = ?, present = 1, disabled = ?, key = ?, last_seen_at = ?, attached = 0 WHERE agent_id = ? AND pointer = ?')
    .run(JSON.stringify(observed), Number(entry.disabled), entry.key, now.toISOString(), agentId, entry.pointer);
}

/** An entry seen again whose stored observation stays (a launcher entry linked to another server). */
export function touchEntry(db: Db, agentId: string, observed: DiscoveredServer, now: Date): void {
  stmt(db, 'UPDATE agent_servers SET present = 1, disabled = ?, key = ?, last_seen_at = ? WHERE agent_id = ? AND pointer = ?')
    .run(Number(observed.disabled), observed.key, now.toISOString(), agentId, observed.pointer);
}

/** An entry registered as a discovered server now: linked to it (in the baseline or not). */
export function linkDiscoveredEntry(db: Db, agentId: string, serverId: string, entry: DiscoveredServer, observed: DiscoveredServer, baseline: boolean, now: Date): void {
  stmt(db,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (agent_id, pointer) DO UPDATE SET server_id = excluded.server_id, observed = excluded.observed, present = 1, in_baseline = excluded.in_baseline`,
  ).run(agentId, entry.pointer, serverId, entry.key, JSON.stringify(observed), Number(entry.disabled), Number(baseline), now.toISOString());
}

/** An entry that met the server the user declared under its key. */
export function linkDeclaredEntry(db: Db, agentId: string, serverId: string, observed: DiscoveredServer, baseline: boolean, now: Date): void {
  stmt(db,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (agent_id, pointer) DO UPDATE SET server_id = excluded.server_id, key = excluded.key, observed = excluded.observed, present = 1,
                                                   disabled = excluded.disabled, last_seen_at = excluded.last_seen_at`,
  ).run(agentId, observed.pointer, serverId, observed.key, JSON.stringify(observed), Number(observed.disabled), Number(baseline), now.toISOString());
}

/**
 * A config entry that runs the launcher: seen now, linked to the server it names, attached or not
 * (an entry that differs from the exact launcher entry is linked but not attached). `plain` is what
 * the link keeps as the entry's plain form (the definition's, for approve and detach). One statement
 * for the scan and the exact-entry check, so the two cannot drift apart in what they record.
 */
export function linkLauncherEntry(db: Db, agentId: string, serverId: string, observed: DiscoveredServer, plain: DiscoveredServer, baseline: boolean, now: Date, attached: boolean): void {
  stmt(db,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at, attached)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT (agent_id, pointer) DO UPDATE SET server_id = excluded.server_id, present = 1, disabled = excluded.disabled, key = excluded.key,
                                                   last_seen_at = excluded.last_seen_at, attached = excluded.attached`,
  ).run(agentId, observed.pointer, serverId, observed.key, JSON.stringify(plain), Number(observed.disabled), Number(baseline), now.toISOString(), Number(attached));
}

/** An entry gone from its file: kept, marked absent (its removal is an alert, not a forgetting). */
export function markAbsent(db: Db, agentId: string, pointer: string): void {
  stmt(db, 'UPDATE agent_servers SET present = 0 WHERE agent_id = ? AND pointer = ?').run(agentId, pointer);
}

/**
 * An entry the user expects (`mcp link`): never seen yet (last_seen_at empty), so its absence from
 * the config is not a removal. Does nothing when the pointer is linked already.
 */
export function expectEntry(db: Db, agentId: string, pointer: string, serverId: string, key: string): void {
  stmt(db,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at)
       VALUES (?, ?, ?, ?, '{}', 0, 0, 0, '') ON CONFLICT (agent_id, pointer) DO NOTHING`,
  ).run(agentId, pointer, serverId, key);
}

/** Expected entries of a config for a server that the file does not list: undone (`unlink`). */
export function removeExpectedEntries(db: Db, agentId: string, serverId: string): void {
  stmt(db, 'DELETE FROM agent_servers WHERE agent_id = ? AND server_id = ? AND present = 0').run(agentId, serverId);
}

/** An entry attach wrote: linked before the scan sees it, with `plain` (the definition) as its plain form. */
export function markAttached(db: Db, agentId: string, pointer: string, serverId: string, key: string, plain: DiscoveredServer): void {
  stmt(db,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at, attached)
       VALUES (?, ?, ?, ?, ?, 0, 0, 0, '', 1) ON CONFLICT (agent_id, pointer) DO UPDATE SET attached = 1`,
  ).run(agentId, pointer, serverId, key, JSON.stringify(plain));
}

/** Where the entry's text before attach is kept: the backup's path and the entry's hash, never the bytes. */
export function recordAttachedFrom(db: Db, agentId: string, pointer: string, original: unknown): void {
  stmt(db, "UPDATE agent_servers SET observed = json_set(observed, '$.attached_from', json(?)) WHERE agent_id = ? AND pointer = ?").run(JSON.stringify(original), agentId, pointer);
}

/** The runtime attach wrote into an entry (`observed.launcher`). */
export function recordLauncher(db: Db, agentId: string, pointer: string, runtime: unknown): void {
  stmt(db, "UPDATE agent_servers SET observed = json_set(observed, '$.launcher', json(?)) WHERE agent_id = ? AND pointer = ?").run(JSON.stringify(runtime), agentId, pointer);
}

export function markDetached(db: Db, agentId: string, pointer: string): void {
  stmt(db, 'UPDATE agent_servers SET attached = 0 WHERE agent_id = ? AND pointer = ?').run(agentId, pointer);
}

/** The link goes with the entry (detach --remove: our own removal is not a drift). */
export function removeLink(db: Db, agentId: string, pointer: string): void {
  stmt(db, 'DELETE FROM agent_servers WHERE agent_id = ? AND pointer = ?').run(agentId, pointer);
}
