/**
 * What the launcher watches in the traffic it relays. Client to server: `initialize` (the client's
 * name), `tools/call` (recorded as it is sent; checked against the pin and the declared
 * capabilities, and under policy `block` an undeclared call is answered here and never reaches the
 * server) and `tools/list` (remembered, so its answer can be compared with the pin). Server to client:
 * the answers to those calls, matched by id the way clients match them, and every answer that
 * carries a tool list, whatever its id.
 *
 * What is inspected is parsed, never matched as bytes: a client line is parsed when it holds
 * `tools/`, `initialize` or a backslash (a method name can only be spelled in JSON literally or with
 * an escape, so no other line can be one of these requests); a server line is parsed while a call
 * awaits its answer, and, when the server has a pin, whenever it holds `tools` or a backslash (the
 * only ways to spell the key of a tool list). A parsed line that is not JSON is dropped, since no
 * JSON client can read it and a lenient one must not read what the launcher could not.
 */
import { createHash } from 'node:crypto';
import type { Definition } from '../api/probe.ts';
import type { Policy, ToolCallDetails, ToolCallOutcome } from '../api/launcher.ts';
import type { Redactor } from '../process/index.ts';
import { hashedPart } from '../pins/pin.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import { MAX_LIST_ENTRIES } from '../probe/list-limit.ts';
import type { LineHandler } from './line-relay.ts';
import { idKey } from './request-id.ts';

/** The pinned tools, by name: the SHA-256 the pin holds and the definition it was taken from. */
export type PinnedTools = ReadonlyMap<string, { sha256: string; definition: Definition }>;

export interface TrafficOptions {
  serverName: string;
  /** Null when the server was never pinned. */
  pinned: PinnedTools | null;
  capabilities: readonly string[];
  undeclaredPolicy: Policy;
  redactor: Redactor;
  /** Prefix of the keys naming each call for `onCallSent` / `onCallSettled` (unique to this launch). */
  callKeyPrefix: string;
  /** How long a call may wait for its answer before it is recorded as `timeout`. */
  callTimeoutMs: number;
  /** Writes an answer of the launcher's own to the client (a blocked call). */
  answerClient: (bytes: Buffer) => void;
  /** A call is about to reach the server: `details` is its provisional record (outcome `interrupted`). */
  onCallSent: (key: string, details: ToolCallDetails, sentAt: number) => void;
  /** The call's final record (answer, timeout, the end of the session). */
  onCallSettled: (key: string, details: ToolCallDetails, sentAt: number) => void;
  /** A call answered by the launcher itself (blocked): recorded at once. */
  onToolCall: (details: ToolCallDetails, at: number) => void;
  onUndeclared: (tool: string, blocked: boolean) => void;
  /** A complete `tools/list` answer (every page) that differs from the pin; `tools` as the server sent them. */
  onToolsDrift: (tools: Definition[]) => void;
  /** A server line that was not JSON was dropped (said once per session, by the caller). */
  onUnreadable: (side: 'client' | 'server') => void;
}

/** The most of a call's arguments an audit event keeps. */
export const MAX_ARGUMENT_BYTES = 4096;
/** Calls awaiting an answer at once; past it the oldest is given up (recorded as `timeout`). */
export const MAX_PENDING_CALLS = 10_000;
/** The pages, and the bytes, of one paged `tools/list` answer collected before it is judged as it stands. */
export const MAX_LIST_PAGES = 1000;
export const MAX_LIST_BYTES = 16 * 1024 * 1024;

interface PendingCall {
  key: string;
  rawId: unknown;
  details: ToolCallDetails;
  sentAt: number;
  started: number;
}

interface PendingList {
  rawId: unknown;
  first: boolean;
  started: number;
}

interface JsonRpc {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

const CLIENT_MARKERS = [Buffer.from('tools/'), Buffer.from('initialize'), Buffer.from('\\')];
const LIST_MARKERS = [Buffer.from('tools'), Buffer.from('\\')];
/** "tools" as Go's encoding/json reads it, in the line's bytes read as latin1: any case, and ſ (UTF-8 C5 BF) for s. */
const TOOLS_ANY_CASE = /tool(?:s|\xc5\xbf)/i;
/** The keys of a message, and of a result, that some client may read under another spelling (`spelledAs`). */
const MESSAGE_KEYS = ['jsonrpc', 'id', 'method', 'params', 'result', 'error'] as const;
const RESULT_KEYS = ['tools', 'nextCursor'] as const;
const PARSE_ERROR = -32700;

export const toolSha = (definition: Definition): string => createHash('sha256').update(canonicalJson(hashedPart(definition))).digest('hex');
/** The key a tool has in a pin (`core/pins/pin.ts`): its name, else its canonical JSON. */
const toolKey = (tool: Definition): string => (typeof tool.name === 'string' ? tool.name : canonicalJson(hashedPart(tool)));
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export class Traffic {
  readonly #o: TrafficOptions;
  /** Calls awaiting their answer, by `idKey` of their id. */
  readonly #calls = new Map<string, PendingCall>();
  /** `tools/list` requests awaiting their answer (tracked only when there is a pin to compare with). */
  readonly #lists = new Map<string, PendingList>();
  #client: string | null = null;
  #seq = 0;
  /** The pages of a `tools/list` answer collected so far (a list may be paged with cursors). */
  #listed: Definition[] = [];
  #listedPages = 0;
  #listedBytes = 0;

  constructor(options: TrafficOptions) {
    this.#o = options;
  }

  get client(): string | null {
    return this.#client;
  }

  get pendingCalls(): number {
    return this.#calls.size;
  }

  /** Lines from the client, on their way to the server. */
  readonly fromClient: LineHandler = {
    pick: (line) => CLIENT_MARKERS.some((marker) => line.includes(marker)),
    take: (line) => this.#clientLine(line),
  };

  /** Lines from the server, on their way to the client. */
  readonly fromServer: LineHandler = {
    pick: (line) => this.#calls.size > 0 || (this.#o.pinned !== null && (LIST_MARKERS.some((marker) => line.includes(marker)) || TOOLS_ANY_CASE.test(line.toString('latin1')))),
    take: (line) => this.#serverLine(line),
  };

  /**
   * A server line over the limit was dropped; `id` is what its edges say its id is. When that is a
   * call or a list awaiting its answer, the request is settled (`too_large`) and its id returned for
   * the caller's error answer; else undefined.
   */
  droppedAnswer(id: unknown): { id: unknown } | undefined {
    if (id === undefined) return undefined;
    const key = idKey(id);
    const call = this.#calls.get(key);
    if (call !== undefined) {
      this.#calls.delete(key);
      this.#settle(call, 'too_large');
      return { id: call.rawId };
    }
    const list = this.#lists.get(key);
    if (list === undefined) return undefined;
    this.#lists.delete(key);
    return { id: list.rawId };
  }

  /** Gives up on calls older than the timeout (and forgets list requests as old). */
  expire(now = performance.now()): void {
    for (const [key, call] of this.#calls) {
      if (now - call.started < this.#o.callTimeoutMs) continue;
      this.#calls.delete(key);
      this.#settle(call, 'timeout');
    }
    for (const [key, list] of this.#lists) if (now - list.started >= this.#o.callTimeoutMs) this.#lists.delete(key);
  }

  /** The session ends: every call still waiting is recorded with `outcome`. */
  settleAll(outcome: ToolCallOutcome): void {
    for (const call of this.#calls.values()) this.#settle(call, outcome);
    this.#calls.clear();
    this.#lists.clear();
  }

  #clientLine(line: Buffer): Buffer | null {
    const parsed = parse(line);
    if (parsed === undefined) {
      // Not JSON, yet it may spell a method: a lenient server must not run what was not inspected.
      this.#o.onUnreadable('client');
      this.#o.answerClient(Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: PARSE_ERROR, message: 'MCP Warden did not pass on a line that is not JSON.' } })}\n`));
      return null;
    }
    if (Array.isArray(parsed)) {
      // A JSON-RPC batch (MCP before 2025-06-18): each message is handled; blocked ones are answered here.
      const kept = parsed.filter((message) => this.#request(message));
      if (kept.length === parsed.length) return line;
      return kept.length === 0 ? null : Buffer.from(JSON.stringify(kept));
    }
    return this.#request(parsed) ? line : null;
  }

  /** Notes a request; false when the launcher answered it itself and it must not reach the server. */
  #request(value: unknown): boolean {
    if (!isObject(value)) return true;
    const message = value as JsonRpc;
    if (typeof message.method !== 'string') return true;
    const params = isObject(message.params) ? message.params : {};
    switch (message.method) {
      case 'initialize': {
        const info = params.clientInfo as { name?: unknown } | undefined;
        if (typeof info?.name === 'string') this.#client = info.name.slice(0, 200);
        return true;
      }
      case 'tools/list':
        if (this.#o.pinned !== null && message.id !== undefined) {
          const cursor = params.cursor;
          this.#lists.set(idKey(message.id), { rawId: message.id, first: cursor === undefined || cursor === null || cursor === '', started: performance.now() });
        }
        return true;
      case 'tools/call':
        return this.#call(message, params);
      default:
        return true;
    }
  }

  #call(message: JsonRpc, params: Record<string, unknown>): boolean {
    const tool = typeof params.name === 'string' ? params.name : '';
    const args = isObject(params.arguments) ? params.arguments : {};
    const known = this.#o.pinned !== null || this.#o.capabilities.length > 0;
    const undeclared = known && !(this.#o.pinned?.has(tool) ?? false) && !this.#o.capabilities.includes(tool);
    const keys = Object.keys(args).map((key) => this.#o.redactor.text(key));
    const details = (outcome: ToolCallOutcome, blocked: boolean): ToolCallDetails => this.#details(tool, outcome, keys, args, undeclared, blocked);
    if (undeclared && this.#o.undeclaredPolicy === 'block') {
      this.#o.onUndeclared(tool, true);
      this.#o.onToolCall(details('blocked', true), Date.now());
      const text = `MCP Warden blocked the call to tool "${tool}" on "${this.#o.serverName}": the tool is neither pinned nor declared for this server. If you trust it, approve the server's current tools (mcp-warden mcp approve ${this.#o.serverName}) or declare the tool in its capabilities, or set its undeclared-tool policy to warn.`;
      if (message.id !== undefined) this.#o.answerClient(Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32602, message: text } })}\n`));
      return false;
    }
    if (undeclared) this.#o.onUndeclared(tool, false);
    // Recorded before the server sees it: a call that is never answered is in the trail all the same.
    const call: PendingCall = { key: `${this.#o.callKeyPrefix}${++this.#seq}`, rawId: message.id, details: details('interrupted', false), sentAt: Date.now(), started: performance.now() };
    this.#o.onCallSent(call.key, call.details, call.sentAt);
    if (message.id === undefined) {
      // Sent as a notification: a server may run it, and never answers.
      this.#settle(call, 'no_answer');
      return true;
    }
    const key = idKey(message.id);
    const earlier = this.#calls.get(key);
    if (earlier !== undefined) this.#settle(earlier, 'no_answer'); // the client reused an id still awaiting its answer
    else if (this.#calls.size >= MAX_PENDING_CALLS) {
      const [oldestKey, oldest] = this.#calls.entries().next().value as [string, PendingCall];
      this.#calls.delete(oldestKey);
      this.#settle(oldest, 'timeout');
    }
    this.#calls.set(key, call);
    return true;
  }

  #serverLine(line: Buffer): Buffer | null {
    const parsed = parse(line);
    if (parsed === undefined) {
      this.#o.onUnreadable('server');
      return null;
    }
    if (Array.isArray(parsed)) {
      // A batch of answers (MCP before 2025-06-18): each one is looked at like a single answer.
      let changed = false;
      const out = parsed.map((message) => {
        const seen = this.#answer(message, line.length);
        if (seen !== message) changed = true;
        return seen;
      });
      return changed ? Buffer.from(JSON.stringify(out)) : line;
    }
    const seen = this.#answer(parsed, line.length);
    return seen === parsed ? line : Buffer.from(JSON.stringify(seen));
  }

  /** One message from the server: the message itself, or what the client gets instead. */
  #answer(value: unknown, bytes: number): unknown {
    if (!isObject(value)) return value;
    // Read as every client reads it: a key a Go client takes for "id" or "result" is that key here.
    const message = spelledAs(value, MESSAGE_KEYS) as JsonRpc;
    // Whatever some client may take for an answer: an id and a result or an error (jsonrpc and
    // extra members are not required, since clients differ in how strictly they check them).
    if (message.id === undefined || (!Object.hasOwn(message, 'result') && !Object.hasOwn(message, 'error'))) return message;
    const key = idKey(message.id);
    const call = this.#calls.get(key);
    if (call !== undefined) {
      this.#calls.delete(key);
      const failed = Object.hasOwn(message, 'error') || (isObject(message.result) && message.result.isError === true);
      this.#settle(call, failed ? 'error' : 'ok');
      return message;
    }
    const list = this.#lists.get(key);
    if (list !== undefined) this.#lists.delete(key);
    // Any answer that carries a tool list is judged as one, asked for or not: an answer sent ahead
    // of its request, or a second answer to the same id, must not slip past the pin.
    if (this.#o.pinned !== null && isObject(message.result)) {
      const result = spelledAs(message.result, RESULT_KEYS);
      if (Array.isArray(result.tools)) return this.#listAnswer(message, result, list === undefined ? null : list.first, bytes);
      if (result !== message.result) return { ...message, result };
    }
    return message;
  }

  /** A page of a tools/list answer (`first` null: nobody asked for it, so it is judged alone). Always re-serialised: the client reads exactly what was compared. */
  #listAnswer(message: JsonRpc, result: Record<string, unknown>, first: boolean | null, bytes: number): JsonRpc {
    const pinned = this.#o.pinned as PinnedTools;
    const tools = (result.tools as unknown[]).filter((t): t is Definition => isObject(t));
    if (first !== false) this.#resetListing();
    // One by one: spreading a hostile page of a hundred thousand tools overflows the call stack (and would end the relay).
    for (const tool of tools) this.#listed.push(tool);
    this.#listedPages += 1;
    this.#listedBytes += bytes;
    // An empty cursor ends the list as clients read it (`while (cursor)`); so does an answer nobody
    // asked for, and a listing grown past the bounds.
    const more = typeof result.nextCursor === 'string' && result.nextCursor !== '';
    if (!more || first === null || this.#listedPages >= MAX_LIST_PAGES || this.#listedBytes >= MAX_LIST_BYTES) {
      const names = new Set(this.#listed.map(toolKey));
      const removed = [...pinned.keys()].some((name) => !names.has(name));
      // Judged whole, reported in part: a list longer than any real server's (MAX_LIST_ENTRIES, as the
      // probe reads) is drift by its length alone, and evaluating all of it would stall the writer.
      if (removed || this.#listed.length > MAX_LIST_ENTRIES || this.#listed.some((tool) => pinned.get(toolKey(tool))?.sha256 !== toolSha(tool))) {
        this.#o.onToolsDrift(this.#o.redactor.deep(this.#listed.slice(0, MAX_LIST_ENTRIES)));
      }
      this.#resetListing();
    }
    if (this.#o.undeclaredPolicy !== 'block') return { ...message };
    // The pinned subset: unchanged tools as sent, changed ones as pinned, new ones left out.
    const subset = tools.flatMap((tool) => {
      const pin = pinned.get(toolKey(tool));
      if (pin === undefined) return [];
      return [pin.sha256 === toolSha(tool) ? tool : pin.definition];
    });
    return { ...message, result: { ...result, tools: subset } };
  }

  #resetListing(): void {
    this.#listed = [];
    this.#listedPages = 0;
    this.#listedBytes = 0;
  }

  #settle(call: PendingCall, outcome: ToolCallOutcome): void {
    const ms = performance.now() - call.started;
    this.#o.onCallSettled(call.key, { ...call.details, duration_ms: Math.round(ms * 1000) / 1000, outcome, error: outcome !== 'ok' }, call.sentAt);
  }

  #details(tool: string, outcome: ToolCallOutcome, keys: string[], args: Record<string, unknown>, undeclared: boolean, blocked: boolean): ToolCallDetails {
    return {
      name: this.#o.serverName,
      tool: this.#o.redactor.text(tool),
      duration_ms: 0,
      error: outcome !== 'ok',
      outcome,
      argument_keys: keys,
      arguments: cut(this.#o.redactor.deep(args)),
      undeclared,
      blocked,
      client: this.#client,
    };
  }
}

const ID_AT_END = /"id"\s*:\s*(-?\d{1,16}|"(?:[^"\\]|\\.){0,256}")\s*\}\s*$/;
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,16}|"(?:[^"\\]|\\.){0,256}")\s*[,}]/;

/**
 * The id of a line too long to parse, when its last member (`…,"id":12}`, as the SDK serialises) or
 * its first one says it. A guess, used only to answer the right request with an error: nothing is
 * decided on it.
 */
export function idAtEdges(head: Buffer, tail: Buffer): unknown {
  for (const [bytes, pattern] of [[tail, ID_AT_END], [head, ID_AT_START]] as const) {
    const found = pattern.exec(bytes.toString('utf8'));
    if (found === null) continue;
    try {
      return JSON.parse(found[1] as string) as unknown;
    } catch {
      // not a JSON value after all
    }
  }
  return undefined;
}

/**
 * `value` with every key that some client reads as one of `names` put under that name: Go's
 * encoding/json (MCP clients in Go) matches keys case-insensitively, ſ as s and K as k, the last one
 * read winning. The exact key's value is kept when there is one, else the last variant's; the others
 * are dropped, so that what is forwarded (re-serialised) reads the same in every client. The same
 * object when no key needs it.
 */
function spelledAs(value: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const folded = key.replace(/\u017f/g, 's').replace(/\u212a/g, 'k').toLowerCase();
    const name = names.find((n) => n.toLowerCase() === folded);
    if (name === undefined || name === key) continue;
    out ??= { ...value };
    delete out[key];
    if (!Object.hasOwn(value, name)) out[name] = value[key];
  }
  return out ?? value;
}

function parse(line: Buffer): unknown {
  try {
    return JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Argument values past a few KB are cut: each long string is shortened, then the whole is replaced when still too big. */
function cut(args: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(args);
  if (text.length <= MAX_ARGUMENT_BYTES) return args;
  const short = Object.fromEntries(Object.entries(args).map(([k, v]) => [k, typeof v === 'string' && v.length > 256 ? `${v.slice(0, 256)}… [${v.length} chars]` : v]));
  return JSON.stringify(short).length <= MAX_ARGUMENT_BYTES ? short : { '[truncated]': `${text.length} bytes of arguments` };
}
