/**
 * Splits a server's stdout into lines as the bytes arrive, holding at most one line, and at most
 * `cap` bytes of it. A line longer than the cap is dropped as it streams in (only its first
 * characters are kept, to name it), so a server that writes 16 MiB without a newline costs the
 * probe the cap, not the 16 MiB and the copies of it that growing one buffer would make.
 */

const NEWLINE = 0x0a;
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
  /** The pieces of the line not yet ended, in order; their total is `#held` bytes, never over the cap. */
  #parts: Buffer[] = [];
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
          this.#dropping = true;
          const head = headOf(firstBytes([...this.#parts, chunk.subarray(start, end)], HEAD_CHARS * 4));
          this.#parts = [];
          this.#held = 0;
          this.#sink.oversized(head);
        } else {
          this.#parts.push(chunk.subarray(start, end));
          this.#held += end - start;
        }
      }
      if (newline === -1) return;
      if (!this.#dropping) {
        const line = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts, this.#held);
        this.#parts = [];
        this.#held = 0;
        this.#sink.line(line);
      }
      this.#dropping = false;
      start = newline + 1;
    }
  }

  clear(): void {
    this.#parts = [];
    this.#held = 0;
    this.#dropping = false;
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
