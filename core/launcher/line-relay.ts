/**
 * The launcher's hot path: newline-delimited JSON-RPC from one stream to another, forwarded as the
 * bytes that came in. A chunk is cut only at newlines; runs of lines nobody needs to look at go out
 * as one `subarray` of the chunk (no copy, no decoding). A line the `pick` test selects is handed
 * whole to `take`, which answers what to forward in its place: the same bytes, other bytes, or nothing.
 *
 * Memory is bounded: a line longer than `maxLineBytes` is never assembled. Once the bytes held for
 * an unfinished line pass the limit they are let go, the rest of the line is skipped as it arrives
 * (only its first and last few KB are kept, to say what it was), and `onOversized` hears of it when
 * its newline comes. Backpressure is the caller's: `write` is its own and may pause the source.
 */

export interface LineHandler {
  /** Cheap test on the raw bytes of one complete line (without its newline). */
  pick(line: Buffer): boolean;
  /** The picked line (without its newline): what to forward instead (`null`: nothing), newline added by the relay when non-empty. */
  take(line: Buffer): Buffer | null;
}

/** A line that was dropped for being longer than the limit. */
export interface OversizedLine {
  /** Its first bytes (up to `EDGE_BYTES`). */
  head: Buffer;
  /** Its last bytes (up to `EDGE_BYTES`). */
  tail: Buffer;
  /** Its whole length, newline excluded. */
  bytes: number;
}

export interface LineRelayOptions {
  /** The longest line forwarded, newline excluded. */
  maxLineBytes: number;
  /** An unfinished line just passed the limit (its first bytes): from here on it is skipped. Its newline may never come. */
  onTooLong?: (head: Buffer) => void;
  /** A line over the limit ended (or the stream did) and was dropped. */
  onOversized: (line: OversizedLine) => void;
}

/** How much of each end of a dropped line is kept to describe it (its id is usually at one end). */
export const EDGE_BYTES = 4096;
const NEWLINE = 0x0a;
const NL = Buffer.from('\n');

export class LineRelay {
  readonly #write: (bytes: Buffer) => void;
  readonly #handler: LineHandler;
  readonly #max: number;
  readonly #onOversized: (line: OversizedLine) => void;
  readonly #onTooLong: (head: Buffer) => void;
  /** The start of a line whose newline has not arrived yet, in arrival order, and its length. */
  #partial: Buffer[] = [];
  #partialBytes = 0;
  /** While the rest of an over-long line is skipped: what is kept of it. */
  #skip: { head: Buffer; tail: Buffer; bytes: number } | null = null;

  constructor(write: (bytes: Buffer) => void, handler: LineHandler, options: LineRelayOptions) {
    this.#write = write;
    this.#handler = handler;
    this.#max = options.maxLineBytes;
    this.#onOversized = options.onOversized;
    this.#onTooLong = options.onTooLong ?? (() => {});
  }

  push(chunk: Buffer): void {
    let start = 0;
    let at = chunk.indexOf(NEWLINE);
    if (this.#skip !== null || this.#partialBytes > 0) {
      // The first line started in an earlier chunk.
      if (at === -1) {
        this.#hold(chunk);
        return;
      }
      this.#hold(chunk.subarray(0, at));
      if (this.#skip !== null) this.#endSkip();
      else {
        const line = this.#partial.length === 1 ? (this.#partial[0] as Buffer) : Buffer.concat(this.#partial, this.#partialBytes);
        this.#partial = [];
        this.#partialBytes = 0;
        this.#line(line);
      }
      start = at + 1;
      at = chunk.indexOf(NEWLINE, start);
    }
    let forwardFrom = start;
    while (at !== -1) {
      const line = chunk.subarray(start, at);
      const long = line.length > this.#max;
      if (long || this.#handler.pick(line)) {
        if (start > forwardFrom) this.#write(chunk.subarray(forwardFrom, start));
        if (long) this.#onOversized({ head: Buffer.from(line.subarray(0, EDGE_BYTES)), tail: Buffer.from(line.subarray(-EDGE_BYTES)), bytes: line.length });
        else this.#emit(this.#handler.take(line));
        forwardFrom = at + 1;
      }
      start = at + 1;
      at = chunk.indexOf(NEWLINE, start);
    }
    if (start > forwardFrom) this.#write(chunk.subarray(forwardFrom, start));
    if (start < chunk.length) this.#hold(chunk.subarray(start));
  }

  /** The stream ended: a last line without its newline is handled like any other line. */
  end(): void {
    if (this.#skip !== null) this.#endSkip();
    if (this.#partialBytes === 0) return;
    const line = Buffer.concat(this.#partial, this.#partialBytes);
    this.#partial = [];
    this.#partialBytes = 0;
    this.#line(line);
  }

  /** Bytes of an unfinished line: kept while under the limit, else only its edges. */
  #hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.#skip === null && this.#partialBytes + bytes.length <= this.#max) {
      this.#partial.push(bytes);
      this.#partialBytes += bytes.length;
      return;
    }
    if (this.#skip === null) {
      const held = [...this.#partial, bytes];
      this.#skip = { head: edge(held, 'head'), tail: edge(this.#partial, 'tail'), bytes: this.#partialBytes };
      this.#partial = [];
      this.#partialBytes = 0;
      this.#onTooLong(this.#skip.head);
    }
    const skip = this.#skip;
    skip.bytes += bytes.length;
    const last = bytes.subarray(-EDGE_BYTES);
    skip.tail = last.length === EDGE_BYTES ? Buffer.from(last) : Buffer.concat([skip.tail, last]).subarray(-EDGE_BYTES);
  }

  #endSkip(): void {
    const skip = this.#skip as { head: Buffer; tail: Buffer; bytes: number };
    this.#skip = null;
    this.#onOversized({ head: skip.head, tail: Buffer.from(skip.tail), bytes: skip.bytes });
  }

  #line(line: Buffer): void {
    if (line.length > this.#max) this.#onOversized({ head: Buffer.from(line.subarray(0, EDGE_BYTES)), tail: Buffer.from(line.subarray(-EDGE_BYTES)), bytes: line.length });
    else if (this.#handler.pick(line)) this.#emit(this.#handler.take(line));
    else this.#write(Buffer.concat([line, NL]));
  }

  #emit(bytes: Buffer | null): void {
    if (bytes === null || bytes.length === 0) return;
    this.#write(bytes[bytes.length - 1] === NEWLINE ? bytes : Buffer.concat([bytes, NL]));
  }
}

/** The first or last `EDGE_BYTES` of a line held in pieces, copied. */
function edge(pieces: readonly Buffer[], end: 'head' | 'tail'): Buffer {
  const taken: Buffer[] = [];
  let n = 0;
  for (let i = 0; i < pieces.length && n < EDGE_BYTES; i++) {
    const piece = pieces[end === 'head' ? i : pieces.length - 1 - i] as Buffer;
    const part = end === 'head' ? piece.subarray(0, EDGE_BYTES - n) : piece.subarray(-(EDGE_BYTES - n));
    if (end === 'head') taken.push(part);
    else taken.unshift(part);
    n += part.length;
  }
  return Buffer.concat(taken);
}
