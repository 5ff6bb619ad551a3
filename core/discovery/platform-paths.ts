/**
 * Platform directory rules shared by the client modules. Windows paths are built with path.win32
 * and everything else with path.posix, whatever OS runs the code.
 */
import path from 'node:path';
import type { PlatformEnv } from '../api/discovery.ts';

export function pathApi(where: PlatformEnv): path.PlatformPath {
  return where.platform === 'win32' ? path.win32 : path.posix;
}

/**
 * An environment variable naming a directory, or undefined when unset or empty. A relative value
 * is ignored too (the XDG spec says so for XDG_*): it would depend on the watcher's working
 * directory, and a ConfigLocation must be one absolute file.
 */
export function envDir(where: PlatformEnv, name: string): string | undefined {
  const value = where.env[name];
  if (value === undefined || value === '') return undefined;
  return pathApi(where).isAbsolute(value) ? value : undefined;
}

export function inHome(where: PlatformEnv, ...segments: string[]): string {
  return pathApi(where).join(where.homedir, ...segments);
}

/** Windows' roaming app-data directory: %APPDATA%, else <home>\AppData\Roaming. */
export function roamingAppData(where: PlatformEnv): string {
  return envDir(where, 'APPDATA') ?? inHome(where, 'AppData', 'Roaming');
}

/** Linux's per-user config directory: $XDG_CONFIG_HOME, else ~/.config. */
export function xdgConfigHome(where: PlatformEnv): string {
  return envDir(where, 'XDG_CONFIG_HOME') ?? inHome(where, '.config');
}

/** VS Code's user directory, where its mcp.json and settings.json live (and extensions' globalStorage). */
export function vscodeUserDir(where: PlatformEnv): string {
  const p = pathApi(where);
  switch (where.platform) {
    case 'darwin':
      return inHome(where, 'Library', 'Application Support', 'Code', 'User');
    case 'win32':
      return p.join(roamingAppData(where), 'Code', 'User');
    default:
      return p.join(xdgConfigHome(where), 'Code', 'User');
  }
}

/** A Windows absolute path as written in a config: `C:\x`, `C:/x` or UNC `\\host\share`. */
export function isWindowsAbsolute(file: string): boolean {
  return file.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(file);
}
