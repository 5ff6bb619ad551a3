/**
 * Ends a probed server and everything it started.
 *
 * POSIX: the server is spawned `detached`, so it leads a new session and process group (pgid = its
 * pid) that every child joins unless it moves out on purpose. The whole group gets SIGTERM, then
 * SIGKILL after a short grace; a group signal reaches members whose parent already died (which a
 * walk down parent links would miss) and is delivered by the kernel in one go, so a fork loop cannot
 * outrun it. Descendants that left the group (`setsid`, `setpgid`) while their parent was still
 * alive are found from one `ps` snapshot taken before the first signal and signalled one by one.
 *
 * Windows: `taskkill /pid <pid> /T /F`, which walks the tree by parent process id.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export const DEFAULT_KILL_GRACE_MS = 1000;
const SETTLE_MS = 3000;
const POLL_MS = 25;

export interface KillTreeOptions {
  /** How long the tree has to exit after SIGTERM before SIGKILL (default 1 s). */
  graceMs?: number;
  platform?: NodeJS.Platform;
  /** More processes of the tree, known to the caller (found earlier, or by other means): signalled with it. */
  also?: readonly number[];
}

/**
 * Kills the process group led by `pid` and its known descendants, and resolves once none of them is
 * alive any more (zombies count as gone), or after a few seconds in any case. Never rejects.
 */
export async function killProcessTree(pid: number, options: KillTreeOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') {
    await taskkill(pid);
    return;
  }
  const graceMs = options.graceMs ?? DEFAULT_KILL_GRACE_MS;
  const strays = [...new Set([...(await descendantsOf(pid)), ...(options.also ?? [])])].filter((child) => child !== pid && child !== process.pid);
  signal(pid, strays, 'SIGTERM');
  if (await waitGone(pid, strays, graceMs)) return;
  signal(pid, strays, 'SIGKILL');
  await waitGone(pid, strays, SETTLE_MS);
}

function signal(pgid: number, pids: readonly number[], name: NodeJS.Signals): void {
  try {
    process.kill(-pgid, name);
  } catch {
    // the group is gone already (ESRCH)
  }
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone
    }
  }
}

async function waitGone(pgid: number, pids: readonly number[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!groupAlive(pgid) && !pids.some(alive)) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}

/** True while a live (non-zombie) process is in the group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // Something is in the group; on Linux it may only be zombies nobody has reaped yet.
  if (process.platform !== 'linux') return true;
  const members = linuxProcesses().filter((p) => p.pgid === pgid);
  return members.length === 0 ? true : members.some((p) => p.state !== 'Z' && p.state !== 'X');
}

/** True while `pid` is a live (non-zombie) process. */
export function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = linuxStat(String(pid));
    if (stat !== undefined) return stat.state !== 'Z' && stat.state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function linuxProcesses(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = linuxStat(name);
    if (stat !== undefined) out.push(stat);
  }
  return out;
}

function linuxStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(pid), state: fields[0] ?? '', ppid: Number(fields[1]), pgid: Number(fields[2]) };
}

/** Every descendant of `root` (by parent links), from `/proc` on Linux or one `ps` run elsewhere. */
export async function descendantsOf(root: number): Promise<number[]> {
  const table = process.platform === 'linux' ? linuxProcesses().map((p): [number, number] => [p.pid, p.ppid]) : await psTable();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const out: number[] = [];
  const queue = [root];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function psTable(): Promise<Array<[number, number]>> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { timeout: 2000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout) => {
      if (error) return resolve([]);
      const rows: Array<[number, number]> = [];
      for (const line of stdout.split('\n')) {
        const [pid, ppid] = line.trim().split(/\s+/).map(Number);
        if (Number.isInteger(pid) && Number.isInteger(ppid)) rows.push([pid as number, ppid as number]);
      }
      resolve(rows);
    });
  });
}

function taskkill(pid: number): Promise<void> {
  return new Promise((resolve) => {
    execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { timeout: 10_000, windowsHide: true }, () => resolve());
  });
}
