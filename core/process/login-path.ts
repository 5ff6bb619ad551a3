/**
 * The PATH a user's login shell sets up. A desktop app started from the dock, a launcher or a
 * systemd unit inherits a minimal PATH (`/usr/bin:/bin`), so `npx`, `uvx` or a Homebrew `node`
 * that work in the user's terminal would not be found by the servers MCP Warden starts. The login
 * shell is asked once per process (`$SHELL -ilc`, 3 s at most); anything odd falls back to this
 * process's own PATH.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';

const START = '__MCP_WARDEN_PATH_START__';
const END = '__MCP_WARDEN_PATH_END__';
/** Markers around the value: rc files that print a banner or a fortune do not spoil it. */
const SCRIPT = `printf '%s%s%s' '${START}' "$PATH" '${END}'`;
const MAX_OUTPUT = 1024 * 1024;

export const LOGIN_SHELL_TIMEOUT_MS = 3000;

export interface ReadLoginPathOptions {
  /** The shell to ask (default `$SHELL`, else the account's shell, else `/bin/sh`). */
  shell?: string;
  timeoutMs?: number;
  /** The shell's environment (default this process's). */
  env?: NodeJS.ProcessEnv;
  /** What to return when the shell cannot tell (default this process's PATH). */
  fallback?: string;
  platform?: NodeJS.Platform;
}

let injected: string | undefined;
let cached: Promise<string> | undefined;

/** The login shell's PATH, asked once per process and cached (or the value `setLoginShellPath` injected). */
export function loginShellPath(): Promise<string> {
  if (injected !== undefined) return Promise.resolve(injected);
  cached ??= readLoginShellPath();
  return cached;
}

/** Injects the value `loginShellPath` returns (tests, or a caller that already knows it); `undefined` forgets both the injection and the cache. */
export function setLoginShellPath(value: string | undefined): void {
  injected = value;
  if (value === undefined) cached = undefined;
}

/** Runs the login shell once and reads its PATH. Never rejects: falls back instead. */
export function readLoginShellPath(options: ReadLoginPathOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const fallback = options.fallback ?? env.PATH ?? env.Path ?? '';
  if ((options.platform ?? process.platform) === 'win32') return Promise.resolve(fallback);
  const shell = options.shell ?? (env.SHELL || accountShell() || '/bin/sh');
  const timeoutMs = options.timeoutMs ?? LOGIN_SHELL_TIMEOUT_MS;

  return new Promise((resolve) => {
    let settled = false;
    let output = '';
    const finish = (value: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // Detached: the shell leads its own process group, so a timeout takes whatever its rc files started with it.
      child = spawn(shell, ['-ilc', SCRIPT], { env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    } catch {
      resolve(fallback);
      return;
    }
    const timer = setTimeout(() => {
      killGroup(child.pid);
      finish(fallback);
    }, timeoutMs);
    child.on('error', () => finish(fallback));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (output.length < MAX_OUTPUT) output += chunk;
    });
    child.on('close', () => {
      killGroup(child.pid); // rc files may leave an agent behind in the group
      finish(parse(output) ?? fallback);
    });
  });
}

function parse(output: string): string | undefined {
  const start = output.lastIndexOf(START);
  if (start === -1) return undefined;
  const end = output.indexOf(END, start + START.length);
  if (end === -1) return undefined;
  const value = output.slice(start + START.length, end);
  return value.length > 0 && !/[\0\r\n]/.test(value) ? value : undefined;
}

function accountShell(): string | undefined {
  try {
    return os.userInfo().shell ?? undefined;
  } catch {
    return undefined;
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
