/**
 * Starting an MCP server's process, the one way both the probe (core/probe/stdio-transport.ts) and
 * the launcher (core/launcher/server-process.ts) do it: no shell (arguments are never parsed by one),
 * its own process group on POSIX (signals and the final tree kill reach everything it started), no
 * console window on Windows, and the environment the caller built (`buildEnvironment`: the safe keys,
 * the login shell's PATH, the definition's template), never this process's own.
 *
 * With `pdeathsig`, on Linux the server is spawned through util-linux `setpriv --pdeathsig KILL --
 * <command> <args>`: setpriv sets the parent-death signal and execs the command in place (same pid,
 * same argv, same environment, same working directory), so if this process dies, even by SIGKILL,
 * the kernel kills the server. Other platforms have no such signal: there it is spawned directly
 * (docs/launcher.md).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const SETPRIV_LOCATIONS = ['/usr/bin/setpriv', '/bin/setpriv'];

export interface ServerCommand {
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: Record<string, string>;
}

let setprivPath: string | null | undefined;

/** Where setpriv is (looked up once per process, at fixed places, never on the server's PATH); null off Linux or without it. */
export function pdeathsigHelper(platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  for (const candidate of SETPRIV_LOCATIONS) {
    try {
      accessSync(candidate, constants.X_OK);
      setprivPath = candidate;
      break;
    } catch {
      // not here
    }
  }
  return setprivPath;
}

/** What is spawned for `server`: through setpriv when `helper` is set, the command itself otherwise. */
export function spawnArguments(server: ServerCommand, helper: string | null): { file: string; args: string[] } {
  if (helper === null) return { file: server.command, args: [...server.args] };
  return { file: helper, args: ['--pdeathsig', 'KILL', '--', server.command, ...server.args] };
}

export interface SpawnServerOptions {
  stdio: StdioOptions;
  /** Kill the server when this process dies (Linux, through setpriv; ignored elsewhere). */
  pdeathsig?: boolean;
}

/**
 * Spawns the server. Throws synchronously where `child_process.spawn` does (invalid arguments: a
 * NUL byte, EINVAL for .cmd on Windows); a command that cannot start is reported by the child's
 * `error` event, as with spawn.
 */
export function spawnServer(server: ServerCommand, options: SpawnServerOptions): ChildProcess {
  const { file, args } = spawnArguments(server, options.pdeathsig === true ? pdeathsigHelper() : null);
  return spawn(file, args, {
    cwd: server.cwd,
    env: server.env,
    shell: false,
    // Its own process group: signals and the final kill reach everything it started.
    detached: process.platform !== 'win32',
    windowsHide: true,
    stdio: options.stdio,
  });
}
