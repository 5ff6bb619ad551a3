/**
 * What `mcp-warden run` needs to start a server when the database cannot be read (locked by a
 * migration, unreadable, deleted): written by every launch that could read it, one file per server
 * name in `<data dir>/launch-cache/`. It holds the definition exactly as the database does (secret
 * handles, never their values), the policies in force, the pinned tool hashes and the install id that
 * scopes the keychain entries. Written by rename, so a reader never sees half of one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Policy } from '../api/launcher.ts';
import type { Definition } from '../api/probe.ts';
import type { ServerDefinition } from '../api/server.ts';

export const LAUNCH_CACHE_DIR = 'launch-cache';
const VERSION = 1;

export interface LaunchPlan {
  install_id: string;
  server: ServerDefinition;
  policies: { attestation: Policy; undeclared: Policy };
  /** Pinned tools: name, SHA-256 of the pinned definition, the definition. Null when never pinned. */
  pinned_tools: Array<[name: string, sha256: string, definition: Definition]> | null;
  /** True when the server has an attestation (it cannot be verified without the database). */
  attested: boolean;
}

interface CacheFile extends LaunchPlan {
  version: number;
  written_at: string;
}

export function launchCachePath(dataDir: string, name: string): string {
  return path.join(dataDir, LAUNCH_CACHE_DIR, `${name.toLowerCase()}.json`);
}

/** Writes the plan for later launches; never throws (the cache is a fallback, not a requirement). */
export function writeLaunchCache(dataDir: string, plan: LaunchPlan, now: Date = new Date()): void {
  const file = launchCachePath(dataDir, plan.server.name);
  const text = `${JSON.stringify({ version: VERSION, written_at: now.toISOString(), ...plan } satisfies CacheFile)}\n`;
  try {
    // Unchanged: nothing to write (most launches).
    const before = fs.readFileSync(file, 'utf8');
    if (before.slice(before.indexOf(',"install_id"')) === text.slice(text.indexOf(',"install_id"'))) return;
  } catch {
    // no cache yet
  }
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    fs.rmSync(tmp, { force: true });
  }
}

/** The cached plan for `name` (a server name, as the client config gives it), or undefined. */
export function readLaunchCache(dataDir: string, name: string): (LaunchPlan & { written_at: string }) | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(launchCachePath(dataDir, name), 'utf8')) as CacheFile;
    return parsed.version === VERSION && parsed.server?.name !== undefined ? parsed : undefined;
  } catch {
    return undefined;
  }
}
