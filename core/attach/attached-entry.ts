/**
 * Whether a client config entry is attached: exactly the entry this installation's attach writes
 * (launcher-entry.ts), field for field. The scan, attach and secure ask this one module. An entry in
 * the launcher's form that differs anywhere (another command, an env variable such as NODE_OPTIONS,
 * a working directory, another script in args[0], a field the client reads that attach does not
 * write) is not attached: what it runs beside the keychain's secrets is no longer what MCP Warden put
 * there. It is drift on the link, `launcher_entry_tampered`. Decisions in docs/attach.md.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { Condition } from '../alerts/alert-store.ts';
import { ALERT_RULES, type TitleContext } from '../alerts/rules.ts';
import type { ClientId, DiscoveredServer } from '../api/discovery.ts';
import type { ServerDefinition } from '../api/server.ts';
import { quoteName, writtenEntryOf } from '../discovery/normalise-entry.ts';
import type { JsonObject, JsonValue } from '../discovery/read-json.ts';
import { linkLauncherEntry, recordedLaunchers, recordLauncher } from '../links/index.ts';
import { definitionAsEntry } from '../registry/as-entry.ts';
import type { Db, Store } from '../store/database.ts';
import { editJson } from './config-file.ts';
import { acceptedLauncherArgs, bareDefaultDataDir, launcherContextFromProcess, parseLauncherEntry, type LauncherContext, type LauncherEntry } from './launcher-entry.ts';

/** The program a launcher entry starts and the environment the entry sets: Node, or the packaged app in Node mode. */
export interface LauncherRuntime {
  command: string;
  env: Record<string, string>;
}

export interface LauncherExpectation {
  /** This installation's bin/mcp-warden.mjs: the only script an attached entry may run. */
  cliEntry: string;
  /** What `command` and `env` may be: this process's runtime, and the one attach recorded for the entry. */
  runtimes: readonly LauncherRuntime[];
}

export interface EntryDifference {
  /** `command`, `args[0]`, `args`, `env.<NAME>`, `cwd`, or the name of another field. */
  field: string;
  /** For a title: `env adds NODE_OPTIONS`. */
  label: string;
  /** What this installation writes there (paths and ELECTRON_RUN_AS_NODE: never a secret). */
  before: unknown;
}

export interface LauncherForm {
  name: string;
  /** The data directory the entry names, resolved (the bare default when it names none). */
  home: string;
  /** Empty when the entry is exactly the one this installation writes: then, and only then, it is attached. */
  differences: EntryDifference[];
}

/** The fields of the launcher entry itself. Attach never writes `cwd`: any working directory is a difference. */
const LAUNCH_FIELDS = new Set(['command', 'args', 'env', 'cwd']);
const TYPE_FIELDS = new Set(['type', 'transport', 'transportType']);

const isStdio = (v: JsonValue): boolean => v === 'stdio';
const isBoolean = (v: JsonValue): boolean => typeof v === 'boolean';
const isNames = (v: JsonValue): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isNumber = (v: JsonValue): boolean => typeof v === 'number';

/**
 * Fields clients write for their own bookkeeping, which do not change what the client starts: attach
 * keeps them and they are no difference. Every other field is one (VS Code's `envFile` and `dev`,
 * Gemini's `trust`, whatever a client reads next), and attach removes it.
 */
const CLIENT_FIELDS: Readonly<Record<string, { valid: (v: JsonValue) => boolean; is: string }>> = {
  type: { valid: isStdio, is: '"stdio"' },
  transport: { valid: isStdio, is: '"stdio"' },
  transportType: { valid: isStdio, is: '"stdio"' },
  disabled: { valid: isBoolean, is: 'true or false' },
  enabled: { valid: isBoolean, is: 'true or false' },
  autoApprove: { valid: isNames, is: 'a list of tool names' },
  alwaysAllow: { valid: isNames, is: 'a list of tool names' },
  disabledTools: { valid: isNames, is: 'a list of tool names' },
  timeout: { valid: isNumber, is: 'a number' },
};

const clientField = (field: string) => (Object.hasOwn(CLIENT_FIELDS, field) ? CLIENT_FIELDS[field] : undefined);

/** A field attach leaves as it is: a client's bookkeeping with a value of the right type. */
export const keptByAttach = (field: string, value: JsonValue): boolean => clientField(field)?.valid(value) === true;

/** A field or variable name for a title: bare when plain, else quoted and cut short (a hostile key must not flood a notification). */
const shown = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name) ? name : quoteName(name));

export const runtimeOf = (ctx: LauncherContext): LauncherRuntime => ({ command: ctx.execPath, env: { ...(ctx.env ?? {}) } });

export function expectationOf(ctx: LauncherContext, recorded?: LauncherRuntime): LauncherExpectation {
  return { cliEntry: ctx.cliEntry, runtimes: [runtimeOf(ctx), ...(recorded === undefined ? [] : [recorded])] };
}

/**
 * The entry's launcher form, or null when it does not run the launcher at all (a plain entry).
 * `written` is the entry as the file has it (every field, values as typed): the normalised entry
 * would hide a command written as one string, an arg written as a number, or an unknown field.
 */
export function launcherFormOf(entry: DiscoveredServer, expect: LauncherExpectation, written: JsonObject | undefined = writtenEntryOf(entry)): LauncherForm | null {
  if (entry.transport !== 'stdio') return null;
  const parsed = parseLauncherEntry(entry);
  if (parsed === null) return null;
  const home = parsed.home === null ? bareDefaultDataDir() : path.resolve(parsed.home);
  const differences = written === undefined
    ? [{ field: 'entry', label: 'the entry as written is unknown', before: null }]
    : differencesFrom(written, acceptedLauncherArgs(parsed.name, expect.cliEntry, home === bareDefaultDataDir() ? null : home), expect);
  return { name: parsed.name, home, differences };
}

function differencesFrom(written: JsonObject, accepted: readonly string[][], expect: LauncherExpectation): EntryDifference[] {
  const out: EntryDifference[] = [];
  const command = written.get('command');
  const runtime = expect.runtimes.find((r) => r.command === command) ?? expect.runtimes[0];
  if (runtime === undefined || command !== runtime.command) out.push({ field: 'command', label: 'command differs', before: runtime?.command ?? null });

  const got = written.get('args');
  const sameAs = (args: readonly string[]): boolean => Array.isArray(got) && got.length === args.length && got.every((a, i) => a === args[i]);
  const args = accepted.find(sameAs) ?? (accepted[0] as string[]);
  if (!Array.isArray(got)) {
    out.push({ field: 'args', label: 'args differ', before: args });
  } else {
    if (got[0] !== args[0]) out.push({ field: 'args[0]', label: "args[0] is not this installation's launcher script", before: args[0] });
    if (got.length !== args.length || got.some((a, i) => i > 0 && a !== args[i])) out.push({ field: 'args', label: 'args differ', before: args });
  }

  const want = runtime?.env ?? {};
  const env = written.get('env');
  if (env !== undefined && env !== null && !(env instanceof Map)) {
    out.push({ field: 'env', label: 'env is not an object', before: want });
  } else {
    const have = env instanceof Map ? env : new Map<string, JsonValue>();
    for (const [name, value] of have) {
      if (!Object.hasOwn(want, name)) out.push({ field: `env.${name}`, label: `env adds ${shown(name)}`, before: null });
      else if (value !== want[name]) out.push({ field: `env.${name}`, label: `env changes ${shown(name)}`, before: want[name] });
    }
    for (const name of Object.keys(want)) if (!have.has(name)) out.push({ field: `env.${name}`, label: `env removes ${shown(name)}`, before: want[name] });
  }

  if (written.get('cwd') !== undefined && written.get('cwd') !== null) out.push({ field: 'cwd', label: 'cwd is set', before: null });
  for (const [field, value] of written) {
    if (LAUNCH_FIELDS.has(field)) continue;
    const rule = clientField(field);
    if (rule === undefined) out.push({ field, label: `adds field ${shown(field)}`, before: null });
    else if (!rule.valid(value)) out.push({ field, label: `${shown(field)} is not ${rule.is}`, before: null });
  }
  return out;
}

/**
 * The text with the existing entry at `segments` made exactly `wanted`: command, args and env
 * written; cwd and every field that is not a client's own bookkeeping removed; a type field set to
 * stdio. Client bookkeeping (`disabled`, `autoApprove`...) stays as the user or client left it.
 */
export function writeLauncherFields(text: string, segments: readonly string[], current: JsonObject, wanted: LauncherEntry): string {
  let out = withoutShadowedKeys(text, segments);
  out = editJson(out, [...segments, 'command'], wanted.command);
  out = editJson(out, [...segments, 'args'], wanted.args);
  if (wanted.env !== undefined) out = editJson(out, [...segments, 'env'], wanted.env);
  else if (current.has('env')) out = editJson(out, [...segments, 'env'], undefined);
  for (const [field, value] of current) {
    if (field === 'command' || field === 'args' || field === 'env' || keptByAttach(field, value)) continue;
    out = editJson(out, [...segments, field], TYPE_FIELDS.has(field) ? 'stdio' : undefined);
  }
  return out;
}

/**
 * The text with every key written twice on the way to the entry, and in the entry, written once: the
 * client reads the last one (as JSON.parse does), while an edit changes the first, so a repeated
 * `"env"` or server key would survive a re-attach. The earlier ones are removed, the last one kept.
 */
function withoutShadowedKeys(text: string, segments: readonly string[]): string {
  let out = text;
  for (let depth = 0; depth <= segments.length; depth++) {
    for (;;) {
      const body = out.startsWith('\uFEFF') ? out.slice(1) : out;
      const root = parseTree(body, [], { allowTrailingComma: true });
      const node = root === undefined ? undefined : depth === 0 ? root : findNodeAtLocation(root, segments.slice(0, depth));
      if (node?.type !== 'object') return out;
      const names = (node.children ?? []).map((p) => p.children?.[0]?.value as string);
      // On the way only the next segment matters; in the entry itself, every field.
      const repeated = names.find((n, i) => names.indexOf(n) !== i && (depth === segments.length || n === segments[depth]));
      if (repeated === undefined) break;
      out = editJson(out, [...segments.slice(0, depth), repeated], undefined);
    }
  }
  return out;
}

/** The runtime attach wrote into an entry, kept in the link (`observed.launcher`) so another runtime of this installation accepts it. */
export function recordRuntime(db: Db, agentId: string, pointer: string, ctx: LauncherContext): void {
  recordLauncher(db, agentId, pointer, runtimeOf(ctx));
}

function recordedRuntimes(db: Db, agentId: string): Map<string, LauncherRuntime> {
  const rows = recordedLaunchers(db, agentId);
  const found = new Map<string, LauncherRuntime>();
  for (const row of rows) {
    const value = JSON.parse(row.launcher) as Partial<LauncherRuntime>;
    const env = value.env ?? {};
    if (typeof value.command === 'string' && typeof env === 'object' && Object.values(env).every((v) => typeof v === 'string')) found.set(row.pointer, { command: value.command, env });
  }
  return found;
}

const installations = new Map<string, LauncherContext | null>();

/** This installation as the launcher, for a data directory (null when its own package folder cannot be found). */
function thisInstallation(dataDir: string): LauncherContext | null {
  if (!installations.has(dataDir)) {
    try {
      installations.set(dataDir, launcherContextFromProcess(dataDir));
    } catch {
      installations.set(dataDir, null);
    }
  }
  return installations.get(dataDir) ?? null;
}

/**
 * The launcher form of each entry of one config, as the scan sees it: compared with what this
 * process would write and with what attach recorded for that entry (read once, when the config has
 * an entry in the launcher's form at all).
 */
export function launcherFormReader(store: Store, agentId: string): (entry: DiscoveredServer) => LauncherForm | null {
  const ctx = thisInstallation(store.dataDir);
  let recorded: Map<string, LauncherRuntime> | undefined;
  return (entry) => {
    if (entry.transport !== 'stdio' || parseLauncherEntry(entry) === null) return null;
    recorded ??= recordedRuntimes(store.db, agentId);
    const expect = ctx === null ? { cliEntry: '', runtimes: [] } : expectationOf(ctx, recorded.get(entry.pointer));
    return launcherFormOf(entry, expect);
  };
}

/**
 * A word of a shell command the user may paste: bare when it needs no quoting, else single-quoted
 * (nothing expands there in POSIX shells or PowerShell). A key or a project path comes from a file an
 * attacker may write, so one holding a quote or a control character, which could end the quoting or
 * rewrite the terminal line, is replaced by a placeholder (`details` has the value).
 */
const word = (s: string, placeholder: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : /['\u0000-\u001f\u007f]/.test(s) ? placeholder : `'${s}'`);

/**
 * An entry in the launcher's form, for a server of this registry, that is not the exact entry: the
 * link says not attached (its plain observation stays, for approve and detach) and the condition is
 * `launcher_entry_tampered`, naming what differs and the command that writes the exact entry again.
 * `observed` is the redacted entry: the only values of the file an alert may show.
 */
export function linkDiffering(
  d: Db,
  observed: DiscoveredServer,
  form: LauncherForm,
  server: ServerDefinition,
  title: TitleContext,
  where: { client: ClientId; file: string; agentId: string; baseline: boolean },
  now: Date,
): Condition {
  linkLauncherEntry(d, where.agentId, server.id, observed, definitionAsEntry(server, observed), where.baseline, now, false);
  const differences = form.differences.map((d) => ({ ...d, after: shownValue(observed, d.field) }));
  const fix = `mcp-warden mcp attach ${server.name} --client ${where.client} --config ${word(where.file, '<file>')}${observed.key === server.name ? '' : ` --key ${word(observed.key, '<key>')}`}`;
  const detail = `${form.differences.map((d) => d.label).join(', ')}; re-attach it: ${fix}`;
  return {
    type: 'launcher_entry_tampered',
    title: ALERT_RULES.launcher_entry_tampered.title({ ...title, server: server.name, detail }),
    dedup_key: `launcher_entry_tampered:${where.agentId}:${observed.pointer}:${createHash('sha256').update(JSON.stringify(differences)).digest('hex').slice(0, 16)}`,
    server_id: server.id,
    agent_id: where.agentId,
    details: { key: observed.key, pointer: observed.pointer, file: where.file, launcher: form.name, differences, fix },
  };
}

/** What the entry has at a difference's field, from the redacted entry (env values are digests); another field only shows that it is set. */
function shownValue(observed: DiscoveredServer, field: string): unknown {
  if (field === 'command') return observed.command;
  if (field === 'args') return observed.args;
  if (field === 'args[0]') return observed.args[0] ?? null;
  if (field === 'cwd') return observed.cwd;
  if (field.startsWith('env.')) return Object.hasOwn(observed.env, field.slice(4)) ? observed.env[field.slice(4)] : null;
  return '(set)';
}
