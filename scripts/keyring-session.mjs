// A throwaway, unlocked gnome-keyring on the current (private) D-Bus session, for the keychain: used
// by `npm test` and by the benchmarks that sign with the device key. Run it inside
// `dbus-run-session`, never on the user's own session bus.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Starts gnome-keyring-daemon on this private D-Bus session with a throwaway, unlocked keyring. The
 * launcher forks the daemon and exits 0 once it is up; the daemon exits with the session bus at the
 * end of dbus-run-session. Rejects when the launcher fails; `stop()` removes the keyring's folder.
 */
export async function startKeyring() {
  const dataHome = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-keyring-'));
  const launcher = spawn('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env: { ...process.env, XDG_DATA_HOME: dataHome, XDG_RUNTIME_DIR: dataHome },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  launcher.stdin.end('mcp-warden-test');
  const code = await new Promise((resolve) => launcher.on('exit', resolve));
  if (code !== 0) throw new Error(`gnome-keyring-daemon could not start on the test D-Bus session (exit code ${code}).`);
  return { stop: () => rmSync(dataHome, { recursive: true, force: true }) };
}
