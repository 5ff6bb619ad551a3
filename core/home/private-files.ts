/**
 * What other users of the machine may see of MCP Warden's files: nothing. The data directory is
 * 0700 and every file in it 0600, whatever the umask: the database holds the registry, digests of
 * config values and the audit trail, the launch cache the definitions, the spool tool-call events.
 * Modes are set with chmod (an open's mode is filtered by the umask, and an existing file keeps its
 * mode), so a directory or file left looser by an older version is tightened here too.
 *
 * POSIX only: on Windows the data directory inherits the user's profile ACL and modes mean little.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WardenError } from '../api/errors.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const POSIX = process.platform !== 'win32';
const octal = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** A directory or file that was readable or writable by others and has been made private. */
export interface Tightened {
  path: string;
  /** The permission bits before, e.g. 0o755. */
  was: number;
}

/**
 * Creates `dir` (mode 0700) or, when it exists, makes it 0700 if it is looser. A directory of
 * another user is refused: its owner could read or replace everything written there.
 */
export function ensurePrivateDir(dir: string): Tightened | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannot(dir, error);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      // mkdir's mode passes through the umask: set it exactly.
      if (POSIX) fs.chmodSync(dir, PRIVATE_DIR_MODE);
    } catch (failure) {
      throw cannot(dir, failure);
    }
    return null;
  }
  if (!stat.isDirectory()) throw new WardenError('failed', `The data directory ${dir} is not a directory: choose another one with --home or MCP_WARDEN_HOME.`);
  if (!POSIX) return null;
  refuseForeign(dir, stat, 'data directory');
  if ((stat.mode & 0o077) === 0) return null;
  try {
    fs.chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (error) {
    throw cannot(dir, error);
  }
  return { path: dir, was: stat.mode & 0o777 };
}

/**
 * Makes an existing file (or directory, 0700) private when it is looser; nothing when it is missing.
 * Never follows a symbolic link: the data directory is ours, what a link points at may not be.
 */
export function makePrivate(file: string): Tightened | null {
  if (!POSIX) return null;
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw cannot(file, error);
  }
  if (stat.isSymbolicLink() || (stat.mode & 0o077) === 0) return null;
  if (!stat.isFile() && !stat.isDirectory()) return null;
  refuseForeign(file, stat, stat.isDirectory() ? 'folder' : 'file');
  try {
    fs.chmodSync(file, stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE);
  } catch (error) {
    throw cannot(file, error);
  }
  return { path: file, was: stat.mode & 0o777 };
}

/** Makes every file and folder under `dir` private (links are left alone, not followed). */
export function makeTreePrivate(dir: string): Tightened[] {
  if (!POSIX) return [];
  const tightened: Tightened[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw cannot(dir, error);
  }
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    const done = makePrivate(child);
    if (done !== null) tightened.push(done);
    if (entry.isDirectory()) tightened.push(...makeTreePrivate(child));
  }
  return tightened;
}

/**
 * Creates `file` empty with mode 0600 when it does not exist yet, so a program that creates it with
 * its own default (SQLite: 0644 minus the umask) finds it private already.
 */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw cannot(file, error);
  }
  try {
    if (POSIX) fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

/** The sentence a shell shows once after a directory was tightened. */
export function tightenedNotice(what: Tightened): string {
  return `The data directory ${what.path} was open to other users of this machine (mode ${octal(what.was)}), so MCP Warden made it private (mode 0700).`;
}

function refuseForeign(file: string, stat: fs.Stats, what: string): void {
  const uid = process.getuid?.();
  if (uid === undefined || stat.uid === uid) return;
  throw new WardenError('failed', `The ${what} ${file} belongs to another user (uid ${stat.uid}), so MCP Warden will not keep its data there: use a data directory of your own (--home or MCP_WARDEN_HOME).`);
}

function cannot(file: string, error: unknown): WardenError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new WardenError('failed', `MCP Warden cannot make ${file} private to you (${code}): fix its permissions, or use another data directory (--home or MCP_WARDEN_HOME).`);
}
