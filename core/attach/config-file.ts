/**
 * The one way MCP Warden writes a client's config file (attach, detach, secure, apply): read the
 * exact bytes and their SHA-256, change only the JSON values we own (jsonc-parser edits keep every
 * other byte: other keys such as Claude Desktop's UI preferences, comments, indentation, line ends),
 * then write atomically only if nobody changed the file since it was read, after a timestamped backup.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applyEdits, modify, type FormattingOptions } from 'jsonc-parser';
import writeFileAtomic from 'write-file-atomic';
import { conflict, WardenError } from '../api/errors.ts';
import { readConfigFile } from '../discovery/read-config-file.ts';

export interface ConfigForEdit {
  /** The file's bytes as UTF-8 text; '' when the file does not exist. */
  text: string;
  /** SHA-256 (hex) of those bytes; '' when the file does not exist (so a file created meanwhile is a conflict too). */
  sha256: string;
  exists: boolean;
}

const BOM = '\uFEFF';
const BACKUP_MARK = '.mcp-warden-backup-';

const sha256Of = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function readConfigForEdit(file: string): ConfigForEdit {
  const bytes = readBytes(file);
  if (bytes === null) return { text: '', sha256: '', exists: false };
  return { text: bytes.toString('utf8'), sha256: sha256Of(bytes), exists: true };
}

/**
 * The indentation and line end the file already uses: the first indented line's leading tab or
 * spaces (the smallest run of spaces among the first lines, so a 4-space file is not read as 8),
 * and CRLF when the file has one. A one-line or empty file gets 2 spaces and LF.
 */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let spaces = 0;
  for (const match of text.matchAll(/\n([ \t]+)\S/g)) {
    const indent = match[1] as string;
    if (indent.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
    if (spaces === 0 || indent.length < spaces) spaces = indent.length;
    if (spaces === 1) break;
  }
  return { insertSpaces: true, tabSize: spaces === 0 ? 2 : spaces, eol };
}

/**
 * Sets (or with `undefined` removes) the value at `jsonPath`, creating the objects on the way.
 * Everything outside the edited value stays byte for byte. An empty text starts as `{}`.
 */
export function editJson(text: string, jsonPath: (string | number)[], value: unknown | undefined): string {
  const bom = text.startsWith(BOM) ? BOM : '';
  let body = bom === '' ? text : text.slice(1);
  if (body.trim() === '') body = value === undefined ? body : '{}\n';
  const formattingOptions = detectFormatting(body);
  const edits = modify(body, jsonPath, value, { formattingOptions });
  return bom + applyEdits(body, edits);
}

/** `20260131T120000123Z`: sortable, no characters any file system refuses. */
function basicIso(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * Writes `text` over `file` only if its bytes still hash to `expectedSha256` (`''`: the file must
 * still be missing). The current bytes are first copied to `<file>.mcp-warden-backup-<time>` next
 * to it (mode 0600 whatever the original's: it holds what the config held, plaintext secrets
 * included, and the config's folder is often readable by others), then write-file-atomic writes a temporary
 * file in the same folder, fsyncs it, gives it the original's mode and owner and renames it over the
 * file; the folder is fsynced after, so the rename itself survives a crash (POSIX).
 *
 * The check and the rename are not one atomic step: an editor saving in the microseconds between them
 * would still be overwritten. The window is the write itself, not the time the user took.
 */
export function writeConfigAtomically(file: string, expectedSha256: string, text: string, now: Date = new Date()): { backup: string | null } {
  const bytes = readBytes(file);
  const currentSha = bytes === null ? '' : sha256Of(bytes);
  if (currentSha !== expectedSha256) {
    const what = bytes === null ? 'it was removed' : expectedSha256 === '' ? 'it was created' : 'its content is different now';
    throw conflict(`${file} changed since MCP Warden read it: ${what}; nothing was written, try again.`, 'config');
  }
  let backup: string | null = null;
  let mode: number | undefined;
  if (bytes !== null) {
    mode = fs.statSync(file).mode & 0o7777;
    // The backup holds the very bytes that were checked.
    backup = writeBackup(file, bytes, now);
    privateOlderBackups(file);
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  try {
    writeFileAtomic.sync(file, text, { encoding: 'utf8', fsync: true, ...(mode === undefined ? {} : { mode }) });
  } catch (error) {
    throw new WardenError('failed', `${file} could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it is unchanged.`, 'config');
  }
  fsyncFolder(path.dirname(file));
  return { backup };
}

/** Through the scan's bounded reader: a config path that holds a device, a FIFO or a huge file is refused, never read whole. */
function readBytes(file: string): Buffer | null {
  const read = readConfigFile(file);
  if (read.ok) return read.bytes;
  if (read.problem === 'missing') return null;
  throw new WardenError('failed', `${read.message.slice(0, -1)}; nothing was written.`, 'config');
}

/** Only the user may read a backup: it is the config as it was, with any plaintext secret in it. */
const BACKUP_MODE = 0o600;

function writeBackup(file: string, bytes: Buffer, now: Date): string {
  const base = `${file}${BACKUP_MARK}${basicIso(now)}`;
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    let fd: number;
    try {
      // Created 0600 and exclusive: never a file someone else placed there, never readable in between.
      fd = fs.openSync(candidate, 'wx', BACKUP_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new WardenError('failed', `The backup ${candidate} could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${file} is unchanged.`, 'config');
    }
    try {
      // The umask can only have removed bits; set it exactly (the user can still read it back).
      if (process.platform !== 'win32') fs.fchmodSync(fd, BACKUP_MODE);
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return candidate;
  }
}

/**
 * Backups of this file that an older version wrote with the config's own mode (0644 and a plaintext
 * token, for instance) are made 0600 too. Only our own regular files; any failure leaves them be.
 */
function privateOlderBackups(file: string): void {
  if (process.platform === 'win32') return;
  const prefix = `${path.basename(file)}${BACKUP_MARK}`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const candidate = path.join(path.dirname(file), name);
    try {
      const stat = fs.lstatSync(candidate);
      if (stat.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) !== 0) fs.chmodSync(candidate, BACKUP_MODE);
    } catch {
      // gone or not ours: nothing to do
    }
  }
}

function fsyncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the file itself is already on disk.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether a file name is one of our backups (the scan and the watcher leave them alone). */
export function isBackupFile(file: string): boolean {
  return path.basename(file).includes(BACKUP_MARK);
}
