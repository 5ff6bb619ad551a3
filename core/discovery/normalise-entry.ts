/**
 * Turns one server entry of a client config into a DiscoveredServer, or into a problem saying in
 * one sentence why it was skipped. Pure and total: any JSON value goes in, nothing throws.
 *
 * Rules:
 * - transport: `type` (or, when it is absent, `transport`, then Cline's `transportType`) of `stdio`, `http`, `sse`,
 *   `streamable-http` or `streamableHttp` (both -> `http`). Without one, it is inferred the way the
 *   client does: a command means stdio, `httpUrl` means http, `url`/`serverUrl` mean http — except
 *   Gemini CLI, which reads `url` as SSE and checks `httpUrl`, then `url`, before `command`.
 * - url: the first non-empty string of `url`, `serverUrl`, `httpUrl` (Gemini: `httpUrl` first).
 * - args: missing or null -> []; numbers and booleans become strings; anything else is a problem.
 *   A command with spaces and no args is split as a shell would (see split-command.ts).
 * - env and headers: objects whose values are strings (numbers and booleans become strings).
 * - cwd: a string or null (an empty string counts as null).
 * - disabled: `disabled: true` or `enabled: false`; any other value (including a non-boolean) means
 *   enabled, the cautious reading for a watcher.
 * - A field of the wrong type skips the whole entry: a server shown with a guessed launch line
 *   would be fingerprinted and approved as something it is not.
 */
import type { ClientId, ConfigProblem, DiscoveredServer } from '../api/discovery.ts';
import type { Transport } from '../api/server.ts';
import { childPointer } from './json-pointer.ts';
import type { JsonObject, JsonValue } from './read-json.ts';
import { splitCommandLine } from './split-command.ts';

export type EntryOutcome = { ok: true; server: DiscoveredServer } | { ok: false; problem: ConfigProblem };

const TYPE_ALIASES: Record<string, Transport> = {
  stdio: 'stdio',
  http: 'http',
  sse: 'sse',
  'streamable-http': 'http',
  streamableHttp: 'http',
};

/** Thrown only inside this module, to stop at the first bad field; normaliseEntry turns it into a problem. */
class EntryProblem {
  readonly pointer: string;
  readonly reason: string;
  constructor(pointer: string, reason: string) {
    this.pointer = pointer;
    this.reason = reason;
  }
}

/**
 * The entry as written, for each server normalised here. Kept beside the server rather than in it:
 * a DiscoveredServer is what gets stored (redacted), and the written entry holds plaintext values.
 */
const written = new WeakMap<DiscoveredServer, JsonObject>();

/** The JSON object a server was read from (deciding whether it is exactly the launcher's entry needs every field). */
export function writtenEntryOf(server: DiscoveredServer): JsonObject | undefined {
  return written.get(server);
}

export function normaliseEntry(key: string, entry: JsonValue, pointer: string, client: ClientId): EntryOutcome {
  try {
    const server = readEntry(key, entry, pointer, client);
    written.set(server, entry as JsonObject);
    return { ok: true, server };
  } catch (e) {
    if (!(e instanceof EntryProblem)) throw e;
    return { ok: false, problem: { pointer: e.pointer, message: `Server ${quoteName(key)} was skipped: ${e.reason}.` } };
  }
}

function readEntry(key: string, entry: JsonValue, pointer: string, client: ClientId): DiscoveredServer {
  if (!(entry instanceof Map)) throw new EntryProblem(pointer, `its entry is ${describe(entry)}, not an object`);
  const at = (...segments: (string | number)[]): string => childPointer(pointer, ...segments);

  const written = optionalString(entry, 'command', at);
  const urlFields = client === 'gemini-cli' ? (['httpUrl', 'url', 'serverUrl'] as const) : (['url', 'serverUrl', 'httpUrl'] as const);
  let urlField: string | undefined;
  let url: string | null = null;
  for (const field of urlFields) {
    const value = optionalString(entry, field, at);
    if (value !== null && url === null) {
      url = value;
      urlField = field;
    }
  }
  const transport = readType(entry, at) ?? inferTransport(client, written !== null, urlField);
  if (transport === undefined) throw new EntryProblem(pointer, 'it has neither a command nor a url');
  if (transport === 'stdio' && written === null) throw new EntryProblem(pointer, 'its type is stdio but it has no command');
  if (transport !== 'stdio' && url === null) throw new EntryProblem(pointer, `its type is ${transport} but it has no url`);

  let command = written;
  let args = readArgs(entry, at);
  if (command !== null && args.length === 0) {
    const split = splitCommandLine(command);
    if (split !== undefined) ({ command, args } = split);
  }
  return {
    key,
    pointer,
    transport,
    command,
    args,
    cwd: optionalString(entry, 'cwd', at),
    url,
    headers: readStringRecord(entry, 'headers', at),
    env: readStringRecord(entry, 'env', at),
    disabled: entry.get('disabled') === true || entry.get('enabled') === false,
  };
}

function inferTransport(client: ClientId, hasCommand: boolean, urlField: string | undefined): Transport | undefined {
  if (client === 'gemini-cli') {
    // Gemini CLI's own order: httpUrl (Streamable HTTP), then url (SSE), then command.
    if (urlField === 'httpUrl') return 'http';
    if (urlField === 'url') return 'sse';
    if (urlField !== undefined && !hasCommand) return 'http';
  }
  if (hasCommand) return 'stdio';
  return urlField === undefined ? undefined : 'http';
}

/** Older Cline configs write `transportType`; `type` wins when several are set. */
const TYPE_FIELDS = ['type', 'transport', 'transportType'] as const;

function readType(entry: JsonObject, at: (...s: string[]) => string): Transport | undefined {
  const field = TYPE_FIELDS.find((f) => entry.get(f) !== undefined && entry.get(f) !== null);
  if (field === undefined) return undefined;
  const value = entry.get(field) ?? null;
  if (typeof value !== 'string') throw new EntryProblem(at(field), `its ${field} is ${describe(value)}, not a string`);
  const transport = Object.hasOwn(TYPE_ALIASES, value) ? TYPE_ALIASES[value] : undefined;
  if (transport === undefined) {
    throw new EntryProblem(at(field), `its ${field} ${quoteName(value)} is not one of stdio, http, sse, streamable-http`);
  }
  return transport;
}

/** A string field; missing, null and "" all mean "not set". */
function optionalString(entry: JsonObject, field: string, at: (...s: string[]) => string): string | null {
  const value = entry.get(field);
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new EntryProblem(at(field), `its ${field} is ${describe(value)}, not a string`);
  return value;
}

function readArgs(entry: JsonObject, at: (...s: (string | number)[]) => string): string[] {
  const value = entry.get('args');
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new EntryProblem(at('args'), `its args are ${describe(value)}, not a list`);
  return value.map((arg, i) => {
    const text = scalarText(arg);
    if (text === undefined) throw new EntryProblem(at('args', i), `args[${i}] is ${describe(arg)}, but arguments must be strings, numbers or booleans`);
    return text;
  });
}

function readStringRecord(entry: JsonObject, field: 'env' | 'headers', at: (...s: string[]) => string): Record<string, string> {
  const value = entry.get(field);
  if (value === undefined || value === null) return {};
  if (!(value instanceof Map)) throw new EntryProblem(at(field), `its ${field} is ${describe(value)}, not an object`);
  const pairs: [string, string][] = [];
  for (const [name, item] of value) {
    const text = scalarText(item);
    if (text === undefined) throw new EntryProblem(at(field, name), `${field} ${quoteName(name)} is ${describe(item)}, but values must be strings, numbers or booleans`);
    pairs.push([name, text]);
  }
  // fromEntries defines own properties, so a key named __proto__ is kept as data.
  return Object.fromEntries(pairs);
}

function scalarText(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'an object';
  return typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'a string';
}

/** A name for a message: quoted, and cut short so a hostile megabyte key cannot flood logs. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);
}
