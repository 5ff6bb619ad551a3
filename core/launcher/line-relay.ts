/**
 * The launcher's hot path: newline-delimited JSON-RPC from one stream to another, forwarded as the
 * bytes that came in. A chunk is cut only at newlines; runs of lines nobody needs to look at go out
 * as one `subarray` of the chunk (no copy, no decoding). A line the `pick` test selects (a cheap
 * byte search, never a parse) is handed whole to `take`, which answers what to forward in its place:
 * the same bytes, other bytes, or nothing.
 */

export interface LineHandler {
  /** Cheap test on the raw bytes of one complete line (without its newline). */
  pick(line: Buffer): boolean;
  /** The picked line (without its newline): what to forward instead (`null`: nothing), newline added by the relay when non-empty. */
  take(line: Buffer): Buffer | null;
}

const NEWLINE = 0x0a;
const NL = Buffer.from('\n');

export class LineRelay {
  readonly #write: (bytes: Buffer) => void;
  readonly #handler: LineHandler;
  /** The start of a line whose newline has not arrived yet, in arrival order. */
  #partial: Buffer[] = [];

  constructor(write: (bytes: Buffer) => void, handler: LineHandler) {
    this.#write = write;
    this.#handler = handler;
  }

  push(chunk: Buffer): void {
    let at = chunk.indexOf(NEWLINE);
    if (at === -1) {
      this.#partial.push(chunk);
      return;
    }
    let start = 0;
    let forwardFrom = 0;
    if (this.#partial.length > 0) {
      // The first line started in an earlier chunk: it is the only one that needs a copy.
      const line = Buffer.concat([...this.#partial, chunk.subarray(0, at)]);
      this.#partial = [];
      if (this.#handler.pick(line)) this.#emit(this.#handler.take(line));
      else this.#write(Buffer.concat([line, NL]));
      start = at + 1;
      forwardFrom = start;
      at = chunk.indexOf(NEWLINE, start);
    }
    while (at !== -1) {
      const line = chunk.subarray(start, at);
      if (this.#handler.pick(line)) {
        if (start > forwardFrom) this.#write(chunk.subarray(forwardFrom, start));
        this.#emit(this.#handler.take(line));
        forwardFrom = at + 1;
      }
      start = at + 1;
      at = chunk.indexOf(NEWLINE, start);
    }
    if (start > forwardFrom) this.#write(chunk.subarray(forwardFrom, start));
    if (start < chunk.length) this.#partial.push(chunk.subarray(start));
  }

  /** The stream ended: a last line without its newline is forwarded as it is. */
  end(): void {
    if (this.#partial.length === 0) return;
    const rest = Buffer.concat(this.#partial);
    this.#partial = [];
    this.#write(rest);
  }

  #emit(bytes: Buffer | null): void {
    if (bytes === null || bytes.length === 0) return;
    this.#write(bytes[bytes.length - 1] === NEWLINE ? bytes : Buffer.concat([bytes, NL]));
  }
}
