/**
 * Scrubs known secret values out of what a server sends back (probe results, its stderr) and out of
 * what the launcher records of a tool call. A hostile server does not have to echo a secret whole:
 * it can put part of it in a tool name, or send it encoded. So, besides each whole value, this finds
 *
 * - any run of at least `RUN` (8) characters of a secret of `PARTIAL_MIN` (12) characters or more,
 *   in the value itself and in its encodings: JSON string escapes, URL encoding (`%XX`, `+` for a
 *   space, either case of hex digit), base64 and base64url (from each of the first three byte
 *   offsets, so a run that starts anywhere is found), and hex in either case;
 * - every secret of 4 bytes or more whole in each of those encodings.
 *
 * Shorter secrets are matched whole only, as written: eight characters of an 11-character secret are
 * most of it, but in a short, human-chosen value (`hunter2025!`) an 8-character run is a word that
 * ordinary text holds, and partial matching would scrub it everywhere. A false positive only ever
 * over-redacts (a word in an audit record reads `[redacted part of secret X]`); it never shows a
 * value. Secrets longer than `PARTIAL_MAX` (4096) characters are matched whole only: their windows
 * would cost memory in proportion. A server can still leak a secret in pieces shorter than 8
 * characters; redaction cannot stop a server that already holds a secret from sending it somewhere
 * else, it keeps the value out of MCP Warden's own records and output. docs/probe.md, "Redaction".
 *
 * Speed: the launcher redacts every tool call's arguments, so every variant is computed once, in the
 * constructor; `text` then reads the string once with a rolling hash of its 8-character windows,
 * looked up in a bit filter and then a map of the windows of every variant. See bench/redact.ts.
 */

/** Characters of the shortest run of a secret that is redacted. */
export const RUN = 8;
/** Secrets at least this long are redacted in part (runs of `RUN`); shorter ones whole only. */
export const PARTIAL_MIN = 12;
/** Secrets longer than this are redacted whole only. */
export const PARTIAL_MAX = 4096;
/** Secrets of at least this many bytes are also redacted whole in each encoding. */
const ENCODED_MIN_BYTES = 4;

const BASE = 0x01000193;
/** BASE^(RUN-1) modulo 2^32: takes the character leaving the window out of the hash. */
const LEAVING = (() => {
  let p = 1;
  for (let i = 0; i < RUN - 1; i++) p = Math.imul(p, BASE);
  return p;
})();
const FILTER_BITS = 1 << 20;

interface Window {
  gram: string;
  secret: number;
}

/**
 * The ways a value is commonly written into text, the value itself first, deduplicated; `whole`
 * when the text stands for the whole value (base64 from byte 1 or 2 stands for a part of it).
 */
export function secretVariants(value: string): { text: string; whole: boolean }[] {
  const bytes = Buffer.from(value, 'utf8');
  const out = new Map<string, boolean>([[value, true]]);
  const add = (text: string, whole = true): void => {
    if (!out.has(text)) out.set(text, whole);
  };
  if (bytes.length >= ENCODED_MIN_BYTES) {
    add(JSON.stringify(value).slice(1, -1));
    const url = encodeURIComponent(value);
    for (const form of [url, url.replace(/%20/g, '+')]) {
      add(form);
      add(form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()));
    }
    // A run of the value that starts at byte offset k encodes as a run of the base64 of bytes k.. when
    // k is a multiple of 3: offsets 0, 1 and 2 cover every start. The whole value also with padding.
    add(bytes.toString('base64'));
    for (let k = 0; k < 3 && bytes.length - k >= ENCODED_MIN_BYTES; k++) {
      const part = bytes.subarray(k);
      add(part.toString('base64').replace(/=+$/, ''), k === 0);
      add(part.toString('base64url'), k === 0);
    }
    const hex = bytes.toString('hex');
    add(hex);
    add(hex.toUpperCase());
  }
  return [...out].map(([text, whole]) => ({ text, whole }));
}

const hashAt = (text: string, start: number): number => {
  let h = 0;
  for (let i = start; i < start + RUN; i++) h = (Math.imul(h, BASE) + text.charCodeAt(i)) | 0;
  return h;
};

/** Scrubs resolved secret values out of text and out of whole results. */
export class Redactor {
  readonly #names: string[] = [];
  /** The variants that stand for a whole value, to tell a whole value from a part of one. */
  readonly #whole = new Map<string, number>();
  /** Variants found by `indexOf`: those of secrets too short or too long for windows. */
  readonly #exact: Array<{ text: string; secret: number }> = [];
  /** Windows of the variants of secrets redacted in part, by hash. */
  readonly #windows = new Map<number, Window[]>();
  /** One bit per window hash (modulo FILTER_BITS): most windows of a text are ruled out here. Made only when there are windows. */
  #filter: Uint32Array = new Uint32Array(0);

  constructor(secrets: ReadonlyMap<string, string> = new Map()) {
    for (const [name, value] of secrets) {
      if (value.length === 0) continue;
      const secret = this.#names.push(name) - 1;
      const partial = value.length >= PARTIAL_MIN && value.length <= PARTIAL_MAX;
      for (const { text: variant, whole } of secretVariants(value)) {
        if (whole && !this.#whole.has(variant)) this.#whole.set(variant, secret);
        if (partial && variant.length >= RUN) this.#index(variant, secret);
        else this.#exact.push({ text: variant, secret });
      }
    }
    // Longest first, so a value that contains another is found whole.
    this.#exact.sort((a, b) => b.text.length - a.text.length);
  }

  get active(): boolean {
    return this.#names.length > 0;
  }

  #index(variant: string, secret: number): void {
    if (this.#filter.length === 0) this.#filter = new Uint32Array(FILTER_BITS >>> 5);
    let h = hashAt(variant, 0);
    for (let i = 0; ; i++) {
      const gram = variant.slice(i, i + RUN);
      const list = this.#windows.get(h);
      if (list === undefined) this.#windows.set(h, [{ gram, secret }]);
      else if (!list.some((w) => w.gram === gram)) list.push({ gram, secret });
      const bit = h & (FILTER_BITS - 1);
      this.#filter[bit >>> 5] = (this.#filter[bit >>> 5] as number) | (1 << (bit & 31));
      if (i + RUN >= variant.length) return;
      h = (Math.imul(h - Math.imul(variant.charCodeAt(i), LEAVING), BASE) + variant.charCodeAt(i + RUN)) | 0;
    }
  }

  text(text: string): string {
    if (!this.active) return text;
    // Spans to redact as [start, end, secret] triples; windows arrive in order and merge as they come.
    const spans: number[] = [];
    if (this.#windows.size > 0 && text.length >= RUN) this.#scanWindows(text, spans);
    let sorted = true;
    for (const { text: value, secret } of this.#exact) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + value.length)) {
        spans.push(at, at + value.length, secret);
        sorted = false;
      }
    }
    if (spans.length === 0) return text;
    return this.#replace(text, sorted ? spans : merge(spans));
  }

  #scanWindows(text: string, spans: number[]): void {
    const filter = this.#filter;
    const last = text.length - RUN;
    let h = hashAt(text, 0);
    for (let i = 0; ; i++) {
      // 32 windows share a filter word: one typed-array read rules most of them out.
      if (((filter[(h & (FILTER_BITS - 1)) >>> 5] as number) & (1 << (h & 31))) !== 0) {
        const list = this.#windows.get(h);
        if (list !== undefined) {
          for (const w of list) {
            if (!text.startsWith(w.gram, i)) continue;
            const previous = spans.length - 3;
            if (previous >= 0 && i <= (spans[previous + 1] as number)) spans[previous + 1] = i + RUN;
            else spans.push(i, i + RUN, w.secret);
            break;
          }
        }
      }
      if (i >= last) return;
      h = (Math.imul(h - Math.imul(text.charCodeAt(i), LEAVING), BASE) + text.charCodeAt(i + RUN)) | 0;
    }
  }

  #replace(text: string, spans: readonly number[]): string {
    let out = '';
    let from = 0;
    for (let k = 0; k < spans.length; k += 3) {
      const start = spans[k] as number;
      const end = spans[k + 1] as number;
      const whole = this.#whole.get(text.slice(start, end));
      const marker = whole !== undefined ? `[redacted secret ${this.#names[whole]}]` : `[redacted part of secret ${this.#names[spans[k + 2] as number]}]`;
      out += text.slice(from, start) + marker;
      from = end;
    }
    return out + text.slice(from);
  }

  /** A deep copy of `value` with every string (keys included) redacted. */
  deep<T>(value: T): T {
    if (!this.active) return value;
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item));
    if (value !== null && typeof value === 'object') {
      // A loop rather than Object.fromEntries(Object.entries(...)): no arrays per key on the hot path.
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = this.#walk((value as Record<string, unknown>)[key]);
        const name = this.text(key);
        // An own "__proto__" key stays a key; assigning it would set the copy's prototype.
        if (name === '__proto__') Object.defineProperty(out, name, { value: item, enumerable: true, writable: true, configurable: true });
        else out[name] = item;
      }
      return out;
    }
    return value;
  }
}

/** Spans sorted by start (longest first on a tie) and overlapping ones joined; the first keeps its secret. */
function merge(spans: readonly number[]): number[] {
  const list: [number, number, number][] = [];
  for (let k = 0; k < spans.length; k += 3) list.push([spans[k] as number, spans[k + 1] as number, spans[k + 2] as number]);
  list.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: number[] = [];
  for (const [start, end, secret] of list) {
    const last = out.length - 3;
    if (last >= 0 && start < (out[last + 1] as number)) out[last + 1] = Math.max(out[last + 1] as number, end);
    else out.push(start, end, secret);
  }
  return out;
}
