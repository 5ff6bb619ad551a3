/**
 * An MCP client transport over a child process's stdin and stdout, written here rather than taken
 * from the SDK so that MCP Warden controls the bytes and the processes: no shell, a built
 * environment, every stdout byte counted against a cap as it arrives, stdout read line by line with
 * a cap per line (a longer line is dropped as it streams, never held: `stdout-lines.ts`), stderr kept
 * up to a cap, and on close the whole process tree killed (see `core/process/kill-tree.ts`) before `close()`
 * resolves. The process is started by `spawnServer` (core/process/spawn.ts), as the launcher's is.
 */
import type { ChildProcess } from 'node:child_process';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_KILL_GRACE_MS, killProcessTree, spawnServer } from '../process/index.ts';
import { headOf, StdoutLines } from './stdout-lines.ts';

export const STDERR_CAP = 64 * 1024;
/**
 * The longest stdout line (one JSON-RPC message) read: 4 MiB. A tools/list page of hundreds of tools
 * with full schemas is well under 1 MiB; parsing a line costs several times its size in memory, so
 * the cap, not the 16 MiB session cap, bounds what one message can cost.
 */
export const LINE_CAP = 4 * 1024 * 1024;
/** How long to wait after `exit` for the last stderr bytes before reporting the exit. */
const EXIT_FLUSH_MS = 300;

/**
 * Process groups of servers still running. If this process exits (normally, or through
 * `process.exit`) while a probe is under way, they are killed on the way out rather than orphaned:
 * a detached group does not get the terminal's SIGINT. Callers should still turn SIGINT and SIGTERM
 * into an abort (`ProbeOptions.signal`), since a signal's default action skips `exit` handlers.
 */
const running = new Set<number>();
let exitHookInstalled = false;

function track(pid: number): void {
  running.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const group of running) {
      try {
        process.kill(process.platform === 'win32' ? group : -group, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
}

export interface ProcessTransportOptions {
  command: string;
  args: readonly string[];
  cwd?: string | undefined;
  env: Record<string, string>;
  /** Bytes of stdout allowed over the whole session. */
  maxBytes: number;
  /** Bytes of one stdout line read; a longer line is dropped (default LINE_CAP, at most maxBytes). */
  maxLineBytes?: number;
  stderrCap?: number;
  killGraceMs?: number;
}

/** Why the process can no longer serve, as seen by the transport. */
export type ProcessFault =
  | { kind: 'spawn_error'; error: NodeJS.ErrnoException }
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'too_much_output'; bytes: number };

export class ProcessTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;

  /** Resolves (never rejects) with the first fault; stays pending when the session ends normally. */
  readonly fault: Promise<ProcessFault>;
  /** Bytes read from stdout so far. */
  stdoutBytes = 0;
  /** JSON-RPC messages read so far, and lines that were not JSON-RPC. */
  messages = 0;
  invalidLines = 0;
  /** The start of the first non-empty line that was not JSON-RPC. */
  firstInvalid: string | undefined;
  /** Lines dropped for being longer than the line cap, and the start of the first. */
  oversizedLines = 0;
  firstOversized: string | undefined;
  /** The line cap in force. */
  readonly maxLineBytes: number;

  readonly #options: ProcessTransportOptions;
  readonly #lines: StdoutLines;
  /** The first bytes of stderr, copied in (a Buffer per read would cost far more than the bytes when a server drips). */
  #stderr: Buffer | undefined;
  #stderrKept = 0;
  #stderrTotal = 0;
  #child: ChildProcess | undefined;
  #setFault!: (fault: ProcessFault) => void;
  #faulted: ProcessFault | undefined;
  #closing: Promise<void> | undefined;
  #closedNotified = false;

  constructor(options: ProcessTransportOptions) {
    this.#options = options;
    this.maxLineBytes = Math.max(1, Math.min(options.maxLineBytes ?? LINE_CAP, options.maxBytes));
    this.#lines = new StdoutLines(this.maxLineBytes, {
      line: (bytes) => this.#onLine(bytes),
      oversized: (head) => {
        this.oversizedLines += 1;
        this.firstOversized ??= head;
      },
    });
    this.fault = new Promise((resolve) => {
      this.#setFault = resolve;
    });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get faulted(): ProcessFault | undefined {
    return this.#faulted;
  }

  /** What the process wrote to stderr, the first `stderrCap` bytes, with a note when more was cut. */
  stderrText(): string {
    const text = this.#stderr === undefined ? '' : this.#stderr.toString('utf8', 0, this.#stderrKept);
    const cut = this.#stderrTotal - this.#stderrKept;
    return cut > 0 ? `${text}\n[stderr truncated: ${cut} more bytes not kept]` : text;
  }

  start(): Promise<void> {
    if (this.#child !== undefined) return Promise.reject(new Error('ProcessTransport already started.'));
    const { command, args, cwd, env } = this.#options;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawnServer({ command, args, cwd, env }, { stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (error) {
        // spawn throws synchronously for invalid arguments (a NUL byte, EINVAL for .cmd on Windows).
        this.#fault({ kind: 'spawn_error', error: error as NodeJS.ErrnoException });
        reject(error);
        return;
      }
      this.#child = child;
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (child.pid === undefined) {
          this.#fault({ kind: 'spawn_error', error });
          reject(error);
          this.#notifyClosed();
        } else {
          this.onerror?.(error);
        }
      });
      child.once('spawn', () => {
        if (child.pid !== undefined) track(child.pid);
        resolve();
      });
      child.stdin?.on('error', (error) => this.onerror?.(error)); // EPIPE once the server is gone
      child.stdout?.on('data', (chunk: Buffer) => this.#onStdout(chunk));
      child.stdout?.on('error', () => {});
      child.stderr?.on('data', (chunk: Buffer) => this.#onStderr(chunk));
      child.stderr?.on('error', () => {});
      child.once('exit', (code, signal) => {
        // Give the pipes a moment to deliver what the process wrote last (its dying words on stderr).
        const report = (): void => {
          clearTimeout(timer);
          if (this.#closing === undefined) this.#fault({ kind: 'exited', code, signal });
          this.#notifyClosed();
        };
        const timer = setTimeout(report, EXIT_FLUSH_MS);
        child.once('close', report);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.#child?.stdin;
      if (stdin == null || stdin.destroyed || !stdin.writable || this.#closing !== undefined) {
        reject(new Error('Not connected'));
        return;
      }
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the session: closes stdin, kills the process tree, and resolves once it is gone. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const child = this.#child;
    if (child !== undefined) {
      try {
        child.stdin?.end();
      } catch {
        // ignore
      }
      if (child.pid !== undefined) {
        if (process.platform === 'win32' && child.exitCode !== null) {
          // Windows has no process groups: a tree whose root is gone cannot be walked.
        } else {
          await killProcessTree(child.pid, { graceMs: this.#options.killGraceMs ?? DEFAULT_KILL_GRACE_MS });
        }
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.stdin?.destroy();
      // Should anything survive SIGKILL (a process stuck in the kernel), it must not keep this process alive.
      child.unref();
      if (child.pid !== undefined) running.delete(child.pid);
    }
    this.#lines.clear();
    this.#notifyClosed();
  }

  #fault(fault: ProcessFault): void {
    if (this.#faulted !== undefined) return;
    this.#faulted = fault;
    this.#setFault(fault);
  }

  #notifyClosed(): void {
    if (this.#closedNotified) return;
    this.#closedNotified = true;
    this.onclose?.();
  }

  #onStdout(chunk: Buffer): void {
    if (this.#faulted?.kind === 'too_much_output') return;
    this.stdoutBytes += chunk.length;
    if (this.stdoutBytes > this.#options.maxBytes) {
      this.#child?.stdout?.destroy();
      this.#fault({ kind: 'too_much_output', bytes: this.stdoutBytes });
      void this.close();
      return;
    }
    this.#lines.push(chunk);
  }

  #onLine(bytes: Buffer): void {
    let message: JSONRPCMessage;
    try {
      // A JSON-RPC message is an object: a line that does not start like one is never decoded whole.
      if (bytes[firstNonSpace(bytes)] !== OPEN_BRACE) throw new SyntaxError('not a JSON object');
      message = deserializeMessage(bytes.toString('utf8').replace(/\r$/, ''));
    } catch {
      // Not JSON-RPC: servers that log to stdout are common; note it and read on.
      const head = headOf(bytes);
      if (head.trim() !== '') {
        this.invalidLines += 1;
        this.firstInvalid ??= head;
      }
      return;
    }
    this.messages += 1;
    this.onmessage?.(message);
  }

  #onStderr(chunk: Buffer): void {
    this.#stderrTotal += chunk.length;
    const cap = this.#options.stderrCap ?? STDERR_CAP;
    if (this.#stderrKept >= cap) return;
    this.#stderr ??= Buffer.alloc(cap);
    this.#stderrKept += chunk.copy(this.#stderr, this.#stderrKept, 0, Math.min(chunk.length, cap - this.#stderrKept));
  }
}

const OPEN_BRACE = 0x7b;

/** Index of the first byte that is not JSON whitespace (the length when there is none). */
function firstNonSpace(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0d || bytes[i] === 0x0a)) i++;
  return i;
}
