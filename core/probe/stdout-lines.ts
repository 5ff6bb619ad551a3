/**
 * Splits a server's stdout into lines as the bytes arrive, holding at most one line, and at most
 * `cap` bytes of it. A line longer than the cap is dropped as it streams in (only its first
 * characters are kept, to name it), so a server that writes 16 MiB without a newline costs the
 * probe the cap, not the 16 MiB and the copies of it that concatenating every chunk would make.
 *
 * The unfinished line is copied into one buffer that doubles up to the cap (each byte copied about
 * twice at most), not kept as the pieces the reads delivered: a server that drips one byte per read
 * would otherwise cost a Buffer object (some 200 bytes) per byte held, 1 GB after 15 s under the cap.
 */

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);
/** The first buffer of an unfinished line. */
const MIN_BUFFER = 16 * 1024;
/** Characters of a line kept to show it in a message. */
export const HEAD_CHARS = 121;

export interface LineSink {
  /** A complete line within the cap, without its newline. */
  line(bytes: Buffer): void;
  /** A line that went over the cap: its first characters; the rest is never held. */
  oversized(head: string): void;
}

export class StdoutLines {
  readonly #cap: number;
  readonly #sink: LineSink;
  /** The line not yet ended: its first `#held` bytes (never over the cap); grown by doubling. */
  #buffer: Buffer = EMPTY;
  #held = 0;
  /** The current line went over the cap: bytes are dropped until its newline. */
  #dropping = false;

  constructor(cap: number, sink: LineSink) {
    this.#cap = Math.max(1, cap);
    this.#sink = sink;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (!this.#dropping && end > start) {
        if (this.#held + (end - start) > this.#cap) {
          const head = headOf(firstBytes([this.#buffer.subarray(0, this.#held), chunk.subarray(start, end)], HEAD_CHARS * 4));
          this.clear();
          this.#dropping = true;
          this.#sink.oversized(head);
        } else if (newline !== -1 && this.#held === 0) {
          // The whole line is in this chunk: handed on as it is, without a copy.
          this.#sink.line(chunk.subarray(start, end));
          start = newline + 1;
          continue;
        } else {
          this.#append(chunk.subarray(start, end));
        }
      }
      if (newline === -1) return;
      if (!this.#dropping) {
        const line = this.#buffer.subarray(0, this.#held);
        // A fresh buffer for the next line: the sink may keep what it was given.
        this.clear();
        this.#sink.line(line);
      }
      this.#dropping = false;
      start = newline + 1;
    }
  }

  clear(): void {
    this.#buffer = EMPTY;
    this.#held = 0;
    this.#dropping = false;
  }

  #append(piece: Buffer): void {
    const needed = this.#held + piece.length;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#cap, Math.max(needed, this.#buffer.length * 2, MIN_BUFFER)));
      this.#buffer.copy(grown, 0, 0, this.#held);
      this.#buffer = grown;
    }
    piece.copy(this.#buffer, this.#held);
    this.#held = needed;
  }
}

/** The first `n` bytes of the pieces, copying no more than that. */
function firstBytes(parts: readonly Buffer[], n: number): Buffer {
  const taken: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    if (size >= n) break;
    const piece = part.subarray(0, n - size);
    taken.push(piece);
    size += piece.length;
  }
  return Buffer.concat(taken, size);
}

/** The first characters of a line, cut with an ellipsis when longer. */
export function headOf(bytes: Buffer): string {
  const text = bytes.subarray(0, HEAD_CHARS * 4).toString('utf8').replace(/\r$/, '');
  return text.length >= HEAD_CHARS ? `${text.slice(0, HEAD_CHARS - 1)}…` : text;
}
