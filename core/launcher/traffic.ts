/**
 * What the launcher watches in the traffic it relays. Client to server: `initialize` (the client's
 * name), `tools/call` (checked against the pin and the declared capabilities; under policy `block` an
 * undeclared call is answered here and never reaches the server) and `tools/list` (remembered, so its
 * answer can be compared with the pin). Server to client: the answers to those requests only, matched
 * by id. Everything else passes as bytes: a line is parsed only when a byte search says it may be one
 * of these (or holds a backslash, since JSON escapes could spell a method name another way).
 */
import { createHash } from 'node:crypto';
import type { Definition } from '../api/probe.ts';
import type { Policy, ToolCallDetails } from '../api/launcher.ts';
import type { Redactor } from '../probe/environment.ts';
import { hashedPart } from '../pins/pin.ts';
import { canonicalJson } from '../util/canonical-json.ts';
import type { LineHandler } from './line-relay.ts';

/** The pinned tools, by name: the SHA-256 the pin holds and the definition it was taken from. */
export type PinnedTools = ReadonlyMap<string, { sha256: string; definition: Definition }>;

export interface TrafficOptions {
  serverName: string;
  /** Null when the server was never pinned. */
  pinned: PinnedTools | null;
  capabilities: readonly string[];
  undeclaredPolicy: Policy;
  redactor: Redactor;
  /** Writes an answer of the launcher's own to the client (a blocked call). */
  answerClient: (bytes: Buffer) => void;
  onToolCall: (details: ToolCallDetails) => void;
  onUndeclared: (tool: string, blocked: boolean) => void;
  /** A complete `tools/list` answer (every page) that differs from the pin; `tools` as the server sent them. */
  onToolsDrift: (tools: Definition[]) => void;
}

/** The most of a call's arguments an audit event keeps. */
export const MAX_ARGUMENT_BYTES = 4096;

type Pending =
  | { kind: 'call'; tool: string; started: number; keys: string[]; args: Record<string, unknown>; undeclared: boolean }
  | { kind: 'list'; first: boolean }
  | { kind: 'initialize' };

interface JsonRpc {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

const CLIENT_MARKERS = [Buffer.from('tools/'), Buffer.from('initialize'), Buffer.from('\\')];
const TOOLS = Buffer.from('"tools"');

export const toolSha = (definition: Definition): string => createHash('sha256').update(canonicalJson(hashedPart(definition))).digest('hex');

export class Traffic {
  readonly #o: TrafficOptions;
  /** Requests whose answers matter, by canonical id (`JSON.stringify(id)`). */
  readonly #pending = new Map<string, Pending>();
  #client: string | null = null;
  /** The pages of a `tools/list` answer collected so far (a list may be paged with cursors). */
  #listed: Definition[] = [];

  constructor(options: TrafficOptions) {
    this.#o = options;
  }

  get client(): string | null {
    return this.#client;
  }

  /** Lines from the client, on their way to the server. */
  readonly fromClient: LineHandler = {
    pick: (line) => CLIENT_MARKERS.some((marker) => line.includes(marker)),
    take: (line) => this.#clientLine(line),
  };

  /** Lines from the server, on their way to the client. */
  readonly fromServer: LineHandler = {
    // Only while an answer is awaited; a line that starts a notification or a request carries a method.
    pick: () => this.#pending.size > 0,
    take: (line) => this.#serverLine(line),
  };

  #clientLine(line: Buffer): Buffer | null {
    const parsed = parse(line);
    if (parsed === undefined) return line;
    if (Array.isArray(parsed)) {
      // A JSON-RPC batch (MCP before 2025-06-18): each message is handled; blocked ones are answered here.
      const kept = parsed.filter((message) => this.#request(message as JsonRpc));
      if (kept.length === parsed.length) return line;
      return kept.length === 0 ? null : Buffer.from(JSON.stringify(kept));
    }
    return this.#request(parsed as JsonRpc) ? line : null;
  }

  /** Notes a request; false when the launcher answered it itself and it must not reach the server. */
  #request(message: JsonRpc): boolean {
    if (message === null || typeof message !== 'object' || typeof message.method !== 'string' || message.id === undefined) return true;
    const id = JSON.stringify(message.id);
    const params = (message.params !== null && typeof message.params === 'object' ? message.params : {}) as Record<string, unknown>;
    switch (message.method) {
      case 'initialize': {
        const info = params.clientInfo as { name?: unknown } | undefined;
        if (typeof info?.name === 'string') this.#client = info.name.slice(0, 200);
        return true;
      }
      case 'tools/list':
        this.#pending.set(id, { kind: 'list', first: params.cursor === undefined });
        return true;
      case 'tools/call':
        return this.#call(message.id, id, params);
      default:
        return true;
    }
  }

  #call(rawId: unknown, id: string, params: Record<string, unknown>): boolean {
    const tool = typeof params.name === 'string' ? params.name : '';
    const args = params.arguments !== null && typeof params.arguments === 'object' && !Array.isArray(params.arguments) ? (params.arguments as Record<string, unknown>) : {};
    const known = this.#o.pinned !== null || this.#o.capabilities.length > 0;
    const undeclared = known && !(this.#o.pinned?.has(tool) ?? false) && !this.#o.capabilities.includes(tool);
    const keys = Object.keys(args).map((key) => this.#o.redactor.text(key));
    if (undeclared && this.#o.undeclaredPolicy === 'block') {
      this.#o.onUndeclared(tool, true);
      this.#o.onToolCall(this.#details(tool, 0, true, keys, args, true, true));
      const message = `MCP Warden blocked the call to tool "${tool}" on "${this.#o.serverName}": the tool is neither pinned nor declared for this server. If you trust it, approve the server's current tools (mcp-warden mcp approve ${this.#o.serverName}) or declare the tool in its capabilities, or set its undeclared-tool policy to warn.`;
      this.#o.answerClient(Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id: rawId, error: { code: -32602, message } })}\n`));
      return false;
    }
    if (undeclared) this.#o.onUndeclared(tool, false);
    this.#pending.set(id, { kind: 'call', tool, started: performance.now(), keys, args, undeclared });
    return true;
  }

  #serverLine(line: Buffer): Buffer | null {
    // The common answer, a tool call's result without an error, is recognised from its id alone
    // (serialisers put it last, as the SDK does): no parse on the hot path.
    const quick = trailingId(line);
    if (quick !== undefined) {
      const pending = this.#pending.get(quick);
      if (pending === undefined) return line;
      if (pending.kind === 'call' && !line.includes(ERROR_MARK) && !line.includes(IS_ERROR_MARK)) {
        this.#pending.delete(quick);
        this.#o.onToolCall(this.#details(pending.tool, performance.now() - pending.started, false, pending.keys, pending.args, pending.undeclared, false));
        return line;
      }
    }
    const parsed = parse(line);
    if (parsed === undefined || Array.isArray(parsed) || parsed === null || typeof parsed !== 'object') return line;
    const message = parsed as JsonRpc;
    if (message.id === undefined || message.method !== undefined) return line;
    const id = JSON.stringify(message.id);
    const pending = this.#pending.get(id);
    if (pending === undefined) return line;
    this.#pending.delete(id);
    if (pending.kind === 'call') {
      const result = message.result as { isError?: unknown } | undefined;
      const error = message.error !== undefined || result?.isError === true;
      this.#o.onToolCall(this.#details(pending.tool, performance.now() - pending.started, error, pending.keys, pending.args, pending.undeclared, false));
      return line;
    }
    if (pending.kind === 'list') return this.#listAnswer(line, message, pending.first);
    return line;
  }

  #listAnswer(line: Buffer, message: JsonRpc, first: boolean): Buffer | null {
    const pinned = this.#o.pinned;
    const result = message.result as { tools?: unknown; nextCursor?: unknown } | undefined;
    if (pinned === null || result === undefined || !Array.isArray(result.tools) || !line.includes(TOOLS)) return line;
    if (first) this.#listed = [];
    const tools = result.tools.filter((t): t is Definition => t !== null && typeof t === 'object' && !Array.isArray(t));
    this.#listed.push(...tools);
    const drifted = tools.filter((tool) => pinned.get(String(tool.name))?.sha256 !== toolSha(tool));
    const complete = typeof result.nextCursor !== 'string';
    if (complete) {
      const names = new Set(this.#listed.map((t) => String(t.name)));
      const removed = [...pinned.keys()].some((name) => !names.has(name));
      if (removed || this.#listed.some((tool) => pinned.get(String(tool.name))?.sha256 !== toolSha(tool))) this.#o.onToolsDrift(this.#o.redactor.deep(this.#listed));
      this.#listed = [];
    }
    if (drifted.length === 0 || this.#o.undeclaredPolicy !== 'block') return line;
    // The pinned subset: unchanged tools as sent, changed ones as pinned, new ones left out.
    const subset = tools.flatMap((tool) => {
      const pin = pinned.get(String(tool.name));
      if (pin === undefined) return [];
      return [pin.sha256 === toolSha(tool) ? tool : pin.definition];
    });
    return Buffer.from(JSON.stringify({ ...message, result: { ...result, tools: subset } }));
  }

  #details(tool: string, ms: number, error: boolean, keys: string[], args: Record<string, unknown>, undeclared: boolean, blocked: boolean): ToolCallDetails {
    return {
      name: this.#o.serverName,
      tool: this.#o.redactor.text(tool),
      duration_ms: Math.round(ms * 1000) / 1000,
      error,
      argument_keys: keys,
      arguments: cut(this.#o.redactor.deep(args)),
      undeclared,
      blocked,
      client: this.#client,
    };
  }
}

const ERROR_MARK = Buffer.from('"error"');
const IS_ERROR_MARK = Buffer.from('"isError"');
const ID_MARK = Buffer.from('"id":');
const CLOSE = 0x7d;

/**
 * The id of a message whose top-level `"id"` is its last member (`...,"id":12}`), as
 * `JSON.stringify(id)`; undefined when the line does not end that way (then it is parsed). A nested
 * `"id"` at the end would be followed by two closing braces, so it is never mistaken for this one.
 */
export function trailingId(line: Buffer): string | undefined {
  let end = line.length - 1;
  while (end >= 0 && (line[end] === 0x20 || line[end] === 0x0d || line[end] === 0x09)) end--;
  if (end < 0 || line[end] !== CLOSE) return undefined;
  const at = line.lastIndexOf(ID_MARK, end);
  if (at === -1) return undefined;
  const value = line.toString('latin1', at + ID_MARK.length, end).trim();
  if (/^-?\d{1,15}$/.test(value)) return String(Number(value));
  if (/^"[A-Za-z0-9_.:-]{0,128}"$/.test(value)) return value;
  return undefined;
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
