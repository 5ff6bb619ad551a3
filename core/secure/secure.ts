/**
 * Moving plaintext secrets out of client configs (`mcp secure <name>`, `scan --fix-secrets`, the
 * app's "Move to keychain"). For each config entry of a server that holds plaintext secrets, in this
 * order, so a failure never leaves a value only in a place that can lose it:
 *
 * 1. read the file (the values are taken from it and held in memory only: the database has digests);
 * 2. keychain: each value is stored under a generated name (`github-github_token`) with addSecret;
 * 3. registry: the server's definition gets `{{secret:NAME}}` handles for those env keys / headers;
 * 4. file: the entry becomes the launcher's (`mcp-warden run <name>`), written atomically with a
 *    timestamped backup, refused if the file changed since step 1;
 * 5. audit `secrets.moved` (names and locations, never values), then a rescan links the entry as
 *    attached.
 *
 * If step 4 fails (the file changed meanwhile), the error says so and the keychain entries and
 * handles stay: they are harmless (the entry still runs the server directly) and a second run
 * reuses them.
 *
 * What moves: the entry's env values. The launcher builds the server's environment from the
 * definition only (core/process/environment.ts), so every literal env value of the entry goes to the
 * keychain, not only those the hygiene rules call secrets: the database never holds a config's env
 * value (a secret under an innocent name would otherwise land there). Empty values stay literal and
 * `{{secret:NAME}}` handles stay as they are. What cannot move, with the reason: a value the client
 * expands itself (`${input:x}`, `$HOME`); a secret in args, the URL, the command or the working
 * directory (the server reads it there, so MCP Warden cannot hand it over another way without changing
 * what runs); any secret of an http or sse entry (the launcher starts stdio servers only); an entry
 * that differs from the registered definition (open drift alert: the launcher would run the old
 * launch). Such an entry is left untouched.
 */
import type { ConfigLocation, DiscoveredServer, PlatformEnv } from '../api/discovery.ts';
import { conflict, WardenError } from '../api/errors.ts';
import type { SecureResult } from '../api/launcher.ts';
import { secretHandle, secretHandlesIn } from '../api/names.ts';
import type { ServerDefinition } from '../api/server.ts';
import { readConfigForEdit, writeConfigAtomically } from '../attach/config-file.ts';
import { launcherEntry, type LauncherContext, type LauncherEntry } from '../attach/launcher-entry.ts';
import { recordRuntime, writeLauncherFields } from '../attach/attached-entry.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { CLIENT_NAMES } from '../discovery/clients/index.ts';
import { parseConfig } from '../discovery/parse.ts';
import { readJsonDocument, type JsonValue } from '../discovery/read-json.ts';
import { agentIdFor, scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { hygieneFindings } from '../drift/hygiene.ts';
import { getServer } from '../registry/read.ts';
import type { Keychain } from '../secrets/keychain.ts';
import { addSecret } from '../secrets/secrets.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { linksOfServer } from '../links/index.ts';
import { setSecretHandles, type HandleChanges } from './handles.ts';
import { generateSecretName } from './secret-names.ts';

export type SecureOptions = ScanOptions & { where: PlatformEnv };

export interface SecureContext {
  launcher: LauncherContext;
  keychain: Keychain;
}

/** A SecureResult plus what was found but left in place, each with the reason in one sentence. */
export interface SecureOutcome extends SecureResult {
  not_moved: { location: string; reason: string }[];
}

/** One config entry linked to a server. */
interface LinkedEntry {
  server_id: string;
  pointer: string;
  key: string;
  location: ConfigLocation;
}

/** A value that is exactly one `{{secret:NAME}}` handle: it stays as it is. */
const WHOLE_HANDLE = /^\{\{secret:[A-Za-z0-9_.-]{1,64}\}\}$/;
/** `${input:x}`, `${env:X}`, `${workspaceFolder}`, `$HOME`, `%APPDATA%`: references a client expands. */
const CLIENT_EXPANDED = /\$\{[^{}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_][A-Za-z0-9_()]*%$|\$env:/i;

/**
 * Moves the plaintext secrets of every config entry of one server. Refused (conflict) when none of
 * its entries holds a secret that can move, with the reasons for those that cannot.
 */
export function secureServer(options: SecureOptions, nameOrId: string, ctx: SecureContext): SecureOutcome[] {
  const server = getServer(options.store.db, nameOrId);
  const outcomes = linkedEntries(options.store.db, server.id).map((entry) => secureEntry(options, entry, ctx)).filter((o): o is SecureOutcome => o !== null);
  if (outcomes.some((o) => o.moved.length > 0)) return outcomes;
  const reasons = outcomes.flatMap((o) => o.not_moved.map((n) => `${o.config_path} ${n.location}: ${n.reason}`));
  if (reasons.length > 0) throw conflict(`Nothing was moved for "${server.name}": ${reasons.join(' ')}`, 'name');
  throw conflict(`"${server.name}" has no plaintext secret in any client config: there is nothing to move.`, 'name');
}

/**
 * `scan --fix-secrets`: every entry of every server seen in a config that holds plaintext secrets.
 * An entry that fails (a file changed meanwhile) does not stop the others; its error is returned.
 */
export function fixAllSecrets(options: SecureOptions, ctx: SecureContext): { results: SecureOutcome[]; errors: { server: string; config_path: string; message: string }[] } {
  const db = options.store.db;
  const candidates = stmt<[], { server_id: string }>(db,
    `SELECT DISTINCT server_id FROM alerts WHERE type = 'plaintext_secret' AND state != 'resolved' AND server_id IS NOT NULL ORDER BY server_id`,
  ).all();
  const results: SecureOutcome[] = [];
  const errors: { server: string; config_path: string; message: string }[] = [];
  for (const { server_id } of candidates) {
    for (const entry of linkedEntries(db, server_id)) {
      try {
        const outcome = secureEntry(options, entry, ctx);
        if (outcome !== null) results.push(outcome);
      } catch (error) {
        if (!(error instanceof WardenError)) throw error;
        const name = stmt<[string], { name: string }>(db, 'SELECT name FROM servers WHERE id = ?').get(server_id)?.name ?? server_id;
        errors.push({ server: name, config_path: entry.location.path, message: error.message });
      }
    }
  }
  return { results, errors };
}

function linkedEntries(db: Db, serverId: string): LinkedEntry[] {
  return linksOfServer(db, serverId, 'by-file')
    .filter((l) => l.present === 1)
    .map((l) => ({ server_id: l.server_id, pointer: l.pointer, key: l.key, location: l.location }));
}

interface Move {
  location: string;
  /** The env key. */
  field: string;
  /** The plaintext value (memory only). */
  value: string;
}

/** Secures one entry; null when the entry holds no plaintext secret (or is gone from the file). */
function secureEntry(options: SecureOptions, linked: LinkedEntry, ctx: SecureContext): SecureOutcome | null {
  const { db } = options.store;
  const now = (options.now ?? (() => new Date()))();
  const file = linked.location.path;
  // The registry first learns what the file says now (a drifted entry must not be papered over).
  scanConfig({ ...options, force: true }, linked.location);
  const { text, sha256 } = readConfigForEdit(file);
  const parsed = parseConfig(text, linked.location);
  if (!parsed.ok) throw new WardenError('failed', `${file} cannot be parsed (${parsed.error.message} at line ${parsed.error.line}, column ${parsed.error.column}): fix it before moving its secrets.`, 'config_path');
  const entry = parsed.servers.find((s) => s.pointer === linked.pointer);
  if (entry === undefined) return null;

  const locations = hygieneFindings(entry).filter((f) => f.type === 'plaintext_secret').map((f) => f.location);
  if (locations.length === 0) return null;
  const server = getServer(db, linked.server_id);
  const base = { server: server.name, config_path: file, key: entry.key };

  const stuck = blockers(db, server, linked, entry, locations);
  if (stuck.length > 0) return { ...base, moved: [], backup: null, not_moved: stuck };
  const moves = Object.entries(entry.env).filter(([, value]) => value !== '' && !WHOLE_HANDLE.test(value)).map(([field, value]) => ({ location: `env.${field}`, field, value }));

  // 2. Keychain (and the secrets' metadata): a handle already naming this value is reused.
  const reserved = new Set<string>();
  const moved: { location: string; secret: string }[] = [];
  const changes: HandleChanges = { env: {}, headers: {} };
  for (const [field, value] of Object.entries(entry.env)) if (value === '' || WHOLE_HANDLE.test(value)) changes.env[field] = value;
  for (const move of moves) {
    let secret = reusableSecret(server, move, ctx.keychain);
    if (secret === undefined) {
      secret = generateSecretName(db, server.name, move.field, reserved);
      reserved.add(secret.toLowerCase());
      addSecret(options.store, ctx.keychain, { name: secret, value: move.value, description: `Moved from ${CLIENT_NAMES[linked.location.client]} (${file}, ${entry.key}, ${move.location})` }, now);
    }
    changes.env[move.field] = secretHandle(secret);
    moved.push({ location: move.location, secret });
  }

  // 3. Registry.
  setSecretHandles(db, server.id, changes, now);

  // 4. The file: the entry runs the launcher, which gives the server the definition's environment.
  const launch = launcherEntry(server.name, ctx.launcher);
  const edited = rewriteEntry(text, entry, launch);
  let backup: string | null;
  try {
    ({ backup } = writeConfigAtomically(file, sha256, edited, now));
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/\.$/, '') : String(error);
    throw new WardenError(
      error instanceof WardenError ? error.code : 'failed',
      `The secrets of "${server.name}" are in the keychain (${moved.map((m) => m.secret).join(', ')}) and its definition uses them, but ${file} was not rewritten (${why}): run the command again to finish; until then the entry still holds the plaintext values.`,
      'config_path',
    );
  }

  // 5. Audit, then the rescan that links the entry as attached.
  db.transaction(() => {
    recordRuntime(db, agentIdFor(linked.location), entry.pointer, ctx.launcher);
    appendAudit(db, { actor: 'user', type: 'secrets.moved', server_id: server.id, details: { name: server.name, client: linked.location.client, config_path: file, key: entry.key, moved, backup } }, now);
  }).immediate();
  scanConfig({ ...options, force: true }, linked.location);
  return { ...base, moved, backup, not_moved: [] };
}

/** Why the entry cannot run through the launcher with its env in the keychain: one line per place, empty when it can. */
function blockers(db: Db, server: ServerDefinition, linked: LinkedEntry, entry: DiscoveredServer, locations: readonly string[]): { location: string; reason: string }[] {
  if (entry.transport !== 'stdio') {
    return locations.map((location) => ({ location, reason: `The launcher starts stdio servers only, so this ${entry.transport} entry keeps its ${location.startsWith('headers.') ? 'header' : 'value'} in the config: the client itself sends it.` }));
  }
  const drift = stmt<[string, string], { id: number; title: string }>(db,
    `SELECT id, title FROM alerts WHERE server_id = ? AND agent_id = ? AND state != 'resolved' AND type IN ('launch_changed', 'env_changed', 'executable_changed') ORDER BY id LIMIT 1`,
  ).get(server.id, agentIdFor(linked.location));
  if (drift !== undefined) {
    return [{ location: 'entry', reason: `The entry differs from the registered definition (alert ${drift.id}: ${drift.title}), and the launcher runs the definition: approve the entry as it is (\`mcp-warden mcp approve ${server.name}\`), then move its secrets.` }];
  }
  const stuck: { location: string; reason: string }[] = [];
  for (const location of locations) {
    if (location.startsWith('env.')) continue;
    stuck.push({ location, reason: location.startsWith('args[')
      ? 'The server reads this secret from its command line, and MCP Warden cannot hand it over another way without changing what the server does: if the server accepts it from an environment variable, use that instead, then run this again.'
      : location.startsWith('url')
        ? 'The secret is part of the URL, and handles may not stand in a URL (it ends up in logs): use a header or environment variable the server accepts.'
        : `A secret in the ${location === 'cwd' ? 'working directory' : location} cannot be replaced by a handle: remove it from there by hand.` });
  }
  for (const [field, value] of Object.entries(entry.env)) {
    if (CLIENT_EXPANDED.test(value) && !WHOLE_HANDLE.test(value)) stuck.push({ location: `env.${field}`, reason: 'The client expands this value itself (a ${...} or $NAME reference), which the launcher cannot do: write the value in, or leave this entry as it is.' });
  }
  return stuck;
}

/** A handle the definition already has for this env key or header whose keychain value is this value. */
function reusableSecret(server: ServerDefinition, move: Move, keychain: Keychain): string | undefined {
  const current = server.env_template.find((p) => p.key === move.field)?.value;
  for (const name of secretHandlesIn(current ?? '')) {
    if (keychain.get(name) === move.value) return name;
  }
  return undefined;
}

/** RFC 6901 pointer -> path segments. */
function pointerPath(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * The file's text with the entry running the launcher: exactly the entry attach writes
 * (core/attach/attached-entry.ts), so the rescan finds it attached. A client's own bookkeeping
 * (`disabled`, `autoApprove`...) and every other key of the file stay.
 */
function rewriteEntry(text: string, entry: DiscoveredServer, launch: LauncherEntry): string {
  const at = pointerPath(entry.pointer);
  const doc = readJsonDocument(text);
  let node: JsonValue | undefined = doc.ok ? doc.value : undefined;
  for (const segment of at) node = node instanceof Map ? node.get(segment) : undefined;
  return writeLauncherFields(text, at, node instanceof Map ? node : new Map(), launch);
}
