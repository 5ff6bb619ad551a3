/**
 * Measures what a server really runs: the resolved executable and its SHA-256, the script an
 * interpreter runs or the package npx runs, args, env key names, URL, the pinned manifest hash and
 * the name and version it reported. File hashes go through the database's hash cache (size, mtime,
 * ctime, inode, device), so measuring unchanged servers reads no file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ServerDefinition } from '../api/server.ts';
import { hashFileSync, type HashCache } from '../integrity/file-hash.ts';
import { createSqliteHashCache } from '../integrity/sqlite-hash-cache.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { assertRunnable } from '../registry/runnable.ts';
import { launchShape, looksLikeFilePath } from './launch.ts';
import { defaultNpmCacheDir, measurePackage } from './npm-package.ts';
import { STATEMENT_TYPE, type AttestationStatement, type ExecutableMeasurement, type FileMeasurement, type Launcher, type PackageMeasurement, type PrimaryArtifact } from '../api/attestation.ts';

export interface MeasureOptions {
  /** The home directory npm's default cache is under (`~/.npm`). */
  homeDir?: string | undefined;
  /** npm's cache directory; default `npm_config_cache`, else `~/.npm`. */
  npmCacheDir?: string | undefined;
  /** Read for `npm_config_cache` and `LOCALAPPDATA`. Default process.env. */
  env?: Record<string, string | undefined> | undefined;
  /** Where relative script paths resolve when the server has no cwd. Default: none (only absolute paths are measured). */
  cwd?: string | undefined;
  now?: Date | undefined;
}

/** How many file hashes came from the cache and how many files were read. */
export interface HashStats {
  cached: number;
  read: number;
}

const caches = new WeakMap<Db, HashCache>();

function hashCacheFor(db: Db): HashCache {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = createSqliteHashCache(db);
    caches.set(db, cache);
  }
  return cache;
}

/** The fresh measurement of `server`, with how the file hashes were obtained. */
export function measureWithStats(store: Store, server: ServerDefinition, options: MeasureOptions = {}): { statement: AttestationStatement; stats: HashStats } {
  assertRunnable(server);
  const { db } = store;
  const cache = hashCacheFor(db);
  const stats: HashStats = { cached: 0, read: 0 };
  const hash = (file: string): FileMeasurement => {
    const result = hashFileSync(file, { cache });
    if (!result.ok) return { path: result.path, sha256: null, problem: result.message };
    if (result.cached) stats.cached++;
    else stats.read++;
    return { path: result.path, sha256: result.sha256, problem: null };
  };

  let executable: ExecutableMeasurement | null = null;
  let launcher: Launcher | null = null;
  let script: FileMeasurement | null = null;
  let pkg: PackageMeasurement | null = null;
  let artifact: PrimaryArtifact | null = null;

  if (server.transport === 'stdio') {
    const command = server.command ?? '';
    executable = { ...hash(command), real_path: realPath(command) };
    const shape = launchShape(command, server.args);
    const baseDir = server.cwd ?? options.cwd ?? null;
    if (shape.kind === 'interpreter') {
      launcher = shape.interpreter;
      script = findScript(shape.candidates, baseDir, hash);
    } else if (shape.kind === 'package-runner') {
      launcher = shape.launcher;
      if (shape.package !== null) {
        const npmCacheDir = options.npmCacheDir ?? defaultNpmCacheDir({ homeDir: options.homeDir, env: options.env });
        pkg = measurePackage(shape.package, { cwd: server.cwd, npmCacheDir, hash });
      }
    }
    if (script !== null) artifact = { kind: 'script', path: script.path, checksum: script.sha256 === null ? null : `sha256:${script.sha256}` };
    else if (pkg !== null) artifact = { kind: 'package', path: pkg.dir ?? pkg.spec, checksum: pkg.integrity };
    else artifact = { kind: 'executable', path: executable.path, checksum: executable.sha256 === null ? null : `sha256:${executable.sha256}` };
  }

  const statement: AttestationStatement = {
    _type: STATEMENT_TYPE,
    server: { id: server.id, name: server.name },
    transport: server.transport,
    executable,
    launcher,
    script,
    package: pkg,
    args: [...server.args],
    cwd: server.cwd,
    env_keys: server.env_template.map((e) => e.key).sort(),
    header_names: Object.keys(server.headers).map((h) => h.toLowerCase()).sort(),
    url: server.url,
    manifest_sha256: pinnedManifest(db, server.id),
    reported: reportedIdentity(db, server.id),
    artifact,
    publisher: null,
    measured_at: (options.now ?? new Date()).toISOString(),
  };
  return { statement, stats };
}

/** The statement of what `server` runs now (unsigned, without publisher claims). */
export function measure(store: Store, server: ServerDefinition, options: MeasureOptions = {}): AttestationStatement {
  return measureWithStats(store, server, options).statement;
}

function realPath(file: string): string | null {
  try {
    return fs.realpathSync(file);
  } catch {
    return null;
  }
}

/**
 * The script: the first positional argument that is an existing regular file, resolved against the
 * working directory. When none exists but the first one looks like a file path, it is reported as
 * missing (a deleted script), not silently dropped.
 */
function findScript(candidates: readonly string[], baseDir: string | null, hash: (file: string) => FileMeasurement): FileMeasurement | null {
  const resolve = (arg: string): string | null => (path.isAbsolute(arg) ? arg : baseDir === null ? null : path.resolve(baseDir, arg));
  for (const arg of candidates) {
    const file = resolve(arg);
    if (file === null) continue;
    try {
      if (fs.statSync(file).isFile()) return hash(file);
    } catch {
      // not there: try the next argument
    }
  }
  const first = candidates[0];
  if (first === undefined || !looksLikeFilePath(first)) return null;
  const file = resolve(first);
  if (file === null) return { path: first, sha256: null, problem: `The script ${first} is a relative path and the server has no working directory, so it cannot be found.` };
  return hash(file);
}

function pinnedManifest(db: Db, serverId: string): string | null {
  return stmt<[string], { manifest_sha256: string }>(db, 'SELECT manifest_sha256 FROM pins WHERE server_id = ?').get(serverId)?.manifest_sha256 ?? null;
}

function reportedIdentity(db: Db, serverId: string): { name: string; version: string } | null {
  const row = stmt<[string], { result: string }>(db, 'SELECT result FROM probes WHERE server_id = ? AND ok = 1 ORDER BY id DESC LIMIT 1').get(serverId);
  if (row === undefined) return null;
  try {
    const server = (JSON.parse(row.result) as { server?: { name?: unknown; version?: unknown } }).server;
    return { name: typeof server?.name === 'string' ? server.name : '', version: typeof server?.version === 'string' ? server.version : '' };
  } catch {
    return null;
  }
}

/** The first thing that makes the measurement unusable for a new attestation, or null. */
export function measurementProblem(statement: AttestationStatement): string | null {
  if (statement.executable?.problem) return statement.executable.problem;
  if (statement.script?.problem) return statement.script.problem;
  if (statement.package?.problem) return statement.package.problem;
  if (statement.package?.entry?.problem) return statement.package.entry.problem;
  return null;
}
