/**
 * Before a launch: the server's definition, policies, pin and attestation verdict, from the database
 * when it can be read (the launch cache is refreshed then), else from the launch cache.
 */
import { consentRefusalMessage } from '../probe/consent.ts';
import fs from 'node:fs';
import path from 'node:path';
import { unavailable, WardenError } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';
import { readPin } from '../pins/record.ts';
import { getServer } from '../registry/read.ts';
import { DATABASE_FILE, openStore, type Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { readLaunchCache, writeLaunchCache, type LaunchPlan } from './launch-cache.ts';
import { getServerPolicies } from './policy.ts';

/** How long the launcher's reads wait for another process's write before using the cache. */
const READ_BUSY_MS = 250;

export type Verification =
  | { state: 'none' }
  | { state: 'valid' }
  | { state: 'failed'; what: string }
  /** Attested, but the database could not be read or written to verify it. */
  | { state: 'unverifiable'; why: string };

export interface Launch {
  plan: LaunchPlan;
  verification: Verification;
  /** Where the plan came from. */
  source: 'database' | 'cache';
  /** Why the database could not be used (source cache). */
  dbProblem?: string;
}

export async function planLaunch(dataDir: string, name: string): Promise<Launch> {
  let problem: string;
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) problem = `the database ${path.join(dataDir, DATABASE_FILE)} does not exist`;
  else {
    let store: Store | undefined;
    try {
      store = openStore(dataDir);
      store.db.pragma(`busy_timeout = ${READ_BUSY_MS}`);
      return await fromDatabase(store, dataDir, name);
    } catch (error) {
      // What the database says (unknown, not stdio, not runnable yet) is an answer, not a reason to fall back to the cache.
      if (error instanceof WardenError && (error.code === 'not_found' || error.code === 'invalid_input' || error.code === 'conflict')) throw error;
      problem = (error as Error).message.replace(/\.$/, '');
    } finally {
      store?.close();
    }
  }
  const cached = readLaunchCache(dataDir, name);
  if (cached === undefined) throw unavailable(`Cannot start "${name}": ${problem}, and no earlier launch left a launch cache for it; run \`mcp-warden mcp show ${name}\` to see what is wrong.`);
  assertStdio(cached.server);
  return {
    plan: cached,
    source: 'cache',
    dbProblem: problem,
    verification: cached.attested ? { state: 'unverifiable', why: problem } : { state: 'none' },
  };
}

async function fromDatabase(store: Store, dataDir: string, name: string): Promise<Launch> {
  const server = getServer(store.db, name);
  assertStdio(server);
  const policies = getServerPolicies(store.db, server.id).effective;
  const pin = readPin(store.db, server.id);
  const attested = stmt<[string], { n: number }>(store.db, 'SELECT 1 AS n FROM attestations WHERE server_id = ? LIMIT 1').get(server.id) !== undefined;
  const plan: LaunchPlan = {
    install_id: store.installId,
    server,
    policies,
    pinned_tools: pin === undefined ? null : pin.entries.filter((e) => e.kind === 'tool').map((e) => [e.key, e.sha256, e.definition]),
    attested,
  };
  writeLaunchCache(dataDir, plan);
  return { plan, source: 'database', verification: attested ? await verify(store, server) : { state: 'none' } };
}

async function verify(store: Store, server: ServerDefinition): Promise<Verification> {
  try {
    // Loaded only for attested servers: measuring pulls in hashing and npm package code.
    const { verifyServer } = await import('../attest/attest.ts');
    const result = verifyServer(store, server);
    if (result.ok) return { state: 'valid' };
    const parts = result.differences.map((d) => `${d.label} changed`);
    return { state: 'failed', what: parts.length <= 3 ? parts.join('; ') : `${parts.slice(0, 3).join('; ')} and ${parts.length - 3} more` };
  } catch (error) {
    return { state: 'unverifiable', why: (error as Error).message.replace(/\.$/, '') };
  }
}

function assertStdio(server: ServerDefinition): void {
  if (server.transport !== 'stdio') {
    throw new WardenError('invalid_input', `"${server.name}" is an ${server.transport} server at ${server.url ?? 'no URL'}: \`mcp-warden run\` starts stdio servers only, so point the client at the URL directly.`, 'name');
  }
  if (server.status === 'declared' || server.command === null) {
    throw new WardenError('conflict', `"${server.name}" is declared but has no command yet: register its launch (mcp-warden mcp add) before running it.`, 'name');
  }
  // A command line that came in through the API (or was changed there) runs only once a person has
  // confirmed it: the next client start must not be how it first runs.
  if (server.status === 'pending') throw new WardenError('conflict', consentRefusalMessage(server, 'cli'), 'name');
}
