import path from 'node:path';

export interface DataDirEnv {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homedir: string;
}

/**
 * The data directory: `--home` (the override), else `MCP_WARDEN_HOME`, else the platform's app-data
 * directory. Pure, so every platform's answer is tested on any platform.
 */
export function resolveDataDir(where: DataDirEnv, override?: string): string {
  const chosen = override ?? nonEmpty(where.env.MCP_WARDEN_HOME);
  if (chosen !== undefined) return path.resolve(chosen);
  const p = where.platform === 'win32' ? path.win32 : path.posix;
  switch (where.platform) {
    case 'darwin':
      return p.join(where.homedir, 'Library', 'Application Support', 'mcp-warden');
    case 'win32':
      return p.join(nonEmpty(where.env.APPDATA) ?? p.join(where.homedir, 'AppData', 'Roaming'), 'mcp-warden');
    default:
      return p.join(nonEmpty(where.env.XDG_CONFIG_HOME) ?? p.join(where.homedir, '.config'), 'mcp-warden');
  }
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);
