/**
 * Finds the package an `npx` / `npm exec` launch runs, as installed on this machine, without
 * running npm: in a `node_modules` above the server's working directory (npx uses a local install
 * first), else in npx's own cache, `<npm cache>/_npx/<key>/node_modules/<name>`, where `<key>` is
 * the first 16 hex digits of the SHA-512 of the sorted package specs (libnpmexec). The version
 * comes from the installed package.json, the integrity from the lockfile that installed it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfigFile } from '../discovery/read-config-file.ts';
import { parsePackageSpec, type PackageLaunch } from './launch.ts';
import type { FileMeasurement, PackageMeasurement } from '../api/attestation.ts';

export interface NpmCacheContext {
  homeDir?: string | undefined;
  env?: Record<string, string | undefined> | undefined;
  platform?: NodeJS.Platform | undefined;
}

/** npm's cache directory: `npm_config_cache`, else `~/.npm` (`%LocalAppData%\npm-cache` on Windows). */
export function defaultNpmCacheDir(ctx: NpmCacheContext = {}): string {
  const env = ctx.env ?? process.env;
  const configured = env.npm_config_cache ?? env.NPM_CONFIG_CACHE;
  if (configured !== undefined && configured !== '') return configured;
  const home = ctx.homeDir ?? os.homedir();
  if ((ctx.platform ?? process.platform) === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'npm-cache');
  return path.join(home, '.npm');
}

/** The directory name npx installs a set of specs under (libnpmexec: sha512 of the sorted specs, 16 hex digits). */
export function npxCacheKey(specs: readonly string[]): string {
  const sorted = [...specs].sort((a, b) => a.localeCompare(b, 'en'));
  return createHash('sha512').update(sorted.join('\n')).digest('hex').slice(0, 16);
}

/**
 * A package.json or lockfile in a node_modules above the server's working directory, or in any folder
 * up to the root: a cloned repository (or another user, in a shared folder such as /tmp) decides what
 * is there, so it is read like a client config: a link to /dev/zero, a FIFO or a huge file counts as
 * no package, never read whole or waited on (this runs at every scan and launch of an attested server).
 */
function readJson(file: string): Record<string, unknown> | undefined {
  const read = readConfigFile(file);
  if (!read.ok) return undefined;
  try {
    const value: unknown = JSON.parse(read.bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const obj = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/** An exact version (`1.2.3`, `=1.2.3`, `v1.2.3-beta.1`), or null for a range or a tag. */
function exactVersion(range: string | null): string | null {
  const match = range === null ? null : /^[=v]?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(range.trim());
  return match === null ? null : (match[1] as string);
}

/** The integrity of `pkgDir` in a lockfile at `root` (lockfile v2/v3 `packages`, or v1 `dependencies`). */
function integrityIn(lockfile: string, root: string, pkgDir: string, name: string): string | null | undefined {
  const lock = readJson(lockfile);
  if (lock === undefined) return undefined;
  const key = path.relative(root, pkgDir).split(path.sep).join('/');
  const entry = obj(obj(lock.packages)?.[key]);
  if (entry !== undefined) return str(entry.integrity);
  const legacy = obj(obj(lock.dependencies)?.[name]);
  if (legacy !== undefined) return str(legacy.integrity);
  return undefined;
}

/** The integrity from the nearest lockfile (walking up from the folder holding node_modules) that lists the package. */
function nearestIntegrity(projectDir: string, pkgDir: string, name: string): string | null {
  for (let dir = projectDir; ; dir = path.dirname(dir)) {
    for (const file of ['package-lock.json', 'npm-shrinkwrap.json']) {
      const found = integrityIn(path.join(dir, file), dir, pkgDir, name);
      if (found !== undefined) return found;
    }
    // npm's hidden lockfile, written beside the packages it installed.
    const hidden = integrityIn(path.join(dir, 'node_modules', '.package-lock.json'), dir, pkgDir, name);
    if (hidden !== undefined) return hidden;
    if (path.dirname(dir) === dir) return null;
  }
}

interface Found {
  dir: string;
  manifest: Record<string, unknown>;
  source: 'npx-cache' | 'node_modules';
  integrity: string | null;
}

function installedAt(pkgDir: string): Record<string, unknown> | undefined {
  return readJson(path.join(pkgDir, 'package.json'));
}

function findLocal(cwd: string, name: string, exact: string | null): Found | undefined {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', ...name.split('/'));
    const manifest = installedAt(pkgDir);
    if (manifest !== undefined && (exact === null || manifest.version === exact)) {
      return { dir: pkgDir, manifest, source: 'node_modules', integrity: nearestIntegrity(dir, pkgDir, name) };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function npxEntry(installDir: string, name: string): Found | undefined {
  const pkgDir = path.join(installDir, 'node_modules', ...name.split('/'));
  const manifest = installedAt(pkgDir);
  if (manifest === undefined) return undefined;
  const integrity =
    integrityIn(path.join(installDir, 'package-lock.json'), installDir, pkgDir, name) ??
    integrityIn(path.join(installDir, 'node_modules', '.package-lock.json'), installDir, pkgDir, name) ??
    null;
  return { dir: pkgDir, manifest, source: 'npx-cache', integrity };
}

function findInNpxCache(npxDir: string, launch: PackageLaunch, name: string, range: string | null, exact: string | null): Found | undefined {
  // The folder npx itself uses for these specs: taken whatever version it holds, so a version that
  // moved shows as a difference rather than as a missing package.
  const keyed = npxEntry(path.join(npxDir, npxCacheKey(launch.specs)), name);
  if (keyed !== undefined) return keyed;
  // A cache written by another npx version: any install of the package, preferring the one whose
  // recorded dependency is the spec's range, then the most recently installed.
  let entries: string[];
  try {
    entries = fs.readdirSync(npxDir);
  } catch {
    return undefined;
  }
  const candidates: { found: Found; sameRange: boolean; mtime: number }[] = [];
  for (const entry of entries) {
    const installDir = path.join(npxDir, entry);
    const found = npxEntry(installDir, name);
    if (found === undefined || (exact !== null && found.manifest.version !== exact)) continue;
    const wanted = obj(readJson(path.join(installDir, 'package.json'))?.dependencies)?.[name];
    let mtime = 0;
    try {
      mtime = fs.statSync(path.join(found.dir, 'package.json')).mtimeMs;
    } catch {
      // listed above, gone now: ranks last
    }
    candidates.push({ found, sameRange: range !== null && wanted === range, mtime });
  }
  candidates.sort((a, b) => Number(b.sameRange) - Number(a.sameRange) || b.mtime - a.mtime);
  return candidates[0]?.found;
}

/** The file the launch's command runs from the package's `bin`, or null when it declares none. */
function binEntry(dir: string, manifest: Record<string, unknown>, name: string, command: string): string | null {
  const unscoped = name.replace(/^@[^/]+\//, '');
  const bin = manifest.bin;
  if (typeof bin === 'string') return path.resolve(dir, bin);
  const bins = obj(bin);
  if (bins === undefined) return null;
  const values = Object.entries(bins).filter((e): e is [string, string] => typeof e[1] === 'string');
  const commandName = parsePackageSpec(command)?.name.replace(/^@[^/]+\//, '') ?? command;
  const chosen = values.find(([k]) => k === commandName) ?? (values.length === 1 ? values[0] : undefined) ?? values.find(([k]) => k === unscoped);
  return chosen === undefined ? null : path.resolve(dir, chosen[1]);
}

export interface FindPackageContext {
  /** The server's working directory: where a local node_modules is looked for. Null: npx cache only. */
  cwd: string | null;
  npmCacheDir: string;
  hash: (file: string) => FileMeasurement;
}

/** Measures the installed package of an npx launch: name, version, integrity and the bin entry's hash. */
export function measurePackage(launch: PackageLaunch, ctx: FindPackageContext): PackageMeasurement {
  const parsed = parsePackageSpec(launch.spec);
  const empty = { spec: launch.spec, name: null, version: null, integrity: null, source: null, dir: null, entry: null } as const;
  if (parsed === null) {
    return { ...empty, problem: `The package "${launch.spec}" is not a registry package (name or name@version), so its installed version cannot be measured.` };
  }
  const { name, range } = parsed;
  const exact = exactVersion(range);
  const npmCache = launch.cache === null ? ctx.npmCacheDir : path.resolve(ctx.cwd ?? ctx.npmCacheDir, launch.cache);
  const npxDir = path.join(npmCache, '_npx');
  const found = (ctx.cwd === null ? undefined : findLocal(ctx.cwd, name, exact)) ?? findInNpxCache(npxDir, launch, name, range, exact);
  if (found === undefined) {
    const where = ctx.cwd === null ? `the npx cache (${npxDir})` : `the npx cache (${npxDir}) or a node_modules folder above ${ctx.cwd}`;
    return { ...empty, name, problem: `The package ${name}${exact === null ? '' : `@${exact}`} is not installed in ${where}: start the server once so npx installs it, then measure it again.` };
  }
  const entryFile = binEntry(found.dir, found.manifest, name, launch.command);
  return {
    spec: launch.spec,
    name,
    version: str(found.manifest.version),
    integrity: found.integrity,
    source: found.source,
    dir: found.dir,
    entry: entryFile === null ? null : ctx.hash(entryFile),
    problem: null,
  };
}
