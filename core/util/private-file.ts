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
 *
 * A file, FIFO or socket of another user, or a link another user made, is refused before anything
 * is written: in a shared folder such as /tmp another user can put one where the export will go (a
 * FIFO they read from; a file of theirs that root could chmod and fill; a link to a file of the user's
 * to overwrite), and not every system stops it (Linux's fs.protected_* settings are off by default
 * outside systemd, macOS has none). Devices (/dev/null, a terminal) are written as they are.
 */
export function openPrivateOutput(file: string): number {
  const seen = lookAt(file);
  refuseForeign(seen);
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, PRIVATE_OUTPUT_MODE);
  try {
    const stat = fs.fstatSync(fd);
    // Again on what was opened (something put there after the look); nothing is written or emptied yet.
    refuseForeign({ stat, viaTrustedLink: seen.viaTrustedLink });
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

const ownUid = (): number | undefined => (process.platform === 'win32' ? undefined : process.getuid?.());

interface Look {
  /** What the path leads to (a link another user made: the link itself); null when nothing is there yet. */
  stat: fs.Stats | null;
  /** Reached through a link of the user's or root's (/dev/stdout, /dev/fd/63): a pipe or socket there is the shell's, written as it is. */
  viaTrustedLink: boolean;
}

function lookAt(file: string): Look {
  let link: fs.Stats;
  try {
    link = fs.lstatSync(file);
  } catch {
    return { stat: null, viaTrustedLink: false };
  }
  if (!link.isSymbolicLink()) return { stat: link, viaTrustedLink: false };
  if (link.uid !== ownUid() && link.uid !== 0) return { stat: link, viaTrustedLink: false };
  try {
    return { stat: fs.statSync(file), viaTrustedLink: true };
  } catch {
    return { stat: null, viaTrustedLink: true };
  }
}

/** Throws (a clause for the caller's "Cannot write X: ...") at another user's link, file, FIFO or socket. */
function refuseForeign({ stat, viaTrustedLink }: Look): void {
  const uid = ownUid();
  if (stat === null || uid === undefined || stat.uid === uid || stat.isCharacterDevice() || stat.isBlockDevice()) return;
  if (viaTrustedLink && !stat.isFile()) return;
  const what = stat.isSymbolicLink() ? 'a link made by another user' : stat.isFIFO() ? 'a named pipe (FIFO) of another user' : stat.isSocket() ? 'a socket of another user' : 'a file of another user';
  throw new Error(`it is ${what} (uid ${stat.uid}), who could read or redirect what is written there; write to a file of your own`);
}
