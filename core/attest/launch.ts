/**
 * What a stdio launch runs, read from its command and arguments without running anything: an
 * interpreter and its script (`node --flag server.js`, `python -u server.py`, `deno run -A main.ts`,
 * `bun run x.ts`), a package runner and its package (`npx -y pkg@1.2.3`, `npm exec --package=pkg -- bin`),
 * or a plain executable.
 */
import type { Launcher } from '../api/attestation.ts';

export type Interpreter = 'node' | 'python' | 'deno' | 'bun';

export type LaunchShape =
  | { kind: 'interpreter'; interpreter: Interpreter; /** Positional arguments, in order: script candidates. */ candidates: string[] }
  | { kind: 'package-runner'; launcher: Extract<Launcher, 'npx' | 'npm-exec'>; package: PackageLaunch | null }
  | { kind: 'executable' };

export interface PackageLaunch {
  /** Every package spec npx installs (the `--package` values, or the command itself). */
  specs: string[];
  /** The spec of the package measured: the first `--package`, or the command. */
  spec: string;
  /** The command run from it (the bin name); the spec itself when no `--package` was given. */
  command: string;
  /** `--cache <dir>` given to npx / npm: the npm cache to look in. */
  cache: string | null;
}

/** `node`, `python3.12.exe`, `NPX.cmd` -> lowercase name without a Windows extension. */
export function commandName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.toLowerCase().replace(/\.(exe|cmd|bat|com)$/, '');
}

export function interpreterOf(command: string): Interpreter | null {
  const name = commandName(command);
  if (name === 'node' || name === 'deno' || name === 'bun') return name;
  if (/^python(3(\.\d+)?)?$/.test(name)) return 'python';
  return null;
}

/** Options that take the next argument as their value (when not written `--opt=value`). */
const VALUE_OPTIONS: Record<Interpreter, readonly string[]> = {
  node: ['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--env-file-if-exists', '--input-type', '--inspect-port', '--title', '--disable-warning', '--experimental-config-file', '--watch-path'],
  python: ['-W', '-X', '--check-hash-based-pycs'],
  deno: ['-c', '--config', '--import-map', '--lock', '--cert', '--location', '--seed', '--v8-flags', '--env-file', '--ext'],
  bun: ['-r', '--preload', '-c', '--config', '--cwd', '--env-file', '--tsconfig-override', '--conditions', '--install'],
};

/** Options after which no script file follows (code on the command line, a module, stdin). */
const NO_SCRIPT: Record<Interpreter, readonly string[]> = {
  node: ['-e', '--eval', '-p', '--print', '-'],
  python: ['-c', '-m', '-'],
  deno: ['--eval', '-'],
  bun: ['-e', '--eval', '-p', '--print', '-'],
};

/** Subcommands that run the script named next. */
const RUN_SUBCOMMANDS: Partial<Record<Interpreter, readonly string[]>> = { deno: ['run', 'serve'], bun: ['run'] };

/** The positional arguments an interpreter may take as its script, in order. */
export function scriptCandidates(interpreter: Interpreter, args: readonly string[]): string[] {
  const candidates: string[] = [];
  const takesValue = VALUE_OPTIONS[interpreter];
  const stops = NO_SCRIPT[interpreter];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (candidates.length === 0 && stops.includes(arg)) return [];
    // Python's -c/-m may carry their value glued on (`-mhttp.server`, `-cprint(1)`).
    if (candidates.length === 0 && interpreter === 'python' && /^-[bBdEhiIOPqsSuvVx]*[cm]/.test(arg)) return [];
    if (arg === '--') {
      candidates.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      if (!arg.includes('=') && takesValue.includes(arg)) i++;
      continue;
    }
    if (candidates.length === 0 && RUN_SUBCOMMANDS[interpreter]?.includes(arg)) continue;
    candidates.push(arg);
  }
  return candidates;
}

/** True for an argument that names a file rather than a URL, a registry specifier or a plain word. */
export function looksLikeFilePath(arg: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) return false; // https:, npm:, jsr:, file: (not C:\)
  return /[\\/]/.test(arg) || /\.[A-Za-z0-9]{1,6}$/.test(arg);
}

/** npx / npm exec options that take the next argument as their value. */
const NPX_VALUE_OPTIONS = ['-p', '--package', '-c', '--call', '--cache', '--prefix', '--registry', '--userconfig', '-w', '--workspace', '--loglevel', '--node-options', '--script-shell'];

/** npm's own options before its subcommand that take a value. */
const NPM_VALUE_OPTIONS = ['--cache', '--prefix', '--registry', '--userconfig', '-w', '--workspace', '--loglevel', '-C'];

/** The package an `npx ...` argument list runs. Null when it runs none (`-c 'cmd'`, nothing given). */
export function parseNpxArgs(args: readonly string[]): PackageLaunch | null {
  const packages: string[] = [];
  let cache: string | null = null;
  let call = false;
  let positional: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positional = args[i + 1];
      break;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      let value: string | undefined;
      if (eq !== -1) value = arg.slice(eq + 1);
      else if (NPX_VALUE_OPTIONS.includes(name)) value = args[++i];
      if (value === undefined) continue;
      if (name === '-p' || name === '--package') packages.push(value);
      else if (name === '--cache') cache = value;
      else if (name === '-c' || name === '--call') call = true;
      continue;
    }
    positional = arg;
    break;
  }
  if (packages.length > 0) {
    return { specs: packages, spec: packages[0] as string, command: positional ?? commandOfSpec(packages[0] as string), cache };
  }
  if (call || positional === undefined) return null;
  return { specs: [positional], spec: positional, command: positional, cache };
}

/** `npm [opts] exec|x [args]`: the args after the subcommand, or null for any other npm command. */
export function npmExecArgs(args: readonly string[]): { args: string[]; cache: string | null } | null {
  let cache: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-') && arg.length > 1) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const value = eq !== -1 ? arg.slice(eq + 1) : NPM_VALUE_OPTIONS.includes(name) ? args[++i] : undefined;
      if (name === '--cache' && value !== undefined) cache = value;
      continue;
    }
    return arg === 'exec' || arg === 'x' ? { args: args.slice(i + 1), cache } : null;
  }
  return null;
}

/** A registry spec split into name and requested version or range; null for git, tarball and path specs. */
export function parsePackageSpec(spec: string): { name: string; range: string | null } | null {
  const bare = spec.startsWith('npm:') ? spec.slice(4) : spec;
  const match = /^(@[^/@\s]+\/[^/@\s]+|[^/@\s:]+)(?:@(.*))?$/.exec(bare);
  if (match === null) return null;
  const range = match[2];
  return { name: match[1] as string, range: range === undefined || range === '' ? null : range };
}

/** The bin name npx runs for a spec: the package name without its scope. */
function commandOfSpec(spec: string): string {
  const name = parsePackageSpec(spec)?.name ?? spec;
  return name.replace(/^@[^/]+\//, '');
}

/** What a stdio launch runs: interpreter and script, package runner and package, or an executable. */
export function launchShape(command: string, args: readonly string[]): LaunchShape {
  const interpreter = interpreterOf(command);
  if (interpreter !== null) return { kind: 'interpreter', interpreter, candidates: scriptCandidates(interpreter, args) };
  const name = commandName(command);
  if (name === 'npx') return { kind: 'package-runner', launcher: 'npx', package: parseNpxArgs(args) };
  if (name === 'npm') {
    const exec = npmExecArgs(args);
    if (exec !== null) {
      const launch = parseNpxArgs(exec.args);
      return { kind: 'package-runner', launcher: 'npm-exec', package: launch === null ? null : { ...launch, cache: launch.cache ?? exec.cache } };
    }
  }
  return { kind: 'executable' };
}
