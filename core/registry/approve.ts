/**
 * Approval: the user accepts a server as it is now. For a server found in client configs that means
 * its current entry becomes the approved definition (so a drift alert about it clears), and its
 * executable's current hash is recorded.
 */
import path from 'node:path';
import type { ConfigLocation, DiscoveredServer } from '../api/discovery.ts';
import type { ServerDefinition } from '../api/server.ts';
import { syncConditions } from '../alerts/alert-store.ts';
import { computePin } from '../pins/pin.ts';
import { evaluateProbe, latestProbe, PROBE_ALERT_TYPES, savePin } from '../pins/record.ts';
import type { Db } from '../store/database.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { definitionOf, scanConfig, type ScanOptions } from '../discovery/scan.ts';
import { hashExecutable } from '../integrity/executable-hash.ts';
import { recomputeTrust } from '../trust/record.ts';
import { launchFingerprint } from './fingerprint.ts';
import { getServer } from './read.ts';
import { resolveCommand } from './resolve-command.ts';
import { writeServer } from './register.ts';
import { assertRunnable } from './runnable.ts';
import { linksOfServer } from '../links/index.ts';

/**
 * Approval accepts the definitions the server showed at its latest successful probe as its pin, and
 * re-evaluates its probe alerts against that pin (a definition change just accepted clears).
 */
function acceptLatestProbe(db: Db, server: ServerDefinition, now: Date): void {
  const latest = latestProbe(db, server.id);
  if (latest === undefined) return;
  savePin(db, server, computePin(latest.result, server.fingerprint), latest.id, now, 'approved');
  syncConditions(db, { server_id: server.id, types: PROBE_ALERT_TYPES }, evaluateProbe(db, server, latest.result).conditions, now);
}

interface LinkedConfig {
  observed: string;
  client: ConfigLocation['client'];
  path: string;
  format: ConfigLocation['format'];
  scope: ConfigLocation['scope'];
}

export function approveServer(options: ScanOptions, nameOrId: string): { server: ServerDefinition; before: ServerDefinition } {
  const { db } = options.store;
  const now = (options.now ?? (() => new Date()))();
  const before = getServer(db, nameOrId);
  // Declared servers are approved by intent already; they become runnable when a config lists them.
  assertRunnable(before);
  const links: LinkedConfig[] = linksOfServer(db, before.id, 'current-first').map((l) => ({ observed: l.observed, ...l.location }));

  let next: ServerDefinition = { ...before, status: 'approved', updated_at: now.toISOString() };
  const current = links[0];
  if (current !== undefined) {
    const observed = JSON.parse(current.observed) as DiscoveredServer;
    let exe: { path: string | null; sha256: string | null } = { path: null, sha256: null };
    if (observed.transport === 'stdio' && observed.command) {
      try {
        const resolved = resolveCommand(observed.command, { cwd: observed.cwd ?? path.dirname(current.path), env: options.env });
        exe = { path: resolved, sha256: null };
      } catch {
        // Recorded as written, as discovery does.
      }
    }
    const launch = definitionOf(observed, exe);
    next = { ...next, ...launch, fingerprint: launchFingerprint(launch) };
  }
  next.command_sha256 = next.transport === 'stdio' && next.command !== null ? hashExecutable(db, next.command) : null;

  db.transaction(() => {
    writeServer(db, next);
    acceptLatestProbe(db, next, now);
    appendAudit(db, {
      actor: 'user',
      type: 'server.approved',
      server_id: next.id,
      details: { name: next.name, was: before.status, fingerprint_before: before.fingerprint, fingerprint: next.fingerprint, command_sha256: next.command_sha256 },
    }, now);
  }).immediate();

  // Re-evaluate the configs that list it, so alerts about what was just accepted clear now.
  for (const link of links) scanConfig({ ...options, force: true }, { client: link.client, path: link.path, format: link.format, scope: link.scope });
  recomputeTrust(db, next.id, now);
  return { server: getServer(db, next.id), before };
}
