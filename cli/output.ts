/**
 * Output helpers: one JSON document for `--json`, aligned tables and text otherwise.
 *
 * Human output shows text that others wrote (a server's `serverInfo.name` and tool names, a config
 * key, a manifest's description), and a terminal obeys control characters: an ESC sequence can
 * rewrite the screen or the window title, hide text, or (OSC 52) set the clipboard; a bidi override
 * reorders what the user reads. So every human line leaves through `print` or `printError`, which
 * show such characters escaped (`\u001B`), and every table cell and field value through `inline`,
 * which also escapes line breaks and tabs so a value cannot fake a line of its own. `--json` keeps
 * every value exact: JSON escapes the C0 controls, and `jsonText` writes the C1 and bidi controls,
 * which JSON.stringify leaves raw, as `\u` escapes too (the same JSON value).
 * test/unit/cli-output.test.ts checks that no command writes to stdout or stderr any other way.
 */
import { escapeChar } from '../core/content-scan/unicode.ts';

/**
 * C0 controls and DEL, C1 controls (U+0080-U+009F: 8-bit CSI and OSC), the bidi embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069) and marks (U+200E, U+200F, U+061C), and the
 * Unicode line and paragraph separators. Escaping ESC alone disarms a whole sequence: what follows
 * it is printable text.
 */
const UNSAFE_INLINE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
/** The same, with newline and tab kept: for whole messages, which are multi-line on purpose. */
const UNSAFE_BLOCK = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** `text` safe for one line of a terminal: every control character (line breaks and tabs too) shown escaped. */
export function inline(text: string): string {
  return text.replace(UNSAFE_INLINE, escapeChar);
}

/** `text` safe for a terminal, line breaks and tabs kept. */
export function safeText(text: string): string {
  return text.replace(UNSAFE_BLOCK, escapeChar);
}

/** Writes human output to stdout, control characters escaped. */
export function print(text: string): void {
  process.stdout.write(safeText(text));
}

/** Writes a human message to stderr, control characters escaped. */
export function printError(text: string): void {
  process.stderr.write(safeText(text));
}

/**
 * What JSON.stringify leaves raw that a terminal obeys or that reorders text: DEL, the C1 controls
 * (U+009B is an 8-bit CSI, U+009D an OSC, which UTF-8 terminals such as xterm act on), the bidi
 * controls and the line separators. They can only stand inside JSON strings.
 */
const UNSAFE_IN_JSON = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/**
 * `JSON.stringify(doc)` with the characters above written as `\uXXXX` escapes: the same JSON value
 * for a program, nothing a terminal acts on when the document is shown (`--json` is pretty-printed
 * on a terminal, so it is read there too).
 */
export function jsonText(doc: unknown, indent?: number): string {
  return JSON.stringify(doc, null, indent).replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function printJson(doc: unknown): void {
  process.stdout.write(`${jsonText(doc, process.stdout.isTTY ? 2 : undefined)}\n`);
}

export function formatTable(headers: string[], rows: string[][]): string {
  const cells = rows.map((r) => r.map(inline));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** `Label:  value` lines with the values aligned, each value on one line. */
export function formatFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([k]) => inline(k).length));
  return fields.map(([k, v]) => `${`${inline(k)}:`.padEnd(width + 2)}${inline(v)}`).join('\n');
}

export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
