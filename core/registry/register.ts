import { createHash } from 'node:crypto';
import path from 'node:path';
import { secretsSentBy } from '../api/command-line.ts';
import { conflict, notFound, WardenError } from '../api/errors.ts';
import { secretHandlesIn } from '../api/names.ts';
import { parseServerInput } from '../api/server-schema.ts';
import { serverUrlOf, type ServerDefinition, type ServerInput, type ServerSource } from '../api/server.ts';
import type { Db, Store } from '../store/database.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { hashExecutable } from '../integrity/executable-hash.ts';
import { recomputeTrust } from '../trust/record.ts';
import { launchFingerprint, type Launch } from './fingerprint.ts';
import { getServer } from './read.ts';
import { resolveCommand } from './resolve-command.ts';
import { isDirectory } from '../util/fs.ts';
import { stmt } from '../store/statements.ts';

export interface RegisterContext {
  /** Where relative commands and working directories are resolved from (the caller's directory). */
  cwd: string;
  /** The environment whose PATH bare command names are looked up on. */
  env: Record<string, string | undefined>;
  source?: ServerSource;
  now?: () => Date;
  /**
   * The launch came in through the API (REST or the desktop app's dispatcher), not from a person at
   * the CLI: a stdio command line, or an http/sse URL with headers that send keychain secrets, given
   * this way is stored `pending` until a person confirms it (core/probe/consent.ts).
   */
  fromApi?: boolean;
}

/**
 * The status of a launch given by `ctx`: one from the API that would act with the user's means waits
 * for a person. A stdio command runs code here; an http or sse server whose headers name keychain
 * secrets sends them to its URL. An http server that sends nothing of the user's is approved.
 */
export function launchStatus(ctx: Pick<RegisterContext, 'fromApi'>, launch: Pick<Launch, 'transport' | 'command' | 'headers'>): 'pending' | 'approved' {
  if (ctx.fromApi !== true) return 'approved';
  const acts = launch.transport === 'stdio' ? launch.command !== null : secretsSentBy(launch).length > 0;
  return acts ? 'pending' : 'approved';
}

/** A stable id: from the name for manual servers, from where it was found for discovered ones. */
export function serverIdFor(name: string, source: ServerSource): string {
  const basis = source.kind === 'manual' ? ['manual', name.toLowerCase()] : ['discovered', source.client, source.config_path, source.pointer];
  return `srv_${createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 24)}`;
}

/**
 * Validates and stores a server definition. A definition is a blueprint: this spawns nothing and
 * connects to nothing; it only checks that the command exists and every secret handle resolves.
 */
export function registerServer(store: Store, raw: unknown, ctx: RegisterContext): ServerDefinition {
  const input = parseServerInput(raw);
  const source = ctx.source ?? { kind: 'manual' };

  const cwd = resolveCwd(input.cwd, ctx.cwd);
  const command = input.transport === 'stdio' ? resolveCommand(input.command as string, { cwd: cwd ?? ctx.cwd, env: ctx.env }) : null;
  const launch = launchOf(input, command, cwd);
  const def = definitionFrom(input, launch, source, { status: launchStatus(ctx, launch), command_sha256: command === null ? null : hashExecutable(store.db, command) }, (ctx.now ?? (() => new Date()))());
  storeNewServer(store.db, def);
  return def;
}

export type { Launch };

/**
 * `cwd` resolved against `base` and checked to be a directory; null when none is given. `fail`
 * makes the error (the manifest names its own field path and line).
 */
export function resolveCwd(cwd: string | undefined, base: string, fail: (message: string) => Error = (message) => new WardenError('not_found', message, 'cwd')): string | null {
  if (cwd === undefined) return null;
  const resolved = path.resolve(base, cwd);
  if (!isDirectory(resolved)) throw fail(`The working directory ${resolved} does not exist or is not a directory.`);
  return resolved;
}

/** The launch fields of a validated input, with the command and working directory as the caller resolved them. */
export function launchOf(input: ServerInput, command: string | null, cwd: string | null): Launch {
  return {
    transport: input.transport,
    command,
    args: input.args ?? [],
    cwd,
    url: input.transport === 'stdio' ? null : (input.url ?? null),
    headers: input.headers ?? {},
    env_template: input.env_template ?? [],
  };
}

/** A new definition from a validated input and its resolved launch. */
export function definitionFrom(input: ServerInput, launch: Launch, source: ServerSource, state: Pick<ServerDefinition, 'status' | 'command_sha256'>, now: Date): ServerDefinition {
  return {
    id: serverIdFor(input.name, source),
    name: input.name,
    display_name: input.display_name?.trim() || input.name,
    description: input.description ?? '',
    ...launch,
    capabilities: input.capabilities ?? [],
    server_url: serverUrlOf({ transport: launch.transport, name: input.name, url: launch.url }),
    source,
    fingerprint: launchFingerprint(launch),
    ...state,
    allowed_rules: [],
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
}

/** Inserts a new definition registered by the user and gives it its first trust score, in one transaction. */
export function storeNewServer(db: Db, def: ServerDefinition): void {
  db.transaction(() => {
    insertServer(db, def, { actor: 'user' });
    recomputeTrust(db, def.id, new Date(def.created_at));
  }).immediate();
}

/**
 * Stores a definition and its secret references in one IMMEDIATE transaction, refusing a taken name
 * or a handle to a missing secret, and audits the registration.
 */
export function insertServer(db: Db, def: ServerDefinition, how: { actor: 'user' | 'monitor' }): void {
  const nameTaken = stmt<[string, string], { name: string }>(db, 'SELECT name FROM servers WHERE name = ? OR id = ?');
  const insert = () => {
    const taken = nameTaken.get(def.name, def.id);
    if (taken !== undefined) throw conflict(`A server named "${taken.name}" is already registered.`, 'name');
    const refs = checkSecretReferences(db, def);
    stmt(db, 
      `INSERT INTO servers (id, name, display_name, description, transport, command, args, cwd, url, headers,
                            env_template, capabilities, source, fingerprint, status, declared, command_sha256, allowed_rules, created_at, updated_at)
       VALUES (@id, @name, @display_name, @description, @transport, @command, @args, @cwd, @url, @headers,
               @env_template, @capabilities, @source, @fingerprint, @status, @declared, @command_sha256, @allowed_rules, @created_at, @updated_at)`,
    ).run(toRow(def));
    writeSecretReferences(db, def.id, refs);
    appendAudit(db, { actor: how.actor, type: def.status === 'discovered' ? 'server.discovered' : def.status === 'declared' ? 'server.declared' : 'server.registered', server_id: def.id, details: auditSummary(def) }, new Date(def.created_at));
  };
  // Inside a caller's transaction (a scan registering many servers) a nested one would only add a
  // savepoint per server; on its own, it takes the write lock up front.
  if (db.inTransaction) insert();
  else db.transaction(insert).immediate();
}

/**
 * The columns of a definition as stored (JSON for the structured ones; server_url is derived). A
 * declared server is stored as status 'approved' with `declared = 1`, a pending one as 'discovered'
 * with its manual source (see rowToServer).
 */
export function toRow(def: ServerDefinition): Record<string, unknown> {
  const { server_url: _derived, ...rest } = def;
  return {
    ...rest,
    status: def.status === 'declared' ? 'approved' : def.status === 'pending' ? 'discovered' : def.status,
    declared: def.status === 'declared' ? 1 : 0,
    args: JSON.stringify(def.args),
    headers: JSON.stringify(def.headers),
    env_template: JSON.stringify(def.env_template),
    capabilities: JSON.stringify(def.capabilities),
    source: JSON.stringify(def.source),
    allowed_rules: JSON.stringify(def.allowed_rules),
  };
}

/**
 * Writes every column a definition's life can change (inside the caller's transaction): what
 * describes it, its launch, fingerprint, status and executable hash. Id, source, creation time,
 * allowed rules and publisher expectations have their own paths.
 */
export function writeServer(db: Db, def: ServerDefinition): void {
  stmt(db,
    `UPDATE servers SET name = @name, display_name = @display_name, description = @description, capabilities = @capabilities,
            transport = @transport, command = @command, args = @args, cwd = @cwd, url = @url, headers = @headers, env_template = @env_template,
            fingerprint = @fingerprint, status = @status, declared = @declared, command_sha256 = @command_sha256, updated_at = @updated_at
      WHERE id = @id`,
  ).run(toRow(def));
}

/** What the audit trail records of a definition: what runs, and env/header names without values. */
export function auditSummary(def: ServerDefinition): Record<string, unknown> {
  return {
    name: def.name,
    transport: def.transport,
    command: def.command,
    args: def.args,
    url: def.url,
    cwd: def.cwd,
    env_keys: def.env_template.map((e) => e.key),
    header_names: Object.keys(def.headers),
    source: def.source,
    fingerprint: def.fingerprint,
    ...(def.status === 'pending' ? { status: 'pending' } : {}),
  };
}

/** Removes a server by name or id and returns what was removed. */
export function removeServer(store: Store, nameOrId: string): ServerDefinition {
  return store.db
    .transaction(() => {
      const server = getServer(store.db, nameOrId);
      stmt(store.db, 'DELETE FROM servers WHERE id = ?').run(server.id);
      appendAudit(store.db, { actor: 'user', type: 'server.removed', server_id: server.id, details: { name: server.name } });
      return server;
    })
    .immediate();
}

export interface SecretRef {
  secret: string;
  where: string;
  field: string;
}

/** The definition's handles, or a not_found error naming the first whose secret does not exist. */
export function checkSecretReferences(db: Db, def: Pick<ServerDefinition, 'env_template' | 'headers'>): SecretRef[] {
  const refs = secretReferences(def);
  const secretExists = stmt<[string], { name: string }>(db, 'SELECT name FROM secrets WHERE name = ?');
  for (const ref of refs) {
    if (secretExists.get(ref.secret) === undefined) {
      throw notFound(`The secret "${ref.secret}" used in ${ref.where} does not exist: add it first with \`mcp-warden secrets add ${ref.secret}\`.`, ref.field);
    }
  }
  return refs;
}

/** Replaces the server's secret references with `refs` (inside the caller's transaction). */
export function writeSecretReferences(db: Db, serverId: string, refs: readonly SecretRef[]): void {
  stmt(db, 'DELETE FROM server_secret_refs WHERE server_id = ?').run(serverId);
  const insertRef = stmt(db, 'INSERT INTO server_secret_refs (server_id, secret_name) VALUES (?, ?)');
  for (const secret of new Set(refs.map((r) => r.secret))) insertRef.run(serverId, secret);
}

/** Every `{{secret:NAME}}` handle in a definition, with where it stands (for error messages). */
export function secretReferences(def: Pick<ServerDefinition, 'env_template' | 'headers'>): SecretRef[] {
  const refs: SecretRef[] = [];
  def.env_template.forEach((pair, i) => {
    for (const secret of secretHandlesIn(pair.value)) refs.push({ secret, where: `environment variable ${pair.key}`, field: `env_template[${i}].value` });
  });
  for (const [header, value] of Object.entries(def.headers)) {
    for (const secret of secretHandlesIn(value)) refs.push({ secret, where: `header ${header}`, field: `headers.${header}` });
  }
  return refs;
}

