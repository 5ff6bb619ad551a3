/**
 * Attach: rewrite a server's entry in a client's config so the client starts it through the
 * launcher (`mcp-warden run <name>`), which runs the registered definition with its keychain
 * secrets. Detach: put a plain entry back (or remove it). Both go through the safe writer
 * (config-file.ts) and then scan the file at once, so their own change raises no drift alert.
 * Decisions are in docs/attach.md.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { AttachResult } from '../api/launcher.ts';
import type { ClientId, ConfigLocation, DiscoveredServer, PlatformEnv } from '../api/discovery.ts';
import { CLIENT_IDS } from '../api/discovery.ts';
import { commandLineOf } from '../api/command-line.ts';
import { conflict, invalidInput, notFound, WardenError } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { jsonPointer } from '../discovery/json-pointer.ts';
import { normaliseEntry } from '../discovery/normalise-entry.ts';
import { readConfigFile } from '../discovery/read-config-file.ts';
import { readJsonDocument, type JsonObject, type JsonValue } from '../discovery/read-json.ts';
import { REDACTED } from '../discovery/redact.ts';
import { knownLocations } from '../discovery/scan-all.ts';
import { agentIdFor, scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { SERVERS_AT } from '../registry/link.ts';
import { getServer } from '../registry/read.ts';
import { resolveCommand } from '../registry/resolve-command.ts';
import { assertRunnable } from '../registry/runnable.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { editJson, readConfigForEdit, writeConfigAtomically } from './config-file.ts';
import { definitionAsEntry } from '../registry/as-entry.ts';
import { ensureConfigFile, linkAt, linksOfServerForClient, markAttached, markDetached, recordAttachedFrom, removeLink, type Link } from '../links/index.ts';
import { bareDefaultDataDir, launcherEntry, parseLauncherEntry, type LauncherContext } from './launcher-entry.ts';
import { expectationOf, keptByAttach, launcherFormOf, recordRuntime, writeLauncherFields } from './attached-entry.ts';

export type AttachOptions = ScanOptions & {
  where: PlatformEnv;
  /** Called after the file was read and before it is written (tests use it to edit the file meanwhile). */
  beforeWrite?: (file: string) => void;
};

export interface AttachRequest {
  client: string;
  /** The config file; by default where the server is already listed for that client, else the client's first config that exists, else its first location. */
  configPath?: string;
  /** The entry's key; by default the key the server already has there, else its name. */
  key?: string;
  launcher: LauncherContext;
}

export interface DetachRequest {
  client: string;
  configPath?: string;
  /** Remove the entry instead of restoring a plain one. */
  remove?: boolean;
  launcher?: LauncherContext;
}

/** Entry fields attach owns: replaced by the launcher's, restored by detach. Every other field stays. */
const OWNED = ['command', 'args', 'env', 'cwd'] as const;
/** Alerts saying the entry no longer matches the definition: attaching would silently switch to the definition. */
const DRIFT_TYPES = ['launch_changed', 'env_changed', 'executable_changed'];
const HANDLE = /\{\{\s*secret:/;

type LinkRow = Link;

interface Target {
  location: ConfigLocation;
  agentId: string;
  key: string;
  /** JSON path of the entry in the file. */
  segments: string[];
  pointer: string;
}

export function attachServer(options: AttachOptions, nameOrId: string, request: AttachRequest): AttachResult {
  const { db } = options.store;
  const server = getServer(db, nameOrId);
  assertRunnable(server);
  if (server.transport !== 'stdio') {
    throw invalidInput('name', `"${server.name}" is an ${server.transport} server: the launcher starts stdio servers only, so it cannot be attached.`);
  }
  if (server.status === 'discovered') {
    throw conflict(`"${server.name}" was discovered but never approved: approve it first with \`mcp-warden mcp approve ${server.name}\`, then attach it.`, 'name');
  }
  // Attaching makes the client start it: a command line from the API waits for a person first (core/probe/consent.ts).
  if (server.status === 'pending') {
    throw conflict(`"${server.name}" was registered through the API with the command line ${commandLineOf(server, 300)}, which no person has confirmed: confirm it first (in the web UI, or with \`mcp-warden mcp approve ${server.name}\`), then attach it.`, 'name');
  }
  const target = targetOf(options, server, request);
  const file = target.location.path;
  // The registry first learns what the file says now: an unseen change must not be papered over.
  scanConfig({ ...options, force: true }, target.location);

  const doc = readConfigForEdit(file);
  const current = entryIn(doc.text, file, target.segments);
  const link = linkAt(db, target.agentId, target.pointer);
  const wanted = launcherEntry(server.name, request.launcher);
  let text: string;
  /** Where the plain entry's exact bytes are kept (the backup) and their hash, for a byte-exact detach. */
  let original: { backup: string; sha256: string } | null = null;
  let originalText: string | null = null;

  if (current !== undefined) {
    if (link?.server_id !== server.id) throw keyTaken(db, target, link, server);
    const entry = normaliseEntry(target.key, current, target.pointer, target.location.client);
    if (!entry.ok) throw conflict(`The entry "${target.key}" of ${file} cannot be read (${entry.problem.message}): fix it first; nothing was written.`, 'config');
    // Compared with exactly what this attach writes: anything else there (a wrapper, NODE_OPTIONS, a cwd, a field) is rewritten.
    const running = launcherFormOf(entry.server, expectationOf(request.launcher));
    const exact = running !== null && running.differences.length === 0;
    if (exact && running.name !== server.name) {
      throw conflict(`The entry "${target.key}" of ${file} runs the launcher for "${running.name}", not "${server.name}": choose another --key.`, 'key');
    }
    if (exact && running.home === (request.launcher.dataDir ?? bareDefaultDataDir())) return result(server, target, false, null);
    if (running === null) {
      // A plain entry: attaching must not silently switch it to a definition it no longer matches.
      assertMatchesDefinition(db, server, target, entry.server);
      originalText = entryText(doc.text, target.segments);
    }
    // normaliseEntry accepted it, so it is an object.
    text = writeLauncherFields(doc.text, target.segments, current as JsonObject, wanted);
  } else {
    if (link !== undefined && link.server_id !== server.id) throw keyTaken(db, target, link, server);
    // VS Code's files name the transport of every entry; the others infer stdio from the command.
    const typed = target.location.format === 'vscode-mcp' || target.location.format === 'vscode-settings';
    text = editJson(doc.text, target.segments, { ...(typed ? { type: 'stdio' } : {}), ...wanted });
  }

  options.beforeWrite?.(file);
  const now = (options.now ?? (() => new Date()))();
  const { backup } = writeConfigAtomically(file, doc.sha256, text, now);
  if (backup !== null && originalText !== null) original = { backup, sha256: sha256Of(originalText) };
  db.transaction(() => {
    ensureConfigFile(db, target.agentId, target.location, now);
    // A new entry is linked before the scan sees it, with the definition as its plain form (what approve reads).
    markAttached(db, target.agentId, target.pointer, server.id, target.key, definitionAsEntry(server, target));
    recordRuntime(db, target.agentId, target.pointer, request.launcher);
    if (original !== null) {
      // Only the backup's path and the entry's hash: the bytes themselves stay in the backup file.
      recordAttachedFrom(db, target.agentId, target.pointer, original);
    }
    appendAudit(db, { actor: 'user', type: 'server.attached', server_id: server.id, details: { name: server.name, client: target.location.client, config_path: file, key: target.key, backup, command: wanted.command, args: wanted.args } }, now);
  }).immediate();
  scanConfig({ ...options, force: true }, target.location);
  return result(server, target, true, backup);
}

export function detachServer(options: AttachOptions, nameOrId: string, request: DetachRequest): AttachResult {
  const { db } = options.store;
  const server = getServer(db, nameOrId);
  const target = targetOf(options, server, request);
  const file = target.location.path;
  scanConfig({ ...options, force: true }, target.location);

  const link = linkAt(db, target.agentId, target.pointer);
  const doc = readConfigForEdit(file);
  const current = entryIn(doc.text, file, target.segments);
  const entry = current === undefined ? undefined : normaliseEntry(target.key, current, target.pointer, target.location.client);
  const running = entry?.ok === true ? parseLauncherEntry(entry.server) : null;
  if (link?.server_id !== server.id || link.attached !== 1 || running?.name !== server.name) {
    // Nothing of ours is there: detaching again is not an error (apply relies on it), it changes nothing.
    return result(server, target, false, null);
  }

  let text: string;
  if (request.remove === true) {
    text = editJson(doc.text, target.segments, undefined);
  } else {
    const secretKeys = server.env_template.filter((e) => HANDLE.test(e.value)).map((e) => e.key);
    if (secretKeys.length > 0) {
      throw conflict(
        `"${server.name}" gets ${secretKeys.join(', ')} from the keychain, and a plain entry would have to hold ${secretKeys.length === 1 ? 'that value' : 'those values'} in plaintext: keep it attached, or detach with --remove to delete the entry.`,
        'name',
      );
    }
    const plain = plainEntry(server, target, link, options.env);
    const exact = originalEntry(link, target, current, plain);
    if (exact !== null) {
      text = spliceEntry(doc.text, target.segments, exact);
    } else {
      text = doc.text;
      for (const field of OWNED) text = editJson(text, [...target.segments, field], plain[field]);
    }
  }

  options.beforeWrite?.(file);
  const now = (options.now ?? (() => new Date()))();
  const { backup } = writeConfigAtomically(file, doc.sha256, text, now);
  db.transaction(() => {
    if (request.remove === true) {
      // Our own removal is not a "server removed" drift: the link goes with the entry.
      removeLink(db, target.agentId, target.pointer);
    } else {
      markDetached(db, target.agentId, target.pointer);
    }
    appendAudit(db, { actor: 'user', type: 'server.detached', server_id: server.id, details: { name: server.name, client: target.location.client, config_path: file, key: target.key, removed: request.remove === true, backup } }, now);
  }).immediate();
  scanConfig({ ...options, force: true }, target.location);
  return result(server, target, true, backup);
}

function result(server: ServerDefinition, target: Target, changed: boolean, backup: string | null): AttachResult {
  return { server: server.name, client: target.location.client, config_path: target.location.path, key: target.key, changed, backup };
}

/** The config and key: given, else where the server is already listed for that client, else defaults. */
function targetOf(options: AttachOptions, server: ServerDefinition, request: { client: string; configPath?: string; key?: string }): Target {
  const { db } = options.store;
  if (!(CLIENT_IDS as readonly string[]).includes(request.client)) {
    throw invalidInput('client', `Unknown client "${request.client}": use ${CLIENT_IDS.join(', ')}.`);
  }
  const client = request.client as ClientId;
  const candidates = knownLocations(db, options.where).filter((l) => l.client === client);
  const listed = linksOfServerForClient(db, server.id, client).map((l) => ({ ...l, path: l.location.path }));
  const wantedPath = request.configPath === undefined ? undefined : path.resolve(request.configPath);
  const at = (p: string) => candidates.find((l) => l.path === p);
  const location = wantedPath !== undefined
    ? at(wantedPath)
    : (listed.map((l) => at(l.path)).find((l) => l !== undefined) ?? candidates.find((l) => existsFile(l.path)) ?? candidates[0]);
  if (location === undefined) {
    throw notFound(`${request.configPath ?? 'That file'} is not a config file of ${request.client}: use one of ${candidates.map((l) => l.path).join(', ')}.`, 'config');
  }
  const here = listed.find((l) => l.path === location.path && (request.key === undefined || l.key === request.key));
  if (here !== undefined) return { location, agentId: agentIdFor(location), key: here.key, segments: pointerSegments(here.pointer), pointer: here.pointer };
  const key = request.key ?? server.name;
  const segments = [...SERVERS_AT[location.format], key];
  return { location, agentId: agentIdFor(location), key, segments, pointer: jsonPointer(...segments) };
}

function existsFile(file: string): boolean {
  return readConfigForEdit(file).exists;
}

/** RFC 6901 back to segments. */
function pointerSegments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The entry's JSON value, undefined when absent; a file that is not a JSON object is refused. */
function entryIn(text: string, file: string, segments: string[]): JsonValue | undefined {
  if (text === '') return undefined;
  const doc = readJsonDocument(text);
  if (!doc.ok) throw new WardenError('failed', `${file} is not valid JSON (${doc.error.message} at line ${doc.error.line}, column ${doc.error.column}): fix it first; nothing was written.`, 'config');
  if (!(doc.value instanceof Map)) throw new WardenError('failed', `${file} does not hold a JSON object: fix it first; nothing was written.`, 'config');
  let node: JsonValue | undefined = doc.value;
  for (const segment of segments) {
    if (!(node instanceof Map)) {
      if (node === undefined || node === null) return undefined;
      throw new WardenError('failed', `${file} has ${segments.slice(0, segments.indexOf(segment)).join('.')} that is not an object: fix it first; nothing was written.`, 'config');
    }
    node = node.get(segment);
  }
  return node;
}

function keyTaken(db: Db, target: Target, link: LinkRow | undefined, server: ServerDefinition): WardenError {
  const other = link === undefined ? undefined : stmt<[string], { name: string }>(db, 'SELECT name FROM servers WHERE id = ?').get(link.server_id);
  const holder = other === undefined ? 'an entry that is not registered' : `server "${other.name}"`;
  return conflict(`The entry "${target.key}" of ${target.location.path} is already ${holder}, not "${server.name}": choose another --key, or remove that entry first.`, 'key');
}

/**
 * Attaching replaces the entry's launch with the registered definition's. Refused when that would
 * change what runs: an open drift alert (the entry differs from the definition), or an env value
 * the definition does not hold (the scan keeps config values as digests: `secure` moves them first).
 */
function assertMatchesDefinition(db: Db, server: ServerDefinition, target: Target, entry: DiscoveredServer): void {
  const drift = stmt<[string, string], { id: number; title: string }>(db,
    `SELECT id, title FROM alerts WHERE server_id = ? AND agent_id = ? AND state != 'resolved' AND type IN (${DRIFT_TYPES.map((t) => `'${t}'`).join(', ')}) ORDER BY id LIMIT 1`,
  ).get(server.id, target.agentId);
  if (drift !== undefined) {
    throw conflict(`The entry "${target.key}" of ${target.location.path} differs from the registered "${server.name}" (alert ${drift.id}: ${drift.title}): approve it as it is, or restore it, then attach.`, 'name');
  }
  const digested = [server.command ?? '', server.cwd ?? '', ...server.args].some((v) => REDACTED.test(v));
  if (digested) {
    throw conflict(`The entry "${target.key}" of ${target.location.path} has a secret in its command line, which MCP Warden keeps only as a digest: move it out of the arguments (into the keychain) before attaching.`, 'name');
  }
  // Discovery keeps env values only as keyed digests (core/discovery/redact.ts), unless they are
  // references or handles: the launcher could not give such a value to the server.
  const template = new Map(server.env_template.map((e) => [e.key, e.value]));
  const lost = Object.entries(entry.env).filter(([k, v]) => template.get(k) !== v && !HANDLE.test(template.get(k) ?? '')).map(([k]) => k);
  if (lost.length > 0) {
    throw conflict(
      `The entry "${target.key}" of ${target.location.path} sets ${lost.join(', ')}, whose ${lost.length === 1 ? 'value' : 'values'} MCP Warden does not hold, so the launcher could not pass ${lost.length === 1 ? 'it' : 'them'} on: move ${lost.length === 1 ? 'it' : 'them'} to the keychain first with \`mcp-warden mcp secure ${server.name}\`.`,
      'name',
    );
  }
}

/**
 * The plain entry detach writes: the registered definition, with the command as the entry wrote it
 * before attach (`npx`) when that still resolves to the definition's executable, so a round trip
 * gives back the same bytes.
 */
function plainEntry(server: ServerDefinition, target: Target, link: LinkRow, env: ScanOptions['env']): Record<(typeof OWNED)[number], unknown> {
  let command = server.command;
  const before = JSON.parse(link.observed) as Partial<DiscoveredServer>;
  if (typeof before.command === 'string' && before.command !== command && JSON.stringify(before.args) === JSON.stringify(server.args)) {
    try {
      if (resolveCommand(before.command, { cwd: server.cwd ?? path.dirname(target.location.path), env }) === command) command = before.command;
    } catch {
      // Not found here: the definition's absolute path is written.
    }
  }
  return {
    command,
    args: server.args,
    env: server.env_template.length > 0 ? Object.fromEntries(server.env_template.map((e) => [e.key, e.value])) : undefined,
    cwd: server.cwd ?? undefined,
  };
}

const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The exact text of the value at `segments`. */
function entryText(text: string, segments: string[]): string | null {
  const root = parseTree(text.startsWith('\uFEFF') ? text.slice(1) : text, [], { allowTrailingComma: true });
  const node = root === undefined ? undefined : findNodeAtLocation(root, segments);
  if (node === undefined) return null;
  const offset = text.startsWith('\uFEFF') ? 1 : 0;
  return text.slice(node.offset + offset, node.offset + offset + node.length);
}

function spliceEntry(text: string, segments: string[], replacement: string): string {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const root = parseTree(text.slice(bom), [], { allowTrailingComma: true });
  const node = root === undefined ? undefined : findNodeAtLocation(root, segments);
  if (node === undefined) return text;
  return text.slice(0, node.offset + bom) + replacement + text.slice(node.offset + bom + node.length);
}

/**
 * The plain entry exactly as it was before attach, read back from attach's backup, when that is
 * still right: the backup holds the same bytes (hash), they launch what the plain entry would, and
 * every field we do not own is as it is now (a change the user made while attached is not undone).
 */
function originalEntry(link: LinkRow, target: Target, current: JsonValue | undefined, plain: Record<(typeof OWNED)[number], unknown>): string | null {
  const from = (JSON.parse(link.observed) as { attached_from?: { backup?: unknown; sha256?: unknown } }).attached_from;
  if (typeof from?.backup !== 'string' || typeof from.sha256 !== 'string' || !(current instanceof Map)) return null;
  // The backup sits beside the config, where whoever can replace the config can replace it too.
  const backup = readConfigFile(from.backup);
  if (!backup.ok) return null;
  const backupText = backup.bytes.toString('utf8');
  const text = entryText(backupText, target.segments);
  if (text === null || sha256Of(text) !== from.sha256) return null;
  const before = readJsonDocument(text);
  if (!before.ok || !(before.value instanceof Map)) return null;
  // The fields attach kept (a client's bookkeeping): attach removed the others, so they cannot be compared.
  const rest = (m: Map<string, JsonValue>) => JSON.stringify([...m].filter(([k, v]) => keptByAttach(k, v)).map(([k, v]) => [k, plainJson(v)]).sort());
  if (rest(before.value) !== rest(current)) return null;
  const owned = (field: (typeof OWNED)[number]) => JSON.stringify(plainJson(before.value instanceof Map ? (before.value.get(field) ?? null) : null));
  const want = (field: (typeof OWNED)[number]) => JSON.stringify(plain[field] ?? null);
  return OWNED.every((f) => owned(f) === want(f)) ? text : null;
}

/** Maps to plain objects, for comparing parsed values. */
function plainJson(value: JsonValue): unknown {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plainJson(v)]));
  if (Array.isArray(value)) return value.map(plainJson);
  return value;
}
