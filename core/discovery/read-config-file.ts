/**
 * The one way a client config file's bytes are read: by the scan and the monitor, and by attach,
 * detach, secure and apply before they edit one. Other small files a repository decides are read
 * through it too (an `apply` manifest, an npx package's package.json and lockfiles). A config path is within an attacker's reach (a
 * cloned repository's `.mcp.json` can be a link to /dev/zero, a FIFO, a link loop or a sparse
 * 1.5 GB file), so the read never blocks, never holds more than the limit in memory, and says in
 * one clause what sits there instead of a config. Never throws.
 *
 * Links are resolved first (realpath), so a loop or a dangling link is named as such; the resolved
 * path is stat'ed and only a regular file is opened (opening a device can have effects of its own),
 * with O_NONBLOCK (a FIFO swapped in meanwhile opens at once instead of waiting for a writer) and
 * O_NOFOLLOW (a link swapped in meanwhile is refused); the opened descriptor is checked again.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Client configs are kilobytes; tens of megabytes is no config, and reading it would stall a scan. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** `special_file`: a device, FIFO or socket, which no editor or client makes at a config path. */
export type ConfigFileProblem = 'special_file' | 'directory' | 'too_large' | 'link_loop' | 'dangling_link' | 'unreadable';

export type ConfigFileRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; problem: 'missing' }
  | {
      ok: false;
      problem: ConfigFileProblem;
      /** What is wrong, as a clause about the file: "it is a link to /dev/zero, a character device, not a regular file". */
      detail: string;
      /** The same as a sentence naming the file. */
      message: string;
    };

// Not defined on Windows, where neither a FIFO nor a link can stall a read this way.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);
/** Tries when the file is replaced between its stat and its open (an editor's rename-save). */
const ATTEMPTS = 3;

export function readConfigFile(file: string, limit: number = MAX_CONFIG_BYTES): ConfigFileRead {
  const abs = path.resolve(file);
  for (let attempt = 1; ; attempt++) {
    const read = readOnce(abs, limit);
    if (read !== 'replaced') return read;
    if (attempt === ATTEMPTS) return refused(abs, 'unreadable', 'it was replaced while it was being read, again and again');
  }
}

function readOnce(abs: string, limit: number): ConfigFileRead | 'replaced' {
  let real: string;
  try {
    real = fs.realpathSync.native(abs);
  } catch (error) {
    return unresolvable(abs, error);
  }
  const link = real === abs ? '' : `a link to ${real}, `;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(real);
  } catch (error) {
    return codeOf(error) === 'ENOENT' ? 'replaced' : cannotRead(abs, error);
  }
  if (!stat.isFile()) return refused(abs, stat.isDirectory() ? 'directory' : 'special_file', `it is ${link}${kindOf(stat)}, not a regular file`);
  if (stat.size > limit) return tooLarge(abs, stat.size, limit);

  let fd: number;
  try {
    fd = fs.openSync(real, OPEN_FLAGS);
  } catch (error) {
    // ELOOP: O_NOFOLLOW met a link where the resolved file was; ENOENT: it was renamed away.
    const code = codeOf(error);
    return code === 'ELOOP' || code === 'ENOENT' ? 'replaced' : cannotRead(abs, error);
  }
  try {
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return 'replaced';
    if (opened.size > limit) return tooLarge(abs, opened.size, limit);
    return readBounded(fd, abs, Math.min(opened.size, limit) + 1, limit);
  } catch (error) {
    return cannotRead(abs, error);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads to the end but never more than limit + 1 bytes: the extra byte tells a file that grew since
 * its stat (or a /proc-like file whose size says 0) from one exactly at the limit.
 */
function readBounded(fd: number, abs: string, first: number, limit: number): ConfigFileRead {
  let buffer = Buffer.allocUnsafe(first);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > limit) return refused(abs, 'too_large', `it grew past the ${formatSize(limit)} a client config can be while it was read`);
      const bigger = Buffer.allocUnsafe(Math.min(Math.max(buffer.length * 2, 64 * 1024), limit + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) return { ok: true, bytes: buffer.subarray(0, length) };
    length += n;
  }
}

/** realpath failed: nothing there, a loop, a link to nothing, or a folder on the way that cannot be read. */
function unresolvable(abs: string, error: unknown): ConfigFileRead {
  const code = codeOf(error);
  // ELOOP is also a chain of more links than the system follows (40 on Linux): no editor makes either.
  if (code === 'ELOOP') return refused(abs, 'link_loop', 'it is a symbolic link loop');
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    let target: string;
    try {
      target = fs.readlinkSync(abs);
    } catch {
      return { ok: false, problem: 'missing' };
    }
    return refused(abs, 'dangling_link', `it is a link to ${path.resolve(path.dirname(abs), target)}, which does not exist`);
  }
  return cannotRead(abs, error);
}

function kindOf(stat: fs.Stats): string {
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a directory';
  return 'something other than a file';
}

function tooLarge(abs: string, size: number, limit: number): ConfigFileRead {
  return refused(abs, 'too_large', `it is ${formatSize(size)}, larger than the ${formatSize(limit)} a client config can be`);
}

function cannotRead(abs: string, error: unknown): ConfigFileRead {
  const code = codeOf(error);
  const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? (error instanceof Error ? error.message : String(error)));
  return refused(abs, 'unreadable', `it cannot be read (${why})`);
}

function refused(abs: string, problem: ConfigFileProblem, detail: string): ConfigFileRead {
  return { ok: false, problem, detail, message: `${abs} cannot be read as a client config: ${detail}.` };
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** 1536 MiB -> "1.5 GiB"; 32 MiB -> "32 MiB". */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${units[unit]}`;
}
