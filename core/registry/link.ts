/**
 * Linking a server registered by hand to a client config: the user declares that this client may
 * start that server, under that key. The config entry is then compared with the hand-made
 * definition (drift alerts as for any approved server) instead of being registered as discovered.
 */
import type { ClientId, ConfigFormat, ConfigLocation, PlatformEnv } from '../api/discovery.ts';
import { CLIENT_IDS } from '../api/discovery.ts';
import { conflict, invalidInput, notFound } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { jsonPointer } from '../discovery/json-pointer.ts';
import { knownLocations } from '../discovery/scan-all.ts';
import { agentIdFor, scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { findServer, getServer } from './read.ts';
import { ensureConfigFile, expectEntry, linkAt } from '../links/index.ts';

/** Where a format keeps its servers, as JSON pointer segments. */
export const SERVERS_AT: Record<ConfigFormat, string[]> = {
  mcpServers: ['mcpServers'],
  'claude-code': ['mcpServers'],
  'vscode-mcp': ['servers'],
  'vscode-settings': ['mcp', 'servers'],
};

export interface LinkRequest {
  client: string;
  /** The config file; by default the client's first config that exists, else its first location. */
  configPath?: string;
  /** The entry's key in that config; by default the server's name. */
  key?: string;
}

export function linkServer(options: ScanOptions & { where: PlatformEnv }, nameOrId: string, request: LinkRequest): { server: ServerDefinition; location: ConfigLocation; pointer: string } {
  const { db } = options.store;
  const server = getServer(db, nameOrId);
  if (server.source.kind !== 'manual') {
    throw conflict(`"${server.name}" was found in ${server.source.config_path}, so it is linked to that config already: approve it with \`mcp-warden mcp approve ${server.name}\`.`, 'name');
  }
  if (!(CLIENT_IDS as readonly string[]).includes(request.client)) {
    throw invalidInput('client', `Unknown client "${request.client}": use ${CLIENT_IDS.join(', ')}.`);
  }
  const candidates = knownLocations(db, options.where).filter((l) => l.client === (request.client as ClientId));
  const location = request.configPath === undefined ? candidates[0] : candidates.find((l) => l.path === request.configPath);
  if (location === undefined) {
    throw notFound(`${request.configPath ?? 'That file'} is not a config file of ${request.client}: use one of ${candidates.map((l) => l.path).join(', ')}.`, 'config');
  }
  const key = request.key ?? server.name;
  const pointer = jsonPointer(...SERVERS_AT[location.format], key);
  const agentId = agentIdFor(location);
  const now = (options.now ?? (() => new Date()))();

  db.transaction(() => {
    ensureConfigFile(db, agentId, location, now);
    const taken = linkAt(db, agentId, pointer);
    if (taken !== undefined && taken.server_id !== server.id) {
      const other = findServer(db, taken.server_id);
      throw conflict(`The entry "${key}" of ${location.path} is already registered as server "${other?.name ?? taken.server_id}": approve that one, or remove it first.`, 'key');
    }
    // Never seen yet (last_seen_at empty): its absence from the config is not a removal.
    expectEntry(db, agentId, pointer, server.id, key);
    appendAudit(db, { actor: 'user', type: 'server.linked', server_id: server.id, details: { name: server.name, client: location.client, config_path: location.path, key } }, now);
  }).immediate();
  scanConfig({ ...options, force: true }, location);
  return { server, location, pointer };
}
