/**
 * The config entry that makes a client start a server through MCP Warden's launcher
 * (`mcp-warden run -- <name>`), and how the scan recognises one. Absolute paths only: a client such as
 * Claude Desktop starts servers with a bare environment, not the user's shell PATH, so neither
 * `node` nor `mcp-warden` can be looked up. In the packaged app the app's own executable runs the
 * CLI entry in Node mode (ELECTRON_RUN_AS_NODE=1), so no separate Node is needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveDataDir } from '../home/data-dir.ts';

export interface LauncherContext {
  /** The program the client starts: Node, or the packaged app's executable. */
  execPath: string;
  /** Absolute path of bin/mcp-warden.mjs. */
  cliEntry: string;
  /** The data directory, only when it is not the platform default (so the entry says `--home`). */
  dataDir: string | null;
  /** Environment the entry must set, e.g. ELECTRON_RUN_AS_NODE=1 for the packaged app. Never a secret. */
  env?: Record<string, string>;
}

export interface LauncherEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

const CLI_ENTRY = path.join('bin', 'mcp-warden.mjs');
const PACKAGE_NAME = 'mcp-warden';

/** The folder of the mcp-warden package this code was loaded from (source tree, dist/cli bundle or the app). */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (isWardenPackage(dir)) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

function isWardenPackage(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME && fs.existsSync(path.join(dir, CLI_ENTRY));
  } catch {
    return false;
  }
}

/** The data directory a process with a bare environment would use: what a client that starts the launcher gets. */
export function bareDefaultDataDir(): string {
  const env = process.platform === 'win32' ? { APPDATA: process.env.APPDATA } : {};
  return resolveDataDir({ platform: process.platform, env, homedir: os.homedir() });
}

/**
 * This process as a launcher: its own executable (Node, or the app in Node mode), the CLI entry of
 * this package, and `--home` whenever the data directory in force (the override, else
 * MCP_WARDEN_HOME) is not the one a client's bare environment would give the launcher.
 */
export function launcherContextFromProcess(dataDirOverride?: string): LauncherContext {
  const root = packageRoot();
  if (root === null) throw new Error('The MCP Warden package folder (with bin/mcp-warden.mjs) was not found from this installation.');
  const dataDir = resolveDataDir({ platform: process.platform, env: process.env, homedir: os.homedir() }, dataDirOverride);
  const electron = typeof process.versions.electron === 'string';
  return {
    execPath: process.execPath,
    cliEntry: path.join(root, CLI_ENTRY),
    dataDir: dataDir === bareDefaultDataDir() ? null : dataDir,
    ...(electron ? { env: { ELECTRON_RUN_AS_NODE: '1' } } : {}),
  };
}

/**
 * The arguments that start the launcher for `name`: `run -- <name>`. The name rule already forbids a
 * leading '-', but a name stored before that rule (or written by hand) must still reach `run` as the
 * name, never as an option: `--` ends the options. Entries written as `run <name>` are still
 * recognised (`runName`).
 */
export function runArgs(name: string): string[] {
  return ['run', '--', name];
}

/** The server name of launcher arguments after the CLI entry and `--home`: `run -- <name>`, or the older `run <name>`. */
function runName(rest: readonly string[]): string | null {
  if (rest.length === 3 && rest[0] === 'run' && rest[1] === '--' && rest[2] !== '') return rest[2] as string;
  if (rest.length === 2 && rest[0] === 'run' && rest[1] !== '' && !(rest[1] as string).startsWith('-')) return rest[1] as string;
  return null;
}

export function launcherEntry(name: string, ctx: LauncherContext): LauncherEntry {
  if (!path.isAbsolute(ctx.execPath) || !path.isAbsolute(ctx.cliEntry) || (ctx.dataDir !== null && !path.isAbsolute(ctx.dataDir))) {
    throw new Error('A launcher entry needs absolute paths for the executable, the CLI entry and the data directory.');
  }
  const entry: LauncherEntry = { command: ctx.execPath, args: launcherArgs(name, ctx.cliEntry, ctx.dataDir) };
  if (ctx.env !== undefined && Object.keys(ctx.env).length > 0) entry.env = { ...ctx.env };
  return entry;
}

/** The arguments of the launcher entry: the CLI entry, `--home <dir>` unless it is the bare default, `run -- <name>`. */
export function launcherArgs(name: string, cliEntry: string, dataDir: string | null): string[] {
  return [cliEntry, ...(dataDir !== null ? ['--home', dataDir] : []), ...runArgs(name)];
}

/**
 * The argument lists an attached entry may have: the current `run -- <name>`, and the `run <name>`
 * that earlier versions wrote (for a name that cannot be read as an option), so entries attached
 * before the change stay attached.
 */
export function acceptedLauncherArgs(name: string, cliEntry: string, dataDir: string | null): string[][] {
  const current = launcherArgs(name, cliEntry, dataDir);
  return name.startsWith('-') ? [current] : [current, [...current.slice(0, -2), name]];
}

/** `mcp-warden`, `mcp-warden.cmd`, `mcp-warden.exe`: the installed command itself. */
const isWardenCommand = (file: string): boolean => /^mcp-warden(\.cmd|\.exe|\.ps1)?$/i.test(baseName(file));
/** bin/mcp-warden.mjs, or the bundle it loads (dist/cli/run.js). */
const isCliEntry = (file: string): boolean => baseName(file) === 'mcp-warden.mjs' || /[\\/]dist[\\/]cli[\\/]run\.js$/.test(file);
/** Either path style, whatever platform reads the config. */
const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

/**
 * Recognises the launcher's form: any program whose arguments run an mcp-warden CLI entry (or the
 * `mcp-warden` command itself) with optional `--home <dir>` and then exactly `run <name>`. Options
 * before the CLI entry (`--require x.js`) still count: such an entry runs the launcher too.
 * The form only: whether it is this installation's exact entry is decided by attached-entry.ts.
 */
export function parseLauncherEntry(entry: { command: string | null; args: readonly string[] }): { name: string; home: string | null } | null {
  if (entry.command === null || entry.command === '') return null;
  let rest: readonly string[];
  const cli = entry.args.findIndex(isCliEntry);
  if (isWardenCommand(entry.command)) rest = entry.args;
  else if (cli !== -1) rest = entry.args.slice(cli + 1);
  else return null;
  let home: string | null = null;
  if (rest[0] === '--home' && rest.length >= 2) {
    home = rest[1] as string;
    rest = rest.slice(2);
  } else if (rest[0]?.startsWith('--home=') === true) {
    home = rest[0].slice('--home='.length);
    rest = rest.slice(1);
  }
  const name = runName(rest);
  return name === null ? null : { name, home };
}
