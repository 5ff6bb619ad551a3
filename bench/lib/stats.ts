import { spawnSync } from 'node:child_process';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

/** Wall time of one process run, in milliseconds; throws if it fails. */
export function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdoutBytes: number } {
  const start = performance.now();
  const result = spawnSync(command, args, { env, maxBuffer: 1 << 30 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr?.toString()}`);
  return { ms, stdoutBytes: result.stdout.length };
}

export function machine(): Record<string, string | number> {
  return { node: process.version, platform: process.platform, arch: process.arch };
}
