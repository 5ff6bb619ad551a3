// Start at login. Linux has no login-item API in Electron: the freedesktop.org way is a desktop
// entry in $XDG_CONFIG_HOME/autostart (default ~/.config/autostart), which GNOME, KDE, Xfce and
// most other desktops run at login. macOS and Windows use Electron's login items (a port). Pure apart
// from the file system, so it is tested under plain Node with a temp HOME.
import fs from 'node:fs';
import path from 'node:path';
import type { LoginItemsPort } from './ports.ts';

export const DESKTOP_FILE_NAME = 'mcp-warden.desktop';

export interface AutostartWhere {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
  /** The program to start: the app's executable (inside an AppImage, the AppImage file itself). */
  executable: string;
  /** Arguments after it (an unpackaged app needs its project folder). */
  args?: readonly string[];
}

/** The executable to write into the autostart entry: an AppImage's own file, not its temporary mount. */
export function autostartExecutable(execPath: string, env: Record<string, string | undefined>): string {
  return env.APPIMAGE !== undefined && env.APPIMAGE !== '' ? env.APPIMAGE : execPath;
}

export function linuxAutostartFile(where: Pick<AutostartWhere, 'env' | 'homedir'>): string {
  const configHome = where.env.XDG_CONFIG_HOME;
  // The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = configHome !== undefined && path.isAbsolute(configHome) ? configHome : path.join(where.homedir, '.config');
  return path.join(base, 'autostart', DESKTOP_FILE_NAME);
}

/**
 * Quotes one Exec argument as the Desktop Entry spec asks: inside double quotes, `"`, `` ` ``, `$`
 * and `\` are escaped with a backslash; `%` is doubled because it starts field codes.
 */
export function quoteExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function desktopEntry(where: Pick<AutostartWhere, 'executable' | 'args'>): string {
  const exec = [where.executable, ...(where.args ?? [])].map(quoteExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=MCP Warden',
    'Comment=Watches which MCP servers your AI clients can start',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes to a temporary file beside the target and renames it, so a login never reads half an entry. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`Cannot write the autostart entry ${file}: ${(error as Error).message}.`);
  }
}

export function isAutostartEnabled(where: AutostartWhere, loginItems: LoginItemsPort): boolean {
  if (where.platform === 'darwin' || where.platform === 'win32') return loginItems.get();
  const file = linuxAutostartFile(where);
  if (!fs.existsSync(file)) return false;
  // A user (or the desktop's settings panel) may have switched the entry off without deleting it.
  const text = fs.readFileSync(file, 'utf8');
  return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
}

export function setAutostart(where: AutostartWhere, enabled: boolean, loginItems: LoginItemsPort): void {
  if (where.platform === 'darwin' || where.platform === 'win32') {
    loginItems.set(enabled);
    return;
  }
  const file = linuxAutostartFile(where);
  if (enabled) writeAtomically(file, desktopEntry(where));
  else fs.rmSync(file, { force: true });
}

/**
 * The `start-at-login` setting (Settings screen, tray checkbox, API) is the one source of truth; the
 * OS entry follows it. Called at start-up and whenever the setting changes. Returns whether it
 * changed the OS entry.
 */
export function syncAutostart(where: AutostartWhere, setting: string, loginItems: LoginItemsPort): boolean {
  const wanted = setting === 'on';
  if (isAutostartEnabled(where, loginItems) === wanted) return false;
  setAutostart(where, wanted, loginItems);
  return true;
}

/** The event listener the shell subscribes: keeps the OS entry in step with `start-at-login` changes. */
export function autostartFollower(where: () => AutostartWhere, loginItems: LoginItemsPort): (event: { type: string; key?: string; value?: string }) => void {
  return (event) => {
    if (event.type === 'settings' && event.key === 'start-at-login' && event.value !== undefined) syncAutostart(where(), event.value, loginItems);
  };
}
