/**
 * Agents: what may start which MCP servers. Two kinds share one view (`AgentView`):
 *
 * - `client`: a client config file (the `agents` table, filled by discovery). Its servers are the
 *   entries of the file; linking a server registered by hand adds an expected entry
 *   (core/registry/link.ts), and a server the file itself lists can only be removed in the file.
 * - `registered`: an agent registered through the API (`POST /api/v1/agents`), an agent's own code
 *   calling `secure()`. Its servers are links kept in `api_agent_servers`.
 *
 * A client agent is named by its client id (`claude-desktop`); those names are refused for
 * registered agents so a name always says which kind it is.
 */
import { createHash } from 'node:crypto';
import { CLIENT_IDS, type ClientId, type PlatformEnv } from '../api/discovery.ts';
import { conflict, invalidInput, notFound } from '../api/errors.ts';
import { registerAgentRequestSchema, setAgentServersRequestSchema, type AgentView } from '../api/rest.ts';
import { toWardenError } from '../api/server-schema.ts';
import type { ServerDefinition } from '../api/server.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { CLIENT_NAMES } from '../discovery/clients/index.ts';
import { agentIdFor, scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { knownLocations } from '../discovery/scan-all.ts';
import { linkServer } from '../registry/link.ts';
import { getServer } from '../registry/read.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import {
  countConfigFilesOf,
  findConfigFile,
  getConfigFile,
  isLinkedIn,
  linksOfServerInConfig,
  listConfigFiles,
  listedServers,
  removeExpectedEntries,
  type ConfigFileRow,
  type ListedServer,
} from '../links/index.ts';

type ApiOptions = ScanOptions & { where: PlatformEnv };

type ClientRow = ConfigFileRow;

interface RegisteredRow {
  id: string;
  name: string;
  display_name: string;
  description: string;
  created_at: string;
}

type LinkedRow = ListedServer;

type Agent = { kind: 'client'; row: ClientRow } | { kind: 'registered'; row: RegisteredRow };

const isClientId = (name: string): name is ClientId => (CLIENT_IDS as readonly string[]).includes(name.toLowerCase());

export function agentIdForName(name: string): string {
  return `agn_${createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 24)}`;
}

const REGISTERED_LINKS = "SELECT l.agent_id, s.id, s.name, s.status, s.declared, json_extract(s.source, '$.kind') AS source_kind FROM api_agent_servers l JOIN servers s ON s.id = l.server_id";

function serversOf(rows: readonly LinkedRow[]): AgentView['servers'] {
  const seen = new Map<string, AgentView['servers'][number]>();
  for (const r of rows) if (!seen.has(r.id)) seen.set(r.id, { id: r.id, name: r.name, status: r.declared === 1 ? 'declared' : r.status === 'discovered' && r.source_kind === 'manual' ? 'pending' : r.status });
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function clientView(row: ClientRow, links: readonly LinkedRow[], several: boolean): AgentView {
  const client = CLIENT_NAMES[row.client] ?? row.client;
  return {
    id: row.id,
    name: row.client,
    display_name: several ? `${client} (${row.config_path})` : client,
    description: `Servers listed in ${row.config_path}`,
    kind: 'client',
    client: row.client,
    config_path: row.config_path,
    state: row.state,
    servers: serversOf(links),
    created_at: row.first_seen_at,
  };
}

function registeredView(row: RegisteredRow, links: readonly LinkedRow[]): AgentView {
  return { ...row, kind: 'registered', client: null, config_path: null, state: null, servers: serversOf(links) };
}

/** Every agent: client configs (by client, then file), then registered agents (by name). */
export function listAgents(db: Db): AgentView[] {
  const clients = listConfigFiles(db);
  const registered = stmt<[], RegisteredRow>(db, 'SELECT id, name, display_name, description, created_at FROM api_agents ORDER BY name').all();
  const byAgent = new Map<string, LinkedRow[]>();
  for (const link of [...listedServers(db), ...stmt<[], LinkedRow>(db, REGISTERED_LINKS).all()]) {
    const list = byAgent.get(link.agent_id) ?? [];
    list.push(link);
    byAgent.set(link.agent_id, list);
  }
  const perClient = new Map<string, number>();
  for (const c of clients) perClient.set(c.client, (perClient.get(c.client) ?? 0) + 1);
  return [
    ...clients.map((c) => clientView(c, byAgent.get(c.id) ?? [], (perClient.get(c.client) ?? 0) > 1)),
    ...registered.map((r) => registeredView(r, byAgent.get(r.id) ?? [])),
  ];
}

/** An agent by id (`agt_...`, `agn_...`) or name; a client id is that client's config in use (state ok) first. */
function findAgent(db: Db, idOrName: string): Agent | undefined {
  const registered = stmt<[string, string], RegisteredRow>(db, 'SELECT id, name, display_name, description, created_at FROM api_agents WHERE id = ? OR name = ?').get(idOrName, idOrName);
  if (registered !== undefined) return { kind: 'registered', row: registered };
  const client = findConfigFile(db, idOrName);
  return client === undefined ? undefined : { kind: 'client', row: client };
}

function resolveAgent(db: Db, idOrName: string): Agent {
  const agent = findAgent(db, idOrName);
  if (agent === undefined) throw notFound(`No agent "${idOrName}" is known: register it with POST /api/v1/agents, or use a client's id (${CLIENT_IDS.join(', ')}) once its config was scanned.`, 'agent');
  return agent;
}

function view(db: Db, agent: Agent): AgentView {
  if (agent.kind === 'registered') return registeredView(agent.row, stmt<[string], LinkedRow>(db, `${REGISTERED_LINKS} WHERE l.agent_id = ?`).all(agent.row.id));
  const current = getConfigFile(db, agent.row.id) ?? agent.row;
  const several = countConfigFilesOf(db, current.client) > 1;
  return clientView(current, listedServers(db, current.id), several);
}

export function getAgent(db: Db, idOrName: string): AgentView {
  return view(db, resolveAgent(db, idOrName));
}

export function registerAgent(store: Store, body: unknown, now: Date = new Date()): AgentView {
  const parsed = registerAgentRequestSchema.safeParse(body);
  if (!parsed.success) throw toWardenError(parsed.error);
  const req = parsed.data;
  if (isClientId(req.name)) throw invalidInput('name', `"${req.name}" is the id of a client, whose configs are agents already: choose another name.`);
  const { db } = store;
  const row: RegisteredRow = {
    id: agentIdForName(req.name),
    name: req.name,
    display_name: req.display_name?.trim() || req.name,
    description: req.description ?? '',
    created_at: now.toISOString(),
  };
  db.transaction(() => {
    const taken = stmt<[string, string], { name: string }>(db, 'SELECT name FROM api_agents WHERE name = ? OR id = ?').get(row.name, row.id);
    if (taken !== undefined) throw conflict(`An agent named "${taken.name}" is already registered.`, 'name');
    stmt(db, 'INSERT INTO api_agents (id, name, display_name, description, created_at, updated_at) VALUES (@id, @name, @display_name, @description, @created_at, @created_at)').run(row);
    appendAudit(db, { actor: 'user', type: 'agent.registered', details: { agent_id: row.id, name: row.name } }, now);
  }).immediate();
  return registeredView(row, []);
}

/** What linking `server` to `agent` would do, or the error saying why it cannot be done. */
function linkPlan(db: Db, agent: Agent, server: ServerDefinition): 'link' | 'none' {
  if (agent.kind === 'registered') {
    const linked = stmt<[string, string], { n: number }>(db, 'SELECT 1 AS n FROM api_agent_servers WHERE agent_id = ? AND server_id = ?').get(agent.row.id, server.id);
    return linked === undefined ? 'link' : 'none';
  }
  const linked = isLinkedIn(db, agent.row.id, server.id);
  if (server.source.kind === 'discovered') {
    if (linked || (server.source.client === agent.row.client && server.source.config_path === agent.row.config_path)) return 'none';
    throw conflict(`"${server.name}" comes from the entry "${server.source.key}" of ${server.source.config_path}, which is its definition: it cannot be linked to ${agent.row.config_path} as well. Add the entry to that file, or register the server by hand and link that one.`, 'server');
  }
  return linked ? 'none' : 'link';
}

/** What unlinking would do: delete an api link, delete a hand-made expected entry, or nothing to undo. */
function unlinkPlan(db: Db, agent: Agent, server: ServerDefinition): 'unlink' {
  const what = `"${server.name}" is not linked to ${agent.kind === 'client' ? agent.row.config_path : `agent "${agent.row.name}"`}.`;
  if (agent.kind === 'registered') {
    const linked = stmt<[string, string], { n: number }>(db, 'SELECT 1 AS n FROM api_agent_servers WHERE agent_id = ? AND server_id = ?').get(agent.row.id, server.id);
    if (linked === undefined) throw notFound(what, 'server');
    return 'unlink';
  }
  const rows = linksOfServerInConfig(db, agent.row.id, server.id);
  const listed = rows.find((r) => r.present === 1);
  if (listed !== undefined) throw conflict(`${agent.row.config_path} lists "${server.name}" itself (entry "${listed.key}"): remove it from ${agent.row.config_path}.`, 'server');
  if (rows.length === 0 || server.source.kind !== 'manual') throw notFound(what, 'server');
  return 'unlink';
}

/** Carries out a planned link (in the caller's transaction for registered agents). */
function link(options: ApiOptions, agent: Agent, server: ServerDefinition, now: Date): void {
  const { db } = options.store;
  if (agent.kind === 'registered') {
    db.transaction(() => {
      stmt(db, 'INSERT INTO api_agent_servers (agent_id, server_id, linked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(agent.row.id, server.id, now.toISOString());
      appendAudit(db, { actor: 'user', type: 'agent.linked', server_id: server.id, details: { agent_id: agent.row.id, agent: agent.row.name, name: server.name } }, now);
    }).immediate();
    return;
  }
  // A hand-made (or declared) server becomes an expected entry of the config, under its own name.
  linkServer({ ...options, now: () => now }, server.id, { client: agent.row.client, configPath: agent.row.config_path, key: server.name });
}

function unlink(options: ApiOptions, agent: Agent, server: ServerDefinition, now: Date): void {
  const { db } = options.store;
  if (agent.kind === 'registered') {
    db.transaction(() => {
      stmt(db, 'DELETE FROM api_agent_servers WHERE agent_id = ? AND server_id = ?').run(agent.row.id, server.id);
      appendAudit(db, { actor: 'user', type: 'agent.unlinked', server_id: server.id, details: { agent_id: agent.row.id, agent: agent.row.name, name: server.name } }, now);
    }).immediate();
    return;
  }
  db.transaction(() => {
    removeExpectedEntries(db, agent.row.id, server.id);
    appendAudit(db, { actor: 'user', type: 'server.unlinked', server_id: server.id, details: { name: server.name, client: agent.row.client, config_path: agent.row.config_path } }, now);
  }).immediate();
  // The config no longer expects it: its removal alert, if any, clears.
  scanConfig({ ...options, force: true, now: () => now }, { client: agent.row.client, path: agent.row.config_path, format: agent.row.format, scope: agent.row.scope });
}

/**
 * A client id names the client's config in use; a client whose config was never scanned gets its
 * first config location, as `mcp link` does (linking records it).
 */
function agentForLinking(options: ApiOptions, idOrName: string): Agent {
  const { db } = options.store;
  const found = findAgent(db, idOrName);
  if (found !== undefined || !isClientId(idOrName)) return found ?? resolveAgent(db, idOrName);
  const client = idOrName.toLowerCase() as ClientId;
  const location = knownLocations(db, options.where).find((l) => l.client === client);
  if (location === undefined) return resolveAgent(db, idOrName);
  return { kind: 'client', row: { id: agentIdFor(location), client, config_path: location.path, format: location.format, scope: location.scope, state: 'missing', first_seen_at: '' } };
}

const nowOf = (options: ScanOptions): Date => (options.now ?? (() => new Date()))();

export function linkAgentServer(options: ApiOptions, agentIdOrName: string, serverIdOrName: string): AgentView {
  const { db } = options.store;
  const agent = agentForLinking(options, agentIdOrName);
  const server = getServer(db, serverIdOrName);
  if (linkPlan(db, agent, server) === 'link') link(options, agent, server, nowOf(options));
  return view(db, agent);
}

export function unlinkAgentServer(options: ApiOptions, agentIdOrName: string, serverIdOrName: string): AgentView {
  const { db } = options.store;
  const agent = resolveAgent(db, agentIdOrName);
  const server = getServer(db, serverIdOrName);
  unlinkPlan(db, agent, server);
  unlink(options, agent, server, nowOf(options));
  return view(db, agent);
}

/**
 * Sets the agent's whole list. All or nothing: every id or name is resolved and every change is
 * checked before the first one is made, and the changes run in one transaction.
 */
export function setAgentServers(options: ApiOptions, agentIdOrName: string, body: unknown): AgentView {
  const parsed = setAgentServersRequestSchema.safeParse(body);
  if (!parsed.success) throw toWardenError(parsed.error);
  const { db } = options.store;
  const agent = resolveAgent(db, agentIdOrName);
  const wanted = new Map<string, ServerDefinition>();
  parsed.data.mcp_server_ids.forEach((idOrName, i) => {
    const found = stmt<[string, string], { id: string }>(db, 'SELECT id FROM servers WHERE id = ? OR name = ?').get(idOrName, idOrName);
    if (found === undefined) throw notFound(`No server "${idOrName}" is registered.`, `mcp_server_ids[${i}]`);
    const server = getServer(db, found.id);
    wanted.set(server.id, server);
  });
  const current = view(db, agent).servers;
  const toLink = [...wanted.values()].filter((s) => linkPlan(db, agent, s) === 'link');
  const toUnlink = current.filter((s) => !wanted.has(s.id)).map((s) => getServer(db, s.id));
  for (const server of toUnlink) unlinkPlan(db, agent, server);
  if (toLink.length === 0 && toUnlink.length === 0) return view(db, agent);

  const now = nowOf(options);
  db.transaction(() => {
    for (const server of toUnlink) unlink(options, agent, server, now);
    for (const server of toLink) link(options, agent, server, now);
  }).immediate();
  return view(db, agent);
}
