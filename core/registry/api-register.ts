/**
 * Registration in the shape agent-identity dashboards send (`POST /api/v1/mcp-servers`): a name,
 * a `server_url` (`stdio://<name>` or an http(s) URL), capabilities, a description, and optionally
 * the daemon model's launch fields. Four outcomes:
 *
 * - `registered`: an http(s) URL, or a stdio server with its command: a normal hand-made definition.
 * - `adopted`: a stdio server named without a command, when a client config already lists it and
 *   discovery registered it: that discovered server is approved as the user's, keeping its identity.
 * - `matched`: the same, when a config lists an entry of that name that was not registered (the
 *   `unregistered_server` alert): the declared server takes that entry's launch at once.
 * - `declared`: no config lists it yet; it is stored by name and capabilities and matched by the
 *   scan as soon as one does (core/discovery/scan.ts).
 */
import type { PlatformEnv } from '../api/discovery.ts';
import type { ConfigLocation } from '../api/discovery.ts';
import { conflict, invalidInput } from '../api/errors.ts';
import { envPairs, registerServerRequestSchema, type RegisterServerRequest } from '../api/rest.ts';
import { fieldPath, serverInputSchema, toWardenError } from '../api/server-schema.ts';
import type { ServerDefinition, ServerInput, Transport } from '../api/server.ts';
import { scanConfig, type ScanOptions } from '../discovery/scan.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { configsWithUnregisteredEntry, discoveredServerWithKey } from '../links/index.ts';
import { approveServer } from './approve.ts';
import { findServer, getServer } from './read.ts';
import { definitionFrom, registerServer, storeNewServer, type RegisterContext } from './register.ts';
import { updateServer } from './update.ts';

export type RegisterOutcome = 'registered' | 'adopted' | 'declared' | 'matched';

type ApiOptions = ScanOptions & { where: PlatformEnv };

/** What a `server_url` says: `stdio://<name>`, or an http(s) URL. */
export function parseServerUrl(serverUrl: string, field = 'server_url'): { transport: 'stdio'; name: string } | { transport: 'http'; url: string } {
  if (serverUrl.toLowerCase().startsWith('stdio://')) return { transport: 'stdio', name: serverUrl.slice('stdio://'.length) };
  if (/^https?:\/\//i.test(serverUrl)) return { transport: 'http', url: serverUrl };
  throw invalidInput(field, `The ${field} ${JSON.stringify(serverUrl.slice(0, 120))} is neither stdio://<name> nor an http(s) URL.`);
}

/** The transport a URL server uses: `sse` only when asked for; `stdio` is not one. */
export function urlTransport(requested: Transport | undefined, fallback: 'http' | 'sse' = 'http'): 'http' | 'sse' {
  if (requested === 'stdio') throw invalidInput('transport', 'A server reached by an http(s) URL uses the http or sse transport, not stdio.');
  return requested ?? fallback;
}

/**
 * Validates a ServerInput with the one server schema, naming the REST field at fault (`server_url`
 * where the schema says `url`). `keep` says which fields' problems count: a declared server breaks
 * one rule on purpose (a stdio server needs a command), and a change that leaves the launch alone
 * is not refused for a launch the user did not send.
 */
export function validateInput(input: ServerInput, options: { keep?: (field: string) => boolean; urlField?: string } = {}): ServerInput {
  const result = serverInputSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues.find((i) => options.keep?.(fieldPath(i.path)) ?? true);
  if (issue === undefined) return input;
  const field = fieldPath(issue.path);
  throw invalidInput(field === 'url' && options.urlField !== undefined ? options.urlField : field, issue.message);
}

/** For a declared server: every rule but the command a stdio server needs. */
export const exceptCommand = (field: string): boolean => field !== 'command';

/** Drops the keys whose value is undefined (the server schema is strict about what it is given). */
export function defined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

const LAUNCH_ONLY_FOR_STDIO = ['command', 'args', 'cwd', 'env_template'] as const;

/** A registration as a ServerInput, with the transport its server_url says. */
function toInput(req: RegisterServerRequest): ServerInput {
  const target = parseServerUrl(req.server_url);
  const common = { name: req.name, display_name: req.display_name, description: req.description, capabilities: req.capabilities };
  if (target.transport === 'stdio') {
    if (target.name.toLowerCase() !== req.name.toLowerCase()) {
      throw invalidInput('server_url', `The server_url ${JSON.stringify(req.server_url)} names another server than "${req.name}": use stdio://${req.name}.`);
    }
    if (req.transport !== undefined && req.transport !== 'stdio') throw invalidInput('transport', `A stdio:// server_url is a stdio server, not ${req.transport}: give an http(s) URL for an ${req.transport} server.`);
    return defined({ ...common, transport: 'stdio', command: req.command, args: req.args, cwd: req.cwd, env_template: envPairs(req.env_template), headers: req.headers });
  }
  for (const field of LAUNCH_ONLY_FOR_STDIO) {
    if (req[field] !== undefined) throw invalidInput(field, `${field} is only for a stdio server (server_url stdio://${req.name}); "${req.name}" is reached at ${target.url}.`);
  }
  return defined({ ...common, transport: urlTransport(req.transport), url: target.url, headers: req.headers });
}

/** Validates and carries out one registration (see the module comment for the outcomes). */
export function registerFromRequest(options: ApiOptions, body: unknown, ctx: RegisterContext): { server: ServerDefinition; outcome: RegisterOutcome } {
  const parsed = registerServerRequestSchema.safeParse(body);
  if (!parsed.success) throw toWardenError(parsed.error);
  const req = parsed.data;
  const raw = toInput(req);
  const declared = raw.transport === 'stdio' && raw.command === undefined;
  if (declared) {
    for (const field of ['args', 'cwd', 'env_template'] as const) {
      if (raw[field] !== undefined) throw invalidInput(field, `${field} needs a command: give the command too, or leave ${field} out to declare "${req.name}" by name.`);
    }
  }
  const input = validateInput(raw, { keep: declared ? exceptCommand : undefined, urlField: 'server_url' });
  if (!declared) return { server: registerServer(options.store, input, ctx), outcome: 'registered' };
  return declare(options, input, ctx);
}

function declare(options: ApiOptions, input: ServerInput, ctx: RegisterContext): { server: ServerDefinition; outcome: RegisterOutcome } {
  const { db } = options.store;
  const describing = defined({ display_name: input.display_name, description: input.description, capabilities: input.capabilities });

  const sameName = stmt<[string], { id: string }>(db, 'SELECT id FROM servers WHERE name = ?').get(input.name);
  const taken = sameName === undefined ? undefined : getServer(db, sameName.id);
  if (taken !== undefined && taken.status !== 'discovered') {
    throw conflict(`A server named "${taken.name}" is already registered${taken.status === 'declared' ? ' (declared)' : ''}.`, 'name');
  }
  // A config entry of that name that discovery registered (under this name, or under another when
  // the name was taken then): the user's declaration adopts it.
  const discovered = taken ?? discoveredEntryNamed(db, input.name);
  if (discovered !== undefined) {
    approveServer({ ...options, now: ctx.now ?? options.now }, discovered.id);
    const rename = discovered.name === input.name ? {} : { name: input.name };
    const changes = { ...rename, ...describing };
    const server = Object.keys(changes).length === 0 ? getServer(db, discovered.id) : updateServer(options, discovered.id, changes, ctx);
    return { server, outcome: 'adopted' };
  }

  const launch = { transport: 'stdio' as const, command: null, args: [], cwd: null, url: null, headers: {}, env_template: [] };
  const def = definitionFrom(input, launch, { kind: 'manual' }, { status: 'declared', command_sha256: null }, (ctx.now ?? options.now ?? (() => new Date()))());
  storeNewServer(db, def);

  // A config that lists an unregistered entry of that name: scanning it now matches it.
  const locations = unregisteredEntriesNamed(db, input.name);
  for (const location of locations) scanConfig({ ...options, force: true }, location);
  const server = findServer(db, def.id) ?? def;
  return { server, outcome: server.status === 'declared' ? 'declared' : 'matched' };
}

/** A discovered server whose config entry's key is `name` (case-insensitive), listed entries first. */
function discoveredEntryNamed(db: Db, name: string): ServerDefinition | undefined {
  const id = discoveredServerWithKey(db, name);
  return id === undefined ? undefined : getServer(db, id);
}

/** The configs holding an entry of that key that is not registered (an open `unregistered_server` alert). */
function unregisteredEntriesNamed(db: Db, name: string): ConfigLocation[] {
  return configsWithUnregisteredEntry(db, name);
}
