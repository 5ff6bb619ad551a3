/**
 * The login shell's PATH for launched servers, kept for an hour in `<data dir>/launch-cache/login-path`:
 * asking the shell (`<shell> -ilc`) costs tens to hundreds of milliseconds, paid on every client start
 * otherwise. A changed shell profile is picked up within the hour; `mcp probe` always asks afresh.
 *
 * The shell is the account's (the user database, never `$SHELL`) and runs in a login environment
 * built from the account, as login(1) starts one: the launcher's own environment comes from a client
 * config entry, and SHELL, HOME, ZDOTDIR, ENV or BASH_ENV there would choose what the shell runs and
 * so the PATH every server of this data directory is started on, secrets and all, for the hour.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLoginShellPath } from '../process/index.ts';
import { LAUNCH_CACHE_DIR } from './launch-cache.ts';

const MAX_AGE_MS = 60 * 60 * 1000;

export async function cachedLoginPath(dataDir: string, now: number = Date.now()): Promise<string> {
  const file = path.join(dataDir, LAUNCH_CACHE_DIR, 'login-path');
  try {
    const stat = fs.statSync(file);
    if (now - stat.mtimeMs < MAX_AGE_MS) {
      const value = fs.readFileSync(file, 'utf8');
      if (value !== '') return value;
    }
  } catch {
    // not cached yet
  }
  const login = accountLogin();
  const value = login === null ? '' : await readLoginShellPath({ shell: login.shell, env: login.env, fallback: '' });
  // The shell could not tell: this launch uses the PATH it was given, and nothing is cached.
  if (value === '') return process.env.PATH ?? '';
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(`${file}.tmp-${process.pid}`, value, { mode: 0o600 });
    fs.renameSync(`${file}.tmp-${process.pid}`, file);
  } catch {
    // a read-only data dir: ask again next time
  }
  return value;
}

/** Where login(1) starts from: the account's shell and home, and the system's default PATH. */
const LOGIN_PATH = '/usr/local/bin:/usr/bin:/bin';
/** Passed on from the launcher: they choose a language and a temporary folder, never a program. */
const KEPT = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR'] as const;

/** The account's login shell and the environment a login gives it; null when the user database has no shell (Windows). */
function accountLogin(): { shell: string; env: NodeJS.ProcessEnv } | null {
  let user: os.UserInfo<string>;
  try {
    user = os.userInfo();
  } catch {
    return null;
  }
  if (user.shell === null || user.shell === '') return null;
  const env: NodeJS.ProcessEnv = { HOME: user.homedir, USER: user.username, LOGNAME: user.username, SHELL: user.shell, PATH: LOGIN_PATH, TERM: 'dumb' };
  for (const key of KEPT) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { shell: user.shell, env };
}
