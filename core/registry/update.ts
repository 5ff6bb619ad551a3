/**
 * Changing a registered server (`PATCH /api/v1/mcp-servers/:id`). Its name, display name,
 * description and capabilities can change on any server; its launch only on one registered by hand
 * (a discovered server's launch is its config entry: the file is where it changes). The id never
 * changes, so history, pins, attestations and links follow a rename.
 */
import type { PlatformEnv } from '../api/discovery.ts';
import { conflict, invalidInput } from '../api/errors.ts';
import { envPairs, patchServerRequestSchema, type PatchServerRequest } from '../api/rest.ts';
import { toWardenError } from '../api/server-schema.ts';
import { serverUrlOf, type ServerDefinition, type ServerInput, type Transport } from '../api/server.ts';
import type { ConfigLocation } from '../api/discovery.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { hashExecutable } from '../integrity/executable-hash.ts';
import { stmt } from '../store/statements.ts';
import { configsLinking } from '../links/index.ts';
import { recomputeTrust } from '../trust/record.ts';
import { defined, exceptCommand, parseServerUrl, urlTransport, validateInput } from './api-register.ts';
import { launchFingerprint } from './fingerprint.ts';
import { getServer } from './read.ts';
import { checkSecretReferences, launchOf, launchStatus, resolveCwd, writeServer, writeSecretReferences, type RegisterContext } from './register.ts';
import { resolveCommand } from './resolve-command.ts';

const LAUNCH_FIELDS = ['server_url', 'url', 'transport', 'command', 'args', 'cwd', 'headers', 'env_template'] as const;
/** Fields compared to say what changed (names only reach the audit trail, never values). */
const COMPARED = ['name', 'display_name', 'description', 'capabilities', 'transport', 'command', 'args', 'cwd', 'url', 'headers', 'env_template'] as const;
const DESCRIBING = new Set<string>(['name', 'display_name', 'description', 'capabilities']);
const describingOnly = (field: string): boolean => DESCRIBING.has(field.replace(/[.[].*$/, ''));

/** The transport and URL a change asks for, from `server_url`, `url` and `transport` together. */
function target(change: PatchServerRequest, current: ServerDefinition, name: string): { transport: Transport; url: string | undefined } {
  const fromServerUrl = change.server_url === undefined ? undefined : parseServerUrl(change.server_url);
  if (fromServerUrl?.transport === 'stdio') {
    if (fromServerUrl.name.toLowerCase() !== name.toLowerCase()) throw invalidInput('server_url', `The server_url ${JSON.stringify(change.server_url)} names another server than "${name}": use stdio://${name}.`);
    if (change.url !== undefined) throw invalidInput('url', 'A stdio:// server_url is a stdio server, which has no URL.');
    if (change.transport !== undefined && change.transport !== 'stdio') throw invalidInput('transport', `A stdio:// server_url is a stdio server, not ${change.transport}.`);
    return { transport: 'stdio', url: undefined };
  }
  const url = fromServerUrl?.url ?? change.url;
  if (fromServerUrl !== undefined && change.url !== undefined && change.url !== fromServerUrl.url) throw invalidInput('url', 'The url and the server_url differ: give one of them.');
  if (url !== undefined) return { transport: urlTransport(change.transport, current.transport === 'sse' && change.transport === undefined ? 'sse' : 'http'), url };
  return { transport: change.transport ?? current.transport, url: undefined };
}

/** The stored definition with the change applied, as a ServerInput (the launch of the new transport only). */
function merged(current: ServerDefinition, change: PatchServerRequest): { input: ServerInput; declared: boolean } {
  const name = change.name ?? current.name;
  const { transport, url } = target(change, current, name);
  const sameTransport = transport === current.transport;
  const describing = {
    name,
    display_name: change.display_name ?? current.display_name,
    description: change.description ?? current.description,
    capabilities: change.capabilities ?? current.capabilities,
  };
  if (transport === 'stdio') {
    const command = change.command ?? (sameTransport ? (current.command ?? undefined) : undefined);
    const input = defined<ServerInput>({
      ...describing,
      transport,
      command,
      args: change.args ?? (sameTransport ? current.args : undefined),
      cwd: change.cwd ?? (sameTransport ? (current.cwd ?? undefined) : undefined),
      env_template: envPairs(change.env_template) ?? current.env_template,
      headers: change.headers,
    });
    // A declared server stays declared until it is given a command.
    return { input, declared: current.status === 'declared' && command === undefined };
  }
  return {
    input: defined<ServerInput>({
      ...describing,
      transport,
      url: url ?? (sameTransport ? (current.url ?? undefined) : undefined),
      headers: change.headers ?? (sameTransport ? current.headers : undefined),
      env_template: envPairs(change.env_template) ?? (sameTransport ? current.env_template : undefined),
      command: change.command,
      args: change.args,
      cwd: change.cwd,
    }),
    declared: false,
  };
}

/** Applies a change to a server (by name or id) and returns it as stored. See the module comment. */
export function updateServer(options: ScanOptions & { where: PlatformEnv }, nameOrId: string, body: unknown, ctx: RegisterContext): ServerDefinition {
  const parsed = patchServerRequestSchema.safeParse(body);
  if (!parsed.success) throw toWardenError(parsed.error);
  const change = parsed.data;
  if (Object.keys(change).length === 0) throw invalidInput('body', 'The change is empty: give at least one field to change.');
  const { db } = options.store;
  const current = getServer(db, nameOrId);

  const launchGiven = LAUNCH_FIELDS.filter((f) => change[f] !== undefined);
  if (launchGiven.length > 0 && current.source.kind === 'discovered') {
    throw conflict(`The launch of "${current.name}" comes from ${current.source.config_path}: edit that file, or approve the change (mcp-warden mcp approve ${current.name}).`, launchGiven[0]);
  }
  const { input: raw, declared } = merged(current, change);
  const needsCommand = launchGiven.find((f) => f !== 'server_url' && f !== 'transport');
  if (declared && needsCommand !== undefined) {
    throw invalidInput(needsCommand, `"${current.name}" is declared only: give it a command (or an http(s) server_url) along with ${needsCommand}.`);
  }
  // Without launch fields only the describing ones are checked: the stored launch is kept as it is.
  const keep = launchGiven.length === 0 ? describingOnly : declared ? exceptCommand : undefined;
  const input = validateInput(raw, { keep, urlField: change.server_url !== undefined ? 'server_url' : 'url' });
  const now = (ctx.now ?? options.now ?? (() => new Date()))();
  const next: ServerDefinition = {
    ...current,
    name: input.name,
    display_name: input.display_name?.trim() || input.name,
    description: input.description ?? '',
    capabilities: input.capabilities ?? [],
    updated_at: now.toISOString(),
  };
  if (launchGiven.length > 0 && !declared) Object.assign(next, resolvedLaunch(options, current, change, input, ctx));
  next.server_url = serverUrlOf(next);

  const changed = COMPARED.filter((f) => JSON.stringify(current[f]) !== JSON.stringify(next[f]));
  if (changed.length === 0 && next.status === current.status) return current;
  const launchChanged = changed.some((f) => !DESCRIBING.has(f));
  // A launch changed through the API waits for a person again, as a new one would (a command line,
  // or a URL with headers that send keychain secrets: a new URL, or secrets added to the headers).
  if (launchChanged && current.source.kind === 'manual') {
    const status = launchStatus(ctx, next);
    if (status === 'pending' || next.status === 'pending') next.status = status;
  }

  const linked = db.transaction(() => {
    if (next.name !== current.name) {
      const taken = stmt<[string, string], { name: string }>(db, 'SELECT name FROM servers WHERE name = ? AND id != ?').get(next.name, next.id);
      if (taken !== undefined) throw conflict(`A server named "${taken.name}" is already registered.`, 'name');
    }
    // A new launch may name other secrets; a rename keeps the references it had.
    const refs = launchChanged ? checkSecretReferences(db, next) : null;
    writeServer(db, next);
    if (refs !== null) writeSecretReferences(db, next.id, refs);
    appendAudit(db, {
      actor: 'user',
      type: 'server.updated',
      server_id: next.id,
      details: { name: next.name, ...(next.name !== current.name ? { renamed_from: current.name } : {}), fields: changed, status: next.status, fingerprint_before: current.fingerprint, fingerprint: next.fingerprint },
    }, now);
    recomputeTrust(db, next.id, now);
    return launchChanged ? linkedConfigs(options, next.id) : [];
  }).immediate();

  // Configs linked to it compare their entry with the new launch now, so drift alerts follow the change.
  for (const location of linked) scanConfig({ ...options, force: true }, location);
  return getServer(db, next.id);
}

/** The launch fields of the changed definition: the command and cwd resolved (only when given), the fingerprint and executable hash. */
function resolvedLaunch(options: ScanOptions, current: ServerDefinition, change: PatchServerRequest, input: ServerInput, ctx: RegisterContext): Partial<ServerDefinition> {
  const kept = input.transport === 'stdio' ? (input.cwd ?? null) : null;
  // A stored working directory is absolute already; a new one is resolved and checked.
  const cwd = change.cwd !== undefined && kept !== null ? resolveCwd(kept, ctx.cwd) : kept;
  let command: string | null = input.transport === 'stdio' ? (input.command ?? null) : null;
  let commandSha = input.transport === 'stdio' ? current.command_sha256 : null;
  // A command kept as stored keeps the hash recorded when it was registered.
  if (command !== null && (change.command !== undefined || change.cwd !== undefined || current.transport !== 'stdio' || current.command === null)) {
    command = resolveCommand(command, { cwd: cwd ?? ctx.cwd, env: ctx.env });
    commandSha = command === current.command && current.command_sha256 !== null ? current.command_sha256 : hashExecutable(options.store.db, command);
  }
  const launch = launchOf(input, command, cwd);
  return { ...launch, fingerprint: launchFingerprint(launch), command_sha256: commandSha, status: current.status === 'declared' ? 'approved' : current.status };
}

function linkedConfigs(options: ScanOptions, serverId: string): ConfigLocation[] {
  return configsLinking(options.store.db, serverId);
}
