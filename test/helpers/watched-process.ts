/**
 * The built CLI as a child process whose memory is watched: its peak resident set (VmHWM, read from
 * /proc/<pid>/status every 20 ms) is recorded, and it is killed the moment it passes `maxRssMb`, so a
 * test replaying a memory attack against old code fails instead of taking the machine down.
 * Linux only (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { BIN, envWith } from './cli.ts';
import { waitFor } from './fake-home.ts';

export interface WatchedExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the start (run) or from the signal (stop) to the exit. */
  ms: number;
}

export class WatchedProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  /** Highest VmHWM seen, in MiB. */
  peakMb = 0;
  /** Why the watcher killed it, if it did. */
  killedFor: 'memory' | 'timeout' | null = null;
  readonly #exited: Promise<WatchedExit>;
  readonly #sampler: NodeJS.Timeout;
  #signalledAt = Date.now();

  constructor(args: string[], options: { env: Record<string, string | undefined>; maxRssMb: number; timeoutMs?: number }) {
    const started = Date.now();
    this.child = spawn(process.execPath, [BIN, ...args], { env: envWith(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.#sampler = setInterval(() => {
      this.#sample();
      if (this.peakMb > options.maxRssMb) this.#kill('memory');
      else if (options.timeoutMs !== undefined && Date.now() - started > options.timeoutMs) this.#kill('timeout');
    }, 20);
    this.#exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearInterval(this.#sampler);
        resolve({ code, signal, ms: Date.now() - (this.#signalledAt > started ? this.#signalledAt : started) });
      });
    });
  }

  /** Runs to the end (or until killed for memory or time). */
  static run(args: string[], options: { env: Record<string, string | undefined>; maxRssMb: number; timeoutMs: number }): Promise<WatchedExit & { process: WatchedProcess }> {
    const p = new WatchedProcess(args, options);
    return p.exited.then((exit) => ({ ...exit, process: p }));
  }

  get exited(): Promise<WatchedExit> {
    return this.#exited;
  }

  async waitForOutput(what: string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    await waitFor(what, () => pattern.test(this.stdout) || this.child.exitCode !== null || this.child.signalCode !== null || this.killedFor !== null, timeoutMs);
    if (!pattern.test(this.stdout)) throw new Error(`${what}: the process ended or was killed (${this.killedFor ?? 'exited'}, peak ${this.peakMb} MiB) first.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
  }

  /** Sends `signal` and waits for the exit; killed with SIGKILL after `graceMs` (the exit then says so). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<WatchedExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.#signalledAt = Date.now();
      this.child.kill(signal);
      const timer = setTimeout(() => this.#kill('timeout'), graceMs);
      const exit = await this.#exited;
      clearTimeout(timer);
      return exit;
    }
    return this.#exited;
  }

  /** Kills it if still running when the test ends. */
  cleanUpAfter(t: TestContext): this {
    t.after(async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
      await this.#exited;
    });
    return this;
  }

  #sample(): void {
    try {
      const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) this.peakMb = Math.max(this.peakMb, Math.round(Number(kb) / 1024));
    } catch {
      // It has exited.
    }
  }

  #kill(why: 'memory' | 'timeout'): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.killedFor ??= why;
    this.child.kill('SIGKILL');
  }
}
