/**
 * Reads a config file's text as JSON with comments and trailing commas (what VS Code and Gemini CLI
 * accept; strict-JSON clients lose nothing by it) into plain values, or says in plain words where
 * it is broken. Never throws.
 *
 * Objects become Maps, not plain objects: a key such as `__proto__` is an ordinary server name to
 * the client (JSON.parse keeps it as an own key) and must not vanish into a prototype here. A key
 * written twice keeps its last value, as JSON.parse does.
 */
import { createScanner, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { MAX_CONFIG_BYTES } from './read-config-file.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject extends Map<string, JsonValue> {}

export interface JsonSyntaxError {
  message: string;
  line: number;
  column: number;
}

/** `start` is where the top-level value begins, so a caller can point at it. */
export type JsonDocument = { ok: true; value: JsonValue; start: { line: number; column: number } } | { ok: false; error: JsonSyntaxError };

/** Far beyond any real config, far below what the (recursive) parser can survive. */
export const MAX_DEPTH = 256;
/** Text handed over directly (files are already bounded by readConfigFile as they are read). */
export const MAX_TEXT_LENGTH = MAX_CONFIG_BYTES;

const BOM = '\uFEFF';

export function readJsonDocument(raw: string): JsonDocument {
  // Editors on Windows may write a byte-order mark; the user cannot see it, so columns ignore it too.
  const text = raw.startsWith(BOM) ? raw.slice(1) : raw;
  if (text.length > MAX_TEXT_LENGTH) return fail(`The file is larger than ${MAX_TEXT_LENGTH / 1024 / 1024} MiB, too large to be a client config`, 1, 1);
  if (text.trim() === '') {
    // An empty file is what a watcher sees mid-write: calling it "no servers" would look like every server being removed.
    return fail('The file is empty', 1, 1);
  }
  const tooDeep = firstTooDeepOffset(text);
  if (tooDeep !== undefined) return failAt(text, tooDeep, `Nesting is deeper than ${MAX_DEPTH} levels`);

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) return failAt(text, first.offset, describeError(text, first));
  if (root === undefined) return fail('The file holds no JSON value', 1, 1);
  return { ok: true, value: toValue(root), start: lineAndColumn(text, root.offset) };
}

/** 1-based line and column (in UTF-16 code units) of an offset; \n, \r\n and a lone \r end a line, as in jsonc-parser. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * The offset of the first bracket that opens nesting level MAX_DEPTH + 1, found with jsonc-parser's
 * scanner (iterative, unlike its parser) so strings and comments holding brackets are not miscounted.
 */
function firstTooDeepOffset(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (;;) {
    scanner.scan();
    const offset = scanner.getTokenOffset();
    if (scanner.getTokenLength() === 0 || offset >= text.length) return undefined;
    const first = text[offset];
    if (first === '{' || first === '[') {
      depth++;
      if (depth > MAX_DEPTH) return offset;
    } else if (first === '}' || first === ']') {
      depth = Math.max(0, depth - 1);
    }
  }
}

/** Plain words for jsonc-parser's error codes (its const enum cannot be read under isolatedModules, so the printed names are mapped). */
const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Unexpected character',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace } expected',
  CloseBracketExpected: 'Closing bracket ] expected',
  EndOfFileExpected: 'End of file expected: more content follows the JSON value',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: 'Unexpected end of comment: */ expected',
  UnexpectedEndOfString: 'Unexpected end of string: closing quote expected',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid unicode escape sequence',
  InvalidEscapeCharacter: 'Invalid escape character in string',
  InvalidCharacter: 'Invalid character in string (control characters must be escaped)',
};

function describeError(text: string, error: ParseError): string {
  const name = printParseErrorCode(error.error);
  const base = MESSAGES[name] ?? `Invalid JSON (${name})`;
  // Reaching the end while something is still expected is a truncated file: say so first, it is the likely cause.
  if (error.offset >= text.length) return `Unexpected end of file: ${lowerFirst(base)}`;
  if (name === 'InvalidSymbol') {
    const ch = text.codePointAt(error.offset);
    if (ch !== undefined) return `${base} ${JSON.stringify(String.fromCodePoint(ch))}`;
  }
  return base;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function fail(message: string, line: number, column: number): JsonDocument {
  return { ok: false, error: { message, line, column } };
}

function failAt(text: string, offset: number, message: string): JsonDocument {
  const { line, column } = lineAndColumn(text, offset);
  return fail(message, line, column);
}

/** Depth is bounded by MAX_DEPTH (checked before parsing), so this recursion is safe. */
function toValue(node: Node): JsonValue {
  switch (node.type) {
    case 'object': {
      const out: JsonObject = new Map();
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (keyNode === undefined || typeof keyNode.value !== 'string') continue;
        out.set(keyNode.value, valueNode === undefined ? null : toValue(valueNode));
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(toValue);
    case 'string':
      return typeof node.value === 'string' ? node.value : '';
    case 'number':
      return typeof node.value === 'number' ? node.value : 0;
    case 'boolean':
      return node.value === true;
    default:
      return null;
  }
}
