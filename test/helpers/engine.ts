import path from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import type { ConfigLocation, PlatformEnv } from '../../core/api/discovery.ts';
import type { ScanOptions } from '../../core/discovery/scan.ts';
import type { RegisterContext } from '../../core/registry/register.ts';
import { DATABASE_FILE, openStore, type Store } from '../../core/store/database.ts';
import { tempDir } from './cli.ts';
import { databaseChecksum } from './db.ts';
import { fakeHome } from './fake-home.ts';

export interface Engine {
  store: Store;
  dataDir: string;
  home: string;
  /** What the REST server passes to the engine: the store, the monitor's env, where configs live. */
  options: ScanOptions & { where: PlatformEnv };
  ctx: RegisterContext;
  claudeDesktop: ConfigLocation;
  cursor: ConfigLocation;
}

/** A real store in a temp dir and a fake home for client configs, as the REST server uses them in-process. */
export function engine(t: TestContext): Engine {
  const { home, where } = fakeHome(t);
  const dataDir = tempDir(t, 'mcp-warden-engine-');
  const store = openStore(dataDir);
  t.after(() => store.close());
  const env = { PATH: process.env.PATH, HOME: home };
  return {
    store,
    dataDir,
    home,
    options: { store, env, where },
    ctx: { cwd: home, env },
    claudeDesktop: { client: 'claude-desktop', path: path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), format: 'mcpServers', scope: 'user' },
    cursor: { client: 'cursor', path: path.join(home, '.cursor', 'mcp.json'), format: 'mcpServers', scope: 'user' },
  };
}

/** Runs `fn` and returns the WardenError it throws as {code, field, message}. */
export function failure(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: string; field?: string; message: string };
    if (e.code === undefined) throw error;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('expected an error, but the call succeeded');
}

/**
 * databaseChecksum over every table but file_hashes: resolving a command caches its executable's
 * hash before a request can be refused, and a cache entry is not a change the request made.
 */
export function stateChecksum(dataDir: string): string {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name != 'file_hashes'").pluck().all() as string[];
  db.close();
  return databaseChecksum(dataDir, tables);
}
