/**
 * One scan of one client config: read it, parse it, reconcile its servers with the registry, and
 * turn every difference into a condition that core/alerts raises once and resolves when it clears.
 * A file that cannot be read or parsed leaves the registry exactly as it was.
 */
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import path from 'node:path';
import type { Alert } from '../api/alert.ts';
import type { ConfigLocation, ConfigProblem, DiscoveredServer } from '../api/discovery.ts';
import type { ServerDefinition, ServerStatus } from '../api/server.ts';
import { serverUrlOf } from '../api/server.ts';
import { NAME_PATTERN, safeName } from '../api/names.ts';
import { syncConditions, type Condition } from '../alerts/alert-store.ts';
import { ALERT_RULES } from '../alerts/rules.ts';
import { shouldNotify, type Notifier } from '../alerts/notifier.ts';
import { hygieneFindings, type HygieneFinding } from '../drift/hygiene.ts';
import { hashExecutable } from '../integrity/executable-hash.ts';
import { launchFingerprint } from '../registry/fingerprint.ts';
import { findServer } from '../registry/read.ts';
import { insertServer, secretReferences, serverIdFor, writeSecretReferences, writeServer } from '../registry/register.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { resolveCommand } from '../registry/resolve-command.ts';
import { getSetting } from '../settings/settings.ts';
import { recomputeTrust } from '../trust/record.ts';
import { verifyServer } from '../attest/attest.ts';
import type { Db, Store } from '../store/database.ts';
import { parseConfig } from './parse.ts';
import { readConfigFile, type ConfigFileRead } from './read-config-file.ts';
import { redactEntry, redactionKey } from './redact.ts';
import { CLIENT_NAMES } from './clients/index.ts';
import { ScanAlerts } from './scan-alerts.ts';
import { stmt } from '../store/statements.ts';
import {
  attestedServersOf,
  configFileState,
  countToReview,
  linkAt,
  linkDeclaredEntry,
  linkDiscoveredEntry,
  linkLauncherEntry,
  linksOfConfig,
  markAbsent,
  markBaseline,
  recordConfigFile,
  recordSeenEntry,
  touchEntry,
  type ConfigFileState,
  type Link,
} from '../links/index.ts';
import { definitionAsEntry } from '../registry/as-entry.ts';
import { launcherFormReader, linkDiffering, type LauncherForm } from '../attach/attached-entry.ts';

export interface ScanOptions {
  store: Store;
  /** The environment whose PATH resolves config commands (the monitor's). */
  env: Record<string, string | undefined>;
  now?: () => Date;
  /** Evaluate even when the file is byte-identical to the last scan (executables may have moved). */
  force?: boolean;
  /** Return `deferred` instead of raising a parse-error alert (the monitor retries after a grace period). */
  deferParseErrors?: boolean;
  notifier?: Notifier;
}

export interface ScannedServer {
  key: string;
  pointer: string;
  server_id: string | null;
  name: string | null;
  status: ServerStatus | null;
  transport: string;
  launch: string;
  disabled: boolean;
  /** The entry runs the server through MCP Warden's launcher (`mcp-warden run <name>`). */
  attached: boolean;
}

/** `unreadable`: something other than a client config sits at the path (a device, a FIFO, a link loop, a file too large). */
export type ConfigState = 'ok' | 'missing' | 'unparseable' | 'unreadable' | 'absent' | 'unchanged' | 'deferred';

export interface ConfigScanResult {
  location: ConfigLocation;
  agent_id: string;
  state: ConfigState;
  servers: ScannedServer[];
  problems: ConfigProblem[];
  error?: { message: string; line: number; column: number };
  /** Every condition that holds for this config now, raised or already known. */
  conditions: Condition[];
  opened: Alert[];
  /** Alerts whose condition came back soon after it cleared (core/alerts: REOPEN_WINDOW_MS); not notified again. */
  reopened: Alert[];
  resolved: Alert[];
  projectPaths: string[];
}

interface Resolved {
  path: string | null;
  sha256: string | null;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export function agentIdFor(location: Pick<ConfigLocation, 'client' | 'path'>): string {
  return `agt_${sha256(JSON.stringify([location.client, location.path])).slice(0, 24)}`;
}

const clientName = (location: ConfigLocation): string => CLIENT_NAMES[location.client] ?? location.client;

/**
 * Config entries reconciled per write transaction. Between two, other processes get the write lock,
 * and an asynchronous scan yields to the event loop (signals, heartbeats and API requests are served).
 */
export const SCAN_CHUNK = 200;

/** A scan stopped by its signal between two transactions; what it committed is consistent. */
export class ScanInterrupted extends Error {
  readonly path: string;

  constructor(file: string) {
    super(`The scan of ${file} was stopped before it finished; the next scan reads it again in full.`);
    this.name = 'ScanInterrupted';
    this.path = file;
  }
}

/** Scans one config to the end before returning. */
export function scanConfig(options: ScanOptions, location: ConfigLocation): ConfigScanResult {
  const steps = scanSteps(options, location);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * The same scan, yielding to the event loop after each transaction, so a config of 20,000 servers
 * leaves the process responsive. Rejects with ScanInterrupted once `signal` aborts (at the next
 * transaction boundary).
 */
export async function scanConfigAsync(options: ScanOptions, location: ConfigLocation, signal?: AbortSignal): Promise<ConfigScanResult> {
  const steps = scanSteps(options, location);
  for (;;) {
    if (signal?.aborted === true) throw new ScanInterrupted(location.path);
    const step = steps.next();
    if (step.done === true) return step.value;
    await setImmediate();
  }
}

/**
 * One scan as a sequence of write transactions, yielding after each. A config's entries are
 * reconciled SCAN_CHUNK at a time, each chunk committing its servers, links, alerts and trust
 * scores together (core/discovery/scan-alerts.ts). Stopped between two chunks, the database holds
 * a consistent part of the scan, and the config's stored content hash stays cleared until the last
 * chunk, so the next scan reads the file again in full.
 */
function* scanSteps(options: ScanOptions, location: ConfigLocation): Generator<void, ConfigScanResult, undefined> {
  const { db } = options.store;
  const now = (options.now ?? (() => new Date()))();
  const agentId = agentIdFor(location);
  const result: ConfigScanResult = { location, agent_id: agentId, state: 'ok', servers: [], problems: [], conditions: [], opened: [], reopened: [], resolved: [], projectPaths: [] };
  const agent = configFileState(db, agentId);
  const title = { client: clientName(location), file: location.path, server: '', count: 0, detail: '' };

  const read = readConfigFile(location.path);
  if (!read.ok && read.problem === 'missing') {
    if (agent === undefined) return { ...result, state: 'absent' };
    result.state = 'missing';
    result.conditions.push({ type: 'config_missing', title: ALERT_RULES.config_missing.title(title), dedup_key: `config_missing:${agentId}`, server_id: null, agent_id: agentId, details: { file: location.path } });
    return commit(options, result, now, (d) => {
      recordConfigFile(d, location, agentId, { state: 'missing', sha: agent.content_sha256 }, now);
      return { types: FILE_STATE_TYPES };
    });
  }
  if (!read.ok) return unreadable(options, result, read, { agent, title, now });

  const bytes = read.bytes;
  const sha = sha256(bytes);
  if (agent !== undefined && agent.state === 'ok' && agent.content_sha256 === sha && options.force !== true) return { ...result, state: 'unchanged' };

  const parsed = parseConfig(bytes.toString('utf8'), location);
  if (!parsed.ok) {
    if (options.deferParseErrors === true) return { ...result, state: 'deferred', error: parsed.error };
    result.state = 'unparseable';
    result.error = parsed.error;
    const where = parsed.error.line > 0 ? ` at line ${parsed.error.line}, column ${parsed.error.column}` : '';
    result.conditions.push({
      type: 'config_parse_error',
      title: ALERT_RULES.config_parse_error.title({ ...title, detail: `${parsed.error.message}${where}` }),
      dedup_key: `config_parse_error:${agentId}:${sha}`,
      server_id: null,
      agent_id: agentId,
      details: { file: location.path, ...parsed.error },
    });
    // Only the file's own state changes: the registry and every other alert stay as they were.
    return commit(options, result, now, (d) => {
      recordConfigFile(d, location, agentId, { state: 'unparseable', sha }, now);
      return { types: FILE_STATE_TYPES };
    });
  }

  result.problems = parsed.problems;
  result.projectPaths = parsed.projectPaths;
  return yield* reconcileEntries(options, result, parsed.servers, { baseline: agent?.baseline_at == null, sha, now, title });
}

type Title = Parameters<typeof ALERT_RULES.launch_changed.title>[0];

/** The entries of a config that parsed, in chunks; then removed entries, stale alerts, the agent row. */
function* reconcileEntries(
  options: ScanOptions,
  result: ConfigScanResult,
  servers: readonly DiscoveredServer[],
  scan: { baseline: boolean; sha: string; now: Date; title: Title },
): Generator<void, ConfigScanResult, undefined> {
  const { db } = options.store;
  const { location, agent_id: agentId } = result;
  const { baseline, now, title } = scan;
  const write = <T>(fn: () => T): T => db.transaction(fn).immediate();
  const notify = (opened: readonly Alert[]) => {
    const loud = opened.filter(shouldNotify);
    if (loud.length > 0) options.notifier?.notify(loud);
  };
  const { policy, key } = write(() => {
    // No content hash until the last chunk: a scan stopped half way is never taken for a complete one.
    recordConfigFile(db, location, agentId, { state: 'ok', sha: null }, now);
    return { policy: getSetting(db, 'new-server-policy'), key: redactionKey(db) };
  });
  const seen = new Set<string>();
  const alerts = new ScanAlerts(agentId, seen);
  const resolved = new Map<string, Resolved>();
  const launcherForm = launcherFormReader(options.store, agentId);

  for (let start = 0; start < servers.length; start += SCAN_CHUNK) {
    // Slow work (finding and hashing executables) before the write transaction.
    const entries = servers.slice(start, start + SCAN_CHUNK).map((entry) => {
      const launcher = launcherForm(entry);
      // An attached entry's command is Node (or the app): the executable that matters is the definition's, checked at launch.
      return { entry, launcher, findings: hygieneFindings(entry), resolved: launcher?.differences.length === 0 ? { path: null, sha256: null } : resolveEntry(db, entry, location, options.env, resolved) };
    });
    notify(write(() => {
      const conditions: Condition[] = [];
      const linked = new Set<string>();
      for (const { entry, launcher, findings, resolved: exe } of entries) {
        const server = reconcileEntry(db, options, { entry, launcher, findings, exe, link: linkAt(db, agentId, entry.pointer) }, { location, agentId, baseline, policy, key, title, now }, conditions, result);
        seen.add(entry.pointer);
        if (server !== undefined) linked.add(server.id);
      }
      result.conditions.push(...conditions);
      return alerts.chunk(db, conditions, linked, now);
    }));
    yield;
  }

  // Entries gone from the file: their links are kept, marked absent, and each raises server_removed.
  const gone = linksOfConfig(db, agentId)
    .filter((l) => !seen.has(l.pointer) && l.last_seen_at !== '');
  const ending: Condition[] = [];
  for (let start = 0; start < gone.length; start += SCAN_CHUNK) {
    write(() => {
      for (const l of gone.slice(start, start + SCAN_CHUNK)) {
        if (l.present === 1) markAbsent(db, agentId, l.pointer);
        const server = findServer(db, l.server_id);
        if (server === undefined) continue;
        ending.push({
          type: 'server_removed',
          title: ALERT_RULES.server_removed.title({ ...title, server: server.name }),
          dedup_key: `server_removed:${server.id}:${agentId}`,
          server_id: server.id,
          agent_id: agentId,
          details: { key: l.key, pointer: l.pointer, file: location.path },
        });
      }
    });
    yield;
  }

  const toReview = { n: countToReview(db, agentId) };
  if (toReview.n > 0) {
    ending.push({
      type: 'servers_to_review',
      title: ALERT_RULES.servers_to_review.title({ ...title, count: toReview.n }),
      dedup_key: `servers_to_review:${agentId}`,
      server_id: null,
      agent_id: agentId,
      details: { file: location.path, count: toReview.n },
    });
  }
  result.conditions.push(...ending);

  for (const batch of alerts.remaining(db, ending, SCAN_CHUNK)) {
    notify(write(() => alerts.settle(db, batch, now)));
    yield;
  }
  write(() => {
    recordConfigFile(db, location, agentId, { state: 'ok', sha: scan.sha }, now);
    if (baseline) markBaseline(db, agentId, now);
  });
  result.opened = alerts.opened;
  result.reopened = alerts.reopened;
  result.resolved = alerts.resolved;
  reverifyAttested(options, result);
  return result;
}

/**
 * One entry of a config that parsed, inside its chunk's transaction: links it to the server it
 * stands for (registering a discovered one where the policy says so) and collects its conditions.
 * Returns the server it is linked to, if any.
 */
function reconcileEntry(
  d: Db,
  options: ScanOptions,
  item: { entry: DiscoveredServer; launcher: LauncherForm | null; findings: HygieneFinding[]; exe: Resolved; link: Link | undefined },
  scan: { location: ConfigLocation; agentId: string; baseline: boolean; policy: string; key: ReturnType<typeof redactionKey>; title: Title; now: Date },
  conditions: Condition[],
  result: ConfigScanResult,
): ServerDefinition | undefined {
  const { entry, launcher, findings, exe, link } = item;
  const { location, agentId, baseline, policy, key, title, now } = scan;
  const secretLocations = new Set(findings.filter((f) => f.type === 'plaintext_secret').map((f) => f.location));
  const observed = redactEntry(entry, key, secretLocations);
  let server: ServerDefinition | undefined = link === undefined ? undefined : findServer(d, link.server_id);
  // A server the user declared by name takes the first entry of that name that no other holds.
  const declared = launcher !== null ? undefined : server?.status === 'declared' ? server : link === undefined ? declaredNamed(d, entry.key) : undefined;
  const exact = launcher?.differences.length === 0 ? launcher : null;
  // The launcher's form but not its exact entry, for a server of this registry: not attached, an alert (core/attach/attached-entry.ts).
  const differs = launcher !== null && exact === null ? launcher : null;
  const differing = differs === null ? undefined : (server ?? (differs.home === path.resolve(options.store.dataDir) ? findServer(d, differs.name) : undefined));
  if (exact !== null) {
    const attached = reconcileAttached(d, options.store.dataDir, observed, exact, link, server, { ...title, server: server?.name ?? entry.key }, { location, agentId, baseline }, now);
    server = attached.server;
    conditions.push(...attached.conditions);
  } else if (differs !== null && differing !== undefined) {
    server = differing;
    conditions.push(linkDiffering(d, observed, differs, server, { ...title, server: server.name }, { client: location.client, file: location.path, agentId, baseline }, now));
  } else if (declared !== undefined) {
    server = matchDeclared(d, declared, observed, exe, { location, agentId, baseline }, now);
    recomputeTrust(d, server.id, now);
  } else if (link !== undefined && server !== undefined) {
    // A plain entry where an attached one was: compared with the definition again, like any other.
    recordSeenEntry(d, agentId, entry, observed, now);
    conditions.push(...driftConditions(server, observed, exe, link, { ...title, server: server.name }, agentId));
  } else if (baseline || policy === 'register') {
    server = registerDiscovered(d, observed, exe, location, now);
    linkDiscoveredEntry(d, agentId, server.id, entry, observed, baseline, now);
    if (!baseline) conditions.push(unapprovedCondition(server, { ...title, server: server.name }, agentId));
  } else {
    conditions.push({
      type: 'unregistered_server',
      title: ALERT_RULES.unregistered_server.title({ ...title, server: entry.key }),
      dedup_key: `unregistered_server:${agentId}:${entry.pointer}`,
      server_id: null,
      agent_id: agentId,
      details: { key: entry.key, pointer: entry.pointer, file: location.path, entry: observed },
    });
  }
  for (const finding of findings) conditions.push(hygieneCondition(finding, entry, server, { ...title, server: server?.name ?? entry.key }, agentId));
  result.servers.push({
    key: entry.key,
    pointer: entry.pointer,
    server_id: server?.id ?? null,
    name: server?.name ?? null,
    status: server?.status ?? null,
    transport: entry.transport,
    launch: entry.transport === 'stdio' ? [entry.command ?? '', ...observed.args].join(' ') : (observed.url ?? ''),
    disabled: entry.disabled,
    attached: exact !== null && server !== undefined && server.name.toLowerCase() === exact.name.toLowerCase(),
  });
  return server;
}

/** A file that is missing, unreadable or does not parse: one IMMEDIATE transaction for its own state and alerts, then notifies. */
function commit(options: ScanOptions, result: ConfigScanResult, now: Date, reconcile: (db: Db) => { types?: Condition['type'][] }): ConfigScanResult {
  const { db } = options.store;
  db.transaction(() => {
    const scope = reconcile(db);
    const synced = syncConditions(db, { agent_id: result.agent_id, types: scope.types }, result.conditions, now);
    result.opened = synced.opened;
    result.reopened = synced.reopened;
    result.resolved = synced.resolved;
    // Scores move with alerts; servers whose alerts did not change keep theirs (a new one gets its
    // first score when anything about it changes, or on `trust`).
    const touched = new Set([...synced.opened, ...synced.reopened, ...synced.resolved].map((a) => a.server_id).filter((id): id is string => id !== null));
    for (const id of touched) recomputeTrust(db, id, now);
  }).immediate();
  const loud = result.opened.filter(shouldNotify);
  if (loud.length > 0) options.notifier?.notify(loud);
  return result;
}

/**
 * A config that changed may launch an attested server differently, or point at a replaced
 * executable: re-verify the attested servers it lists (cheap: file hashes are cached).
 */
function reverifyAttested(options: ScanOptions, result: ConfigScanResult): void {
  const { db } = options.store;
  for (const server_id of attestedServersOf(db, result.agent_id)) {
    const server = findServer(db, server_id);
    if (server === undefined) continue;
    const verified = verifyServer(options.store, server, { notifier: options.notifier });
    result.opened.push(...verified.opened);
    result.resolved.push(...verified.resolved);
    // Reported with the config's findings (scan's exit code and SARIF count it); raised by verify.
    const alert = verified.alert;
    if (alert !== null) {
      result.conditions.push({ type: alert.type, title: alert.title, dedup_key: alert.dedup_key, server_id: alert.server_id, agent_id: null, details: alert.details, severity: alert.severity });
    }
  }
}

function resolveEntry(db: Db, entry: DiscoveredServer, location: ConfigLocation, env: ScanOptions['env'], cache: Map<string, Resolved>): Resolved {
  if (entry.transport !== 'stdio' || entry.command === null || entry.command === '') return { path: null, sha256: null };
  const cwd = entry.cwd ?? path.dirname(location.path);
  const cacheKey = `${cwd}\0${entry.command}`;
  const known = cache.get(cacheKey);
  if (known !== undefined) return known;
  let found: Resolved = { path: null, sha256: null };
  try {
    const resolvedPath = resolveCommand(entry.command, { cwd, env });
    found = { path: resolvedPath, sha256: hashExecutable(db, resolvedPath) };
  } catch {
    // A command this machine cannot find is recorded as written; it is not a scan failure.
  }
  cache.set(cacheKey, found);
  return found;
}

/**
 * A registry name from a config key: made valid (`safeName`: a key such as `--home`, `..` or `NUL`
 * is what the client runs, so it is registered, under a derived name, with the key as display
 * name), and unique by adding the client, then a number.
 */
function uniqueName(db: Db, key: string, client: string): string {
  const base = safeName(key);
  const withClient = `${base.slice(0, 63 - client.length)}.${client}`;
  const stem = withClient.slice(0, 60);
  // One query for every name this could collide with (names are unique regardless of case).
  const taken = new Set(
    stmt<[string, string, string], { name: string }>(db, "SELECT lower(name) AS name FROM servers WHERE name = ? OR name = ? OR name LIKE ? ESCAPE '\\'")
      .all(base, withClient, `${stem.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`)
      .map((r) => r.name),
  );
  const free = (name: string) => NAME_PATTERN.test(name) && !taken.has(name.toLowerCase());
  if (free(base)) return base;
  if (free(withClient)) return withClient;
  for (let i = 2; ; i++) if (free(`${stem}-${i}`)) return `${stem}-${i}`;
}

function registerDiscovered(db: Db, observed: DiscoveredServer, exe: Resolved, location: ConfigLocation, now: Date): ServerDefinition {
  const source = { kind: 'discovered' as const, client: location.client, config_path: location.path, key: observed.key, pointer: observed.pointer };
  const id = serverIdFor(observed.key, source);
  const existing = findServer(db, id);
  if (existing !== undefined) return existing;
  const launch = definitionOf(observed, exe);
  const at = now.toISOString();
  const def: ServerDefinition = {
    id,
    name: uniqueName(db, observed.key, location.client),
    display_name: observed.key,
    description: '',
    ...launch,
    capabilities: [],
    server_url: '',
    source,
    fingerprint: launchFingerprint(launch),
    status: 'discovered',
    command_sha256: exe.sha256,
    allowed_rules: [],
    created_at: at,
    updated_at: at,
  };
  def.server_url = serverUrlOf(def);
  insertServer(db, def, { actor: 'monitor' });
  return def;
}

function declaredNamed(db: Db, key: string): ServerDefinition | undefined {
  const row = stmt<[string], { id: string }>(db, 'SELECT id FROM servers WHERE name = ? AND declared = 1').get(key);
  return row === undefined ? undefined : findServer(db, row.id);
}

/**
 * A declared server meets its config entry: the entry is linked to it and its (redacted) launch
 * becomes the server's, approved, since the user declared it. Audited as `server.matched`.
 */
function matchDeclared(db: Db, server: ServerDefinition, observed: DiscoveredServer, exe: Resolved, where: { location: ConfigLocation; agentId: string; baseline: boolean }, now: Date): ServerDefinition {
  const launch = definitionOf(observed, exe);
  const next: ServerDefinition = { ...server, ...launch, status: 'approved', fingerprint: launchFingerprint(launch), command_sha256: exe.sha256, updated_at: now.toISOString() };
  next.server_url = serverUrlOf(next);
  writeServer(db, next);
  // Handles the entry holds are referenced like any definition's; a missing secret shows at launch.
  writeSecretReferences(db, next.id, secretReferences(next));
  linkDeclaredEntry(db, where.agentId, next.id, observed, where.baseline, now);
  appendAudit(db, {
    actor: 'monitor',
    type: 'server.matched',
    server_id: next.id,
    details: { name: next.name, client: where.location.client, config_path: where.location.path, key: observed.key, pointer: observed.pointer, transport: next.transport, command: next.command, url: next.url, fingerprint: next.fingerprint },
  }, now);
  return next;
}

/** The launch part of a definition, from a (redacted) config entry. */
export function definitionOf(observed: DiscoveredServer, exe: Resolved): Pick<ServerDefinition, 'transport' | 'command' | 'args' | 'cwd' | 'url' | 'headers' | 'env_template'> {
  return {
    transport: observed.transport,
    command: observed.transport === 'stdio' ? (exe.path ?? observed.command) : null,
    args: observed.args,
    cwd: observed.cwd,
    url: observed.transport === 'stdio' ? null : observed.url,
    headers: observed.headers,
    env_template: Object.entries(observed.env).map(([k, value]) => ({ key: k, value })),
  };
}

const LAUNCH_FIELDS = ['transport', 'command', 'args', 'cwd', 'url', 'headers'] as const;

function driftConditions(server: ServerDefinition, observed: DiscoveredServer, exe: Resolved, link: Link, title: Parameters<typeof ALERT_RULES.launch_changed.title>[0], agentId: string): Condition[] {
  const conditions: Condition[] = [];
  if (server.status === 'discovered' && link.in_baseline === 0) conditions.push(unapprovedCondition(server, title, agentId));

  const now = definitionOf(observed, exe);
  // A command recorded as written (not found then) is compared as written.
  if (server.command !== null && !path.isAbsolute(server.command)) now.command = observed.command;
  // A definition made by hand holds header values (or handles) the config does not show: compare names.
  if (server.source.kind === 'manual') now.headers = Object.fromEntries(Object.keys(observed.headers).map((h) => [h, server.headers[h] ?? '']));
  const changed: Record<string, { before: unknown; after: unknown }> = {};
  for (const field of LAUNCH_FIELDS) {
    if (JSON.stringify(normalise(server[field])) !== JSON.stringify(normalise(now[field]))) changed[field] = { before: server[field], after: now[field] };
  }
  const fields = Object.keys(changed);
  if (fields.length > 0) {
    conditions.push({
      type: 'launch_changed',
      title: ALERT_RULES.launch_changed.title({ ...title, detail: fields.join(', ') }),
      dedup_key: `launch_changed:${server.id}:${launchFingerprint(now)}:${sha256(JSON.stringify(changed)).slice(0, 16)}`,
      server_id: server.id,
      agent_id: agentId,
      details: { fields: changed, pointer: observed.pointer },
    });
  }

  const before = new Set(server.env_template.map((e) => e.key));
  const after = new Set(Object.keys(observed.env));
  const added = [...after].filter((k) => !before.has(k)).sort();
  const removed = [...before].filter((k) => !after.has(k)).sort();
  if (added.length > 0 || removed.length > 0) {
    const detail = [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''].filter(Boolean).join('; ');
    conditions.push({
      type: 'env_changed',
      title: ALERT_RULES.env_changed.title({ ...title, detail }),
      dedup_key: `env_changed:${server.id}:${[...after].sort().join(',')}`,
      server_id: server.id,
      agent_id: agentId,
      details: { added, removed, before: [...before].sort(), after: [...after].sort() },
    });
  }

  if (server.command_sha256 !== null && exe.path === server.command && exe.sha256 !== null && exe.sha256 !== server.command_sha256) {
    conditions.push({
      type: 'executable_changed',
      title: ALERT_RULES.executable_changed.title({ ...title, detail: `${exe.path} has a different SHA-256` }),
      dedup_key: `executable_changed:${server.id}:${exe.sha256}`,
      server_id: server.id,
      agent_id: agentId,
      details: { path: exe.path, before: server.command_sha256, after: exe.sha256 },
    });
  }
  return conditions;
}

/**
 * An entry that is exactly this installation's launcher entry: it is linked to the server it names with attached = 1, and its
 * launch is not compared with the definition (the launcher starts the registered definition and
 * verifies it there). The link keeps the last plain observation (or the definition's), which is what
 * approve and detach read. Conditions: the entry names a server this registry does not have (or
 * another data directory), or a linked entry now runs the launcher for a different server.
 */
function reconcileAttached(
  d: Db,
  dataDir: string,
  observed: DiscoveredServer,
  launcher: LauncherForm,
  link: Link | undefined,
  linked: ServerDefinition | undefined,
  title: Parameters<typeof ALERT_RULES.launch_changed.title>[0],
  where: { location: ConfigLocation; agentId: string; baseline: boolean },
  now: Date,
): { server: ServerDefinition | undefined; conditions: Condition[] } {
  const named = launcher.home === path.resolve(dataDir) ? findServer(d, launcher.name) : undefined;
  const runs = `mcp-warden${launcher.home === path.resolve(dataDir) ? '' : ` --home ${launcher.home}`} run ${launcher.name}`;
  if (link !== undefined && linked !== undefined && linked.id !== named?.id) {
    touchEntry(d, where.agentId, observed, now);
    const changed = { launcher: { before: `mcp-warden run ${linked.name}`, after: runs } };
    return {
      server: linked,
      conditions: [{
        type: 'launch_changed',
        title: ALERT_RULES.launch_changed.title({ ...title, server: linked.name, detail: 'launcher' }),
        dedup_key: `launch_changed:${linked.id}:launcher:${sha256(runs).slice(0, 16)}`,
        server_id: linked.id,
        agent_id: where.agentId,
        details: { fields: changed, pointer: observed.pointer },
      }],
    };
  }
  if (named === undefined) {
    return {
      server: undefined,
      conditions: [{
        type: 'unregistered_server',
        title: ALERT_RULES.unregistered_server.title({ ...title, server: `${observed.key} (${runs})` }),
        dedup_key: `unregistered_server:${where.agentId}:${observed.pointer}`,
        server_id: null,
        agent_id: where.agentId,
        details: { key: observed.key, pointer: observed.pointer, file: where.location.path, launcher: launcher.name, home: launcher.home, reason: 'The entry runs the launcher for a server this registry does not have.' },
      }],
    };
  }
  linkLauncherEntry(d, where.agentId, named.id, observed, definitionAsEntry(named, observed), where.baseline, now, true);
  const conditions = named.status === 'discovered' && link?.in_baseline !== 1 && !where.baseline ? [unapprovedCondition(named, { ...title, server: named.name }, where.agentId)] : [];
  return { server: named, conditions };
}

/** Objects compared regardless of key order. */
function normalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

function unapprovedCondition(server: ServerDefinition, title: Parameters<typeof ALERT_RULES.unapproved_server.title>[0], agentId: string): Condition {
  return {
    type: 'unapproved_server',
    title: ALERT_RULES.unapproved_server.title({ ...title, server: server.name }),
    dedup_key: `unapproved_server:${server.id}`,
    server_id: server.id,
    agent_id: agentId,
    details: { name: server.name, transport: server.transport, command: server.command, args: server.args, url: server.url, env_keys: server.env_template.map((e) => e.key) },
  };
}

function hygieneCondition(finding: HygieneFinding, entry: DiscoveredServer, server: ServerDefinition | undefined, title: Parameters<typeof ALERT_RULES.plaintext_secret.title>[0], agentId: string): Condition {
  return {
    type: finding.type,
    severity: finding.severity,
    title: ALERT_RULES[finding.type].title({ ...title, detail: `${finding.location}: ${finding.evidence}` }),
    dedup_key: `${finding.type}:${agentId}:${entry.pointer}:${finding.location}`,
    server_id: server?.id ?? null,
    agent_id: agentId,
    details: { location: finding.location, message: finding.message, evidence: finding.evidence, key: entry.key, pointer: entry.pointer },
  };
}

/** The alerts about the file itself: a scan that can read it resolves those that no longer hold. */
const FILE_STATE_TYPES: Condition['type'][] = ['config_missing', 'config_parse_error', 'config_unreadable'];

/**
 * What sits at the path is not a readable config: said in its alert (high for a device, FIFO or
 * socket, which was put there), and like a parse failure it changes only the file's own state. The
 * agents table stores it as `unparseable`, its state for "there, but no servers can be read from it".
 */
function unreadable(
  options: ScanOptions,
  result: ConfigScanResult,
  read: Extract<ConfigFileRead, { detail: string }>,
  at: { agent: ConfigFileState | undefined; title: Parameters<typeof ALERT_RULES.config_unreadable.title>[0]; now: Date },
): ConfigScanResult {
  const { agent_id: agentId, location } = result;
  result.state = 'unreadable';
  result.error = { message: read.detail, line: 0, column: 0 };
  result.conditions.push({
    type: 'config_unreadable',
    ...(read.problem === 'special_file' ? { severity: 'high' as const } : {}),
    title: ALERT_RULES.config_unreadable.title({ ...at.title, detail: read.detail }),
    // A file that keeps growing is one condition, not one per size.
    dedup_key: `config_unreadable:${agentId}:${read.problem === 'too_large' ? read.problem : sha256(read.detail).slice(0, 16)}`,
    server_id: null,
    agent_id: agentId,
    details: { file: location.path, problem: read.problem, message: read.detail },
  });
  return commit(options, result, at.now, (d) => {
    recordConfigFile(d, location, agentId, { state: 'unparseable', sha: at.agent?.content_sha256 ?? null }, at.now);
    return { types: FILE_STATE_TYPES };
  });
}
