/**
 * A launcher session's write-ahead journal: `spool/<session>.journal`, appended to by that session
 * only, one synchronous write per record, so an event is on disk (in the page cache, which outlives a
 * killed process) before `EventSink.push` returns. When the writer thread has made the events durable
 * elsewhere (database or batch file), the journal is rewritten with what is still in flight (written
 * aside, then renamed over it), so it stays small; a session that closes cleanly removes it. A
 * journal left by a session that died is recovered by the next launcher (spool.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { JOURNAL_SUFFIX, TEMP_SUFFIX } from './session-events.ts';

export class Journal {
  readonly file: string;
  #fd: number | undefined;
  #bytes = 0;
  #warned = false;

  constructor(spoolDir: string, session: string, header: string) {
    this.file = path.join(spoolDir, `${session}${JOURNAL_SUFFIX}`);
    try {
      fs.mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
      this.#fd = fs.openSync(this.file, 'a', 0o600);
      this.append(header);
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** Bytes written since the journal was last rewritten. */
  get bytes(): number {
    return this.#bytes;
  }

  get usable(): boolean {
    return this.#fd !== undefined;
  }

  append(line: string): void {
    if (this.#fd === undefined) return;
    try {
      this.#bytes += fs.writeSync(this.#fd, line);
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** Replaces the journal's content by `text`: written to a temporary file, renamed over the journal. */
  rewrite(text: string): void {
    if (this.#fd === undefined) return;
    const temp = `${this.file}${TEMP_SUFFIX}`;
    let fd: number | undefined;
    try {
      fd = fs.openSync(temp, 'w', 0o600);
      fs.writeSync(fd, text);
      fs.renameSync(temp, this.file);
    } catch {
      // The old journal still holds everything: keep appending to it.
      if (fd !== undefined) fs.closeSync(fd);
      fs.rmSync(temp, { force: true });
      return;
    }
    fs.closeSync(this.#fd);
    this.#fd = fd;
    this.#bytes = Buffer.byteLength(text);
  }

  close(remove: boolean): void {
    if (this.#fd === undefined) return;
    fs.closeSync(this.#fd);
    this.#fd = undefined;
    if (remove) fs.rmSync(this.file, { force: true });
  }

  #fail(error: Error): void {
    if (this.#fd !== undefined) {
      try {
        fs.closeSync(this.#fd);
      } catch {
        // already unusable
      }
    }
    this.#fd = undefined;
    if (this.#warned) return;
    this.#warned = true;
    process.stderr.write(`mcp-warden run: cannot write the event journal ${this.file} (${error.message}); this session's events are kept in memory only until the database takes them.\n`);
  }
}
