/**
 * Files MCP Warden writes for the user outside its data directory (an audit export, a SARIF report,
 * an attestation envelope): mode 0600, whatever the umask and whatever mode a file already there
 * had, since they tell a reader which servers run with which secrets, and when.
 */
import fs from 'node:fs';

export const PRIVATE_OUTPUT_MODE = 0o600;

/**
 * Opens `file` for writing, private to the user. An existing regular file is made 0600 before it is
 * emptied, so one that cannot be made private (another user's) is refused with its content intact.
 * Anything else (a terminal, a pipe, /dev/stdout) is written as it is.
 */
export function openPrivateOutput(file: string): number {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, PRIVATE_OUTPUT_MODE);
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isFile()) {
      if (process.platform !== 'win32' && (stat.mode & 0o777) !== PRIVATE_OUTPUT_MODE) fs.fchmodSync(fd, PRIVATE_OUTPUT_MODE);
      fs.ftruncateSync(fd, 0);
    }
    return fd;
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/** Writes `text` to `file` as a private file (see openPrivateOutput). */
export function writePrivateFile(file: string, text: string): void {
  const fd = openPrivateOutput(file);
  try {
    fs.writeFileSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}
