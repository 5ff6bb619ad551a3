/**
 * SHA-256 of a file, streamed in chunks (executables run to 100+ MB), with a cache so an unchanged
 * file is not read again. A cache entry is keyed by what the file system says about the file:
 * (path, size, mtimeMs, ctimeMs, ino, dev). When any of these moves, the file is hashed again.
 *
 * The key includes ctime, which user space cannot set back: a writer that rewrites a file in place and
 * restores its size and mtime (`touch -d`, utimes) still moves ctime, so the file is read again. To keep the
 * usual race out (a file rewritten within the file system's timestamp granularity right after it was
 * hashed, which leaves the key unchanged), a file modified less than RACY_WINDOW_MS before it was
 * hashed is not cached: the next call reads it again.
 *
 * Both a sync version (for use inside SQLite transactions, which must not await) and an async one.
 * File-system problems are a typed result, not an exception: `{ ok: false, reason: 'missing' }`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WardenError } from '../api/errors.ts';

/** What a cached hash is valid for. `ino` and `dev` are decimal strings: they can exceed 2^53. */
export interface FileHashKey {
  /** Absolute path, as asked for (symbolic links are not resolved; ino and dev are the target's). */
  path: string;
  size: number;
  mtimeMs: number;
  /** Status-change time: moves on every write, chmod or utimes, and cannot be set back. */
  ctimeMs: number;
  ino: string;
  dev: string;
}

export interface HashCache {
  /** The SHA-256 (hex) recorded for exactly this key, or undefined when none is or any field differs. */
  get(key: FileHashKey): string | undefined;
  set(key: FileHashKey, sha256: string): void;
}

export interface FileHash {
  ok: true;
  path: string;
  /** Lowercase hex. */
  sha256: string;
  size: number;
  key: FileHashKey;
  /** True when the hash came from the cache and the file was not read. */
  cached: boolean;
}

export type FileHashFailure = {
  ok: false;
  path: string;
  reason: 'missing' | 'not_a_file' | 'unreadable';
  /** One sentence for the user, naming the file. */
  message: string;
};

export type FileHashResult = FileHash | FileHashFailure;

export interface HashOptions {
  cache?: HashCache | undefined;
  /** Bytes read at a time. */
  chunkSize?: number | undefined;
  /** For tests: the clock the racy-file rule reads. */
  now?: (() => number) | undefined;
}

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
/** A file modified this recently (ms) is hashed but not cached: its mtime may not move on its next change. */
export const RACY_WINDOW_MS = 2000;
/** Times a file that changes while it is read is read again before the hash is returned uncached. */
const MAX_ATTEMPTS = 3;
/**
 * The stat before the open only names a FIFO or device that is already there: one renamed over the
 * file between the two (a process flipping a server's executable) would block a plain open() for
 * ever, in the scan's thread or a libuv one. With O_NONBLOCK it opens at once and the fstat after it
 * refuses it. Regular files read the same either way. Not defined on Windows, which has no FIFOs there.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** An in-memory cache, one entry per path. */
export class MemoryHashCache implements HashCache {
  readonly #entries = new Map<string, { key: FileHashKey; sha256: string }>();

  get(key: FileHashKey): string | undefined {
    const hit = this.#entries.get(key.path);
    return hit !== undefined && sameKey(hit.key, key) ? hit.sha256 : undefined;
  }

  set(key: FileHashKey, sha256: string): void {
    this.#entries.set(key.path, { key: { ...key }, sha256 });
  }

  get size(): number {
    return this.#entries.size;
  }
}

export function sameKey(a: FileHashKey, b: FileHashKey): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

function keyOf(file: string, st: fs.BigIntStats): FileHashKey {
  return { path: file, size: Number(st.size), mtimeMs: Number(st.mtimeNs) / 1e6, ctimeMs: Number(st.ctimeNs) / 1e6, ino: st.ino.toString(), dev: st.dev.toString() };
}

function failure(file: string, error: unknown): FileHashFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, path: file, reason: 'missing', message: `The file ${file} does not exist.` };
  if (code === 'EISDIR') return notAFile(file);
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, path: file, reason: 'unreadable', message: `The file ${file} cannot be read: permission denied.` };
  const detail = error instanceof Error ? error.message : String(error);
  return { ok: false, path: file, reason: 'unreadable', message: `The file ${file} cannot be read: ${detail}.` };
}

const notAFile = (file: string): FileHashFailure => ({ ok: false, path: file, reason: 'not_a_file', message: `${file} is not a regular file, so it has no content hash.` });

const isRacy = (key: FileHashKey, startedAt: number): boolean => startedAt - key.mtimeMs < RACY_WINDOW_MS;

/** SHA-256 of a file, synchronously, reading it in chunks with fs.readSync. */
export function hashFileSync(file: string, options: HashOptions = {}): FileHashResult {
  const abs = path.resolve(file);
  const now = options.now ?? Date.now;
  let fd: number;
  try {
    // Stat first: opening a device can have effects of its own (and see OPEN_FLAGS for a FIFO).
    if (!fs.statSync(abs).isFile()) return notAFile(abs);
    fd = fs.openSync(abs, OPEN_FLAGS);
  } catch (error) {
    return failure(abs, error);
  }
  try {
    const before = fs.fstatSync(fd, { bigint: true });
    if (!before.isFile()) return notAFile(abs);
    let key = keyOf(abs, before);
    const hit = options.cache?.get(key);
    if (hit !== undefined) return { ok: true, path: abs, sha256: hit, size: key.size, key, cached: true };
    const buffer = Buffer.allocUnsafe(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    for (let attempt = 1; ; attempt++) {
      const startedAt = now();
      const hash = createHash('sha256');
      let position = 0;
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
        position += n;
      }
      const sha256 = hash.digest('hex');
      const afterKey = keyOf(abs, fs.fstatSync(fd, { bigint: true }));
      if (sameKey(key, afterKey) && position === key.size) {
        if (!isRacy(key, startedAt)) options.cache?.set(key, sha256);
        return { ok: true, path: abs, sha256, size: position, key, cached: false };
      }
      // It changed while it was read: read it again, and do not cache a torn read.
      key = afterKey;
      if (attempt >= MAX_ATTEMPTS) return { ok: true, path: abs, sha256, size: position, key, cached: false };
    }
  } catch (error) {
    return failure(abs, error);
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 of a file, asynchronously. Same result and cache rules as hashFileSync. */
export async function hashFile(file: string, options: HashOptions = {}): Promise<FileHashResult> {
  const abs = path.resolve(file);
  const now = options.now ?? Date.now;
  let handle: fs.promises.FileHandle;
  try {
    if (!(await fs.promises.stat(abs)).isFile()) return notAFile(abs);
    handle = await fs.promises.open(abs, OPEN_FLAGS);
  } catch (error) {
    return failure(abs, error);
  }
  try {
    const before = await handle.stat({ bigint: true });
    if (!before.isFile()) return notAFile(abs);
    let key = keyOf(abs, before);
    const hit = options.cache?.get(key);
    if (hit !== undefined) return { ok: true, path: abs, sha256: hit, size: key.size, key, cached: true };
    const buffer = Buffer.allocUnsafe(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
    for (let attempt = 1; ; attempt++) {
      const startedAt = now();
      const hash = createHash('sha256');
      let position = 0;
      for (;;) {
        const { bytesRead: n } = await handle.read(buffer, 0, buffer.length, position);
        if (n === 0) break;
        hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
        position += n;
      }
      const sha256 = hash.digest('hex');
      const afterKey = keyOf(abs, await handle.stat({ bigint: true }));
      if (sameKey(key, afterKey) && position === key.size) {
        if (!isRacy(key, startedAt)) options.cache?.set(key, sha256);
        return { ok: true, path: abs, sha256, size: position, key, cached: false };
      }
      key = afterKey;
      if (attempt >= MAX_ATTEMPTS) return { ok: true, path: abs, sha256, size: position, key, cached: false };
    }
  } catch (error) {
    return failure(abs, error);
  } finally {
    await handle.close();
  }
}

/** The hash, or a WardenError whose message is the failure's sentence (`not_found` for a missing file). */
export function fileHashOrThrow(result: FileHashResult, field?: string): FileHash {
  if (result.ok) return result;
  throw new WardenError(result.reason === 'missing' ? 'not_found' : 'failed', result.message, field);
}
