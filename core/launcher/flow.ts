/**
 * Backpressure and bounds of the relay: how much one line may hold, and a `Valve` that stops
 * reading a source while a stream it writes to is full, so neither a server that floods nor a
 * client that does not read can make the launcher buffer more than a line and a pipe's worth.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * The longest line the launcher relays, newline excluded: 10 MiB, the buffer limit of the MCP SDK's
 * own stdio transport (`STDIO_DEFAULT_MAX_BUFFER_SIZE`), so no line an SDK client could read is
 * dropped. The probe bounds a whole session the same way (16 MiB, `DEFAULT_MAX_BYTES`).
 */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

type Source = NodeJS.ReadableStream & { pause(): unknown; resume(): unknown };
type Destination = NodeJS.WritableStream;

export class Valve {
  readonly #source: Source;
  /** The destinations whose buffer is full: the source stays paused until each has drained. */
  readonly #full = new Set<Destination>();
  #closed = false;

  constructor(source: NodeJS.ReadableStream) {
    this.#source = source as Source;
  }

  /** After `destination.write(...)` returned `ok`: pauses the source when it was false. */
  wrote(destination: Destination, ok: boolean): void {
    if (ok || this.#full.has(destination)) return;
    this.#full.add(destination);
    this.#source.pause();
    destination.once('drain', () => {
      this.#full.delete(destination);
      if (this.#full.size === 0 && !this.#closed) this.#source.resume();
    });
  }

  get paused(): boolean {
    return this.#full.size > 0;
  }

  /** No more resuming (the session is over). */
  close(): void {
    this.#closed = true;
  }
}

/**
 * Node frees the buffer of each read only when V8 collects garbage, and V8 starts a collection for
 * that memory only once some 64 MB of it is outstanding: relaying a fast stream (a flood) would cost
 * that much on top of the launcher's own. A minor collection every `READ_GC_BYTES` read keeps it to a
 * few MB, for well under a millisecond each; a session that reads less never runs one. The `gc`
 * function comes from V8's own flag, set when first needed.
 */
export const READ_GC_BYTES = 8 * 1024 * 1024;
let readSinceGc = 0;
let collect: ((options: { type: 'minor'; execution: 'sync' }) => void) | null | undefined;

export function noteRead(bytes: number): void {
  readSinceGc += bytes;
  if (readSinceGc < READ_GC_BYTES) return;
  readSinceGc = 0;
  if (collect === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as typeof collect;
    } catch {
      collect = null;
    }
  }
  collect?.({ type: 'minor', execution: 'sync' });
}
