/**
 * The login shell's PATH for launched servers, kept for an hour in `<data dir>/launch-cache/login-path`:
 * asking the shell (`$SHELL -ilc`) costs tens to hundreds of milliseconds, paid on every client start
 * otherwise. A changed shell profile is picked up within the hour; `mcp probe` always asks afresh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loginShellPath } from '../probe/login-path.ts';
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
  const value = await loginShellPath();
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(`${file}.tmp-${process.pid}`, value, { mode: 0o600 });
    fs.renameSync(`${file}.tmp-${process.pid}`, file);
  } catch {
    // a read-only data dir: ask again next time
  }
  return value;
}
