/**
 * The server's process, from start to the end of everything it started.
 *
 * Start: `spawnServer` (core/process/spawn.ts: no shell, its own process group, the built
 * environment, and on Linux the parent-death signal through setpriv, so if the launcher dies, even
 * by SIGKILL, the kernel kills the server), with this launch's marker variable added.
 *
 * End: the probe's tree kill (`killProcessTree`: the group, then the descendants it can find), plus
 * what that walk cannot see once the server itself is gone: descendants noted while the server was
 * alive (checked against their start time, so a reused pid is never signalled), and on Linux every
 * process of this user whose environment carries this launch's marker variable, inherited by all
 * the server starts, `setsid` or not, unless it scrubs its environment.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { descendantsOf, killProcessTree, pdeathsigHelper, spawnServer, type ServerCommand } from '../process/index.ts';
import { resolveCommand } from '../registry/resolve-command.ts';

/** Set in the server's environment to a value unique to the launch: how its strays are found. */
export const LAUNCH_MARKER_VARIABLE = 'MCP_WARDEN_LAUNCH';

export type StartResult = { ok: true; child: ChildProcess; tree: ServerTree } | { ok: false; problem: string };

/** Starts the server; resolves once it runs, or with what kept it from starting. */
export async function startServer(server: ServerCommand): Promise<StartResult> {
  if (pdeathsigHelper() !== null) {
    // setpriv would start and then fail to exec: say what is wrong before, as a direct spawn would.
    try {
      resolveCommand(server.command, { cwd: server.cwd ?? process.cwd(), env: server.env });
    } catch (error) {
      const text = (error as Error).message.replace(/\.$/, '');
      return { ok: false, problem: text.charAt(0).toLowerCase() + text.slice(1) };
    }
  }
  const marker = randomBytes(12).toString('hex');
  let child: ChildProcess;
  try {
    child = spawnServer({ ...server, env: { ...server.env, [LAUNCH_MARKER_VARIABLE]: marker } }, { stdio: ['pipe', 'pipe', 'inherit'], pdeathsig: true });
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  const spawned = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  if (spawned !== null) return { ok: false, problem: `${server.command} ${spawned.code === 'ENOENT' ? 'does not exist' : `failed (${spawned.message})`}` };
  return { ok: true, child, tree: new ServerTree(child.pid as number, marker) };
}

/** The server's process tree, for the final kill. */
export class ServerTree {
  readonly pid: number;
  readonly #marker: string;
  /** Descendants seen while the server was alive: pid to start time. */
  readonly #seen = new Map<number, string>();

  constructor(pid: number, marker: string) {
    this.pid = pid;
    this.#marker = marker;
  }

  /** Notes the server's current descendants (call while it is alive: once it is gone, parent links are lost). */
  async note(): Promise<void> {
    if (process.platform !== 'linux') return;
    for (const pid of await descendantsOf(this.pid)) {
      const started = startTime(pid);
      if (started !== undefined) this.#seen.set(pid, started);
    }
  }

  /** Kills the group and every known stray; resolves when they are gone (a few seconds at most). */
  async kill(graceMs: number): Promise<void> {
    const also = process.platform === 'linux' ? [...[...this.#seen].filter(([pid, started]) => startTime(pid) === started).map(([pid]) => pid), ...this.#marked()] : [];
    await killProcessTree(this.pid, { graceMs, also });
  }

  /** Processes of this user whose environment holds this launch's marker. */
  #marked(): number[] {
    const needle = Buffer.from(`${LAUNCH_MARKER_VARIABLE}=${this.#marker}\0`);
    const out: number[] = [];
    let names: string[];
    try {
      names = readdirSync('/proc');
    } catch {
      return out;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
      let environ: Buffer;
      try {
        environ = readFileSync(`/proc/${name}/environ`);
      } catch {
        continue; // another user's, or gone
      }
      const at = environ.indexOf(needle);
      if (at === 0 || (at > 0 && environ[at - 1] === 0)) out.push(Number(name));
    }
    return out;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined when gone. */
function startTime(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
