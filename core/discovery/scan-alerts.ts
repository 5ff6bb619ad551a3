/**
 * The alerts of one config scan that commits in chunks (core/discovery/scan.ts). Each chunk opens
 * the alerts of the conditions its entries raised, resolves the stale alerts of the servers it
 * settled and recomputes their trust scores, in the chunk's own transaction: a server's alerts and
 * its score always commit together, and move once per scan (no score is stored for a state half
 * way through a scan). A server that entries not reconciled yet may still raise conditions about
 * (another of the config's links points to it) waits for the end, as do the config's own stale
 * alerts (those about no server), which only the complete set of conditions can tell.
 */
import type { Alert } from '../api/alert.ts';
import { openConditions, resolveAlerts, type Condition, type StaleCandidate } from '../alerts/alert-store.ts';
import type { Db } from '../store/database.ts';
import { linksOfServerInConfig } from '../links/index.ts';
import { stmt } from '../store/statements.ts';
import { recomputeTrust } from '../trust/record.ts';

/** A unit of the end of a scan, for one transaction: conditions to raise, alerts to resolve. */
export interface AlertBatch {
  conditions: Condition[];
  stale: StaleCandidate[];
}

type Candidate = StaleCandidate & { server_id: string | null };

export class ScanAlerts {
  readonly opened: Alert[] = [];
  readonly reopened: Alert[] = [];
  readonly resolved: Alert[] = [];
  readonly #agentId: string;
  /** Pointers of the entries reconciled so far. */
  readonly #seen: ReadonlySet<string>;
  /** Dedup keys of every condition raised so far: an alert with one of these is not stale. */
  readonly #held = new Set<string>();
  readonly #deferred: Condition[] = [];
  readonly #waiting = new Set<string>();

  constructor(agentId: string, seen: ReadonlySet<string>) {
    this.#agentId = agentId;
    this.#seen = seen;
  }

  /**
   * Inside a chunk's transaction, after its entries were reconciled: `servers` are the servers
   * those entries link to. Returns the alerts opened (to notify once the transaction commits).
   */
  chunk(db: Db, conditions: readonly Condition[], servers: Iterable<string>, now: Date): Alert[] {
    for (const condition of conditions) this.#held.add(condition.dedup_key);
    const settled = new Set<string>();
    const ids = new Set(servers);
    for (const condition of conditions) if (condition.server_id !== null) ids.add(condition.server_id);
    for (const id of ids) {
      if (!this.#waiting.has(id) && this.#allLinksSeen(db, id)) settled.add(id);
      else this.#waiting.add(id);
    }
    // A condition about no server moves no score: raised at once.
    const raised = conditions.filter((c) => c.server_id === null || settled.has(c.server_id));
    this.#deferred.push(...conditions.filter((c) => c.server_id !== null && !settled.has(c.server_id)));
    const staleOf = stmt<[string, string], StaleCandidate>(db, "SELECT id, type, dedup_key FROM alerts WHERE server_id = ? AND agent_id = ? AND state != 'resolved'");
    const stale = [...settled].flatMap((id) => staleOf.all(id, this.#agentId)).filter((a) => !this.#held.has(a.dedup_key));
    return this.settle(db, { conditions: raised, stale }, now);
  }

  /**
   * After the last chunk, with the conditions only the whole config tells (removed entries, servers
   * to review): the deferred conditions and every stale alert of the config, grouped by server so
   * each server settles in one batch, in batches of about `size` servers.
   */
  remaining(db: Db, conditions: readonly Condition[], size: number): AlertBatch[] {
    for (const condition of conditions) this.#held.add(condition.dedup_key);
    const stale = stmt<[string], Candidate>(db, "SELECT id, type, dedup_key, server_id FROM alerts WHERE agent_id = ? AND state != 'resolved' ORDER BY id")
      .all(this.#agentId)
      .filter((a) => !this.#held.has(a.dedup_key));
    const byServer = new Map<string, AlertBatch>();
    const group = (serverId: string | null): AlertBatch => {
      const key = serverId ?? '';
      let batch = byServer.get(key);
      if (batch === undefined) {
        batch = { conditions: [], stale: [] };
        byServer.set(key, batch);
      }
      return batch;
    };
    for (const condition of [...this.#deferred, ...conditions]) group(condition.server_id).conditions.push(condition);
    for (const { server_id, ...alert } of stale) group(server_id).stale.push(alert);
    const batches: AlertBatch[] = [];
    let current: AlertBatch = { conditions: [], stale: [] };
    let servers = 0;
    for (const [serverId, batch] of byServer) {
      if (serverId === '') {
        // About no server: split freely.
        for (let i = 0; i < Math.max(batch.conditions.length, batch.stale.length); i += size) {
          batches.push({ conditions: batch.conditions.slice(i, i + size), stale: batch.stale.slice(i, i + size) });
        }
        continue;
      }
      current.conditions.push(...batch.conditions);
      current.stale.push(...batch.stale);
      if (++servers >= size) {
        batches.push(current);
        current = { conditions: [], stale: [] };
        servers = 0;
      }
    }
    if (current.conditions.length > 0 || current.stale.length > 0) batches.push(current);
    return batches;
  }

  /**
   * Inside a transaction: raises and resolves a batch, then rescores the servers whose alerts moved.
   * Returns the alerts opened (re-opened ones are not notified again).
   */
  settle(db: Db, batch: AlertBatch, now: Date): Alert[] {
    const { opened, reopened } = openConditions(db, batch.conditions, now);
    const resolved = resolveAlerts(db, batch.stale, now);
    this.opened.push(...opened);
    this.reopened.push(...reopened);
    this.resolved.push(...resolved);
    const touched = new Set([...opened, ...reopened, ...resolved].map((a) => a.server_id).filter((id): id is string => id !== null));
    for (const id of touched) recomputeTrust(db, id, now);
    return opened;
  }

  /** True when no entry still to come can link to the server through a link it already has. */
  #allLinksSeen(db: Db, serverId: string): boolean {
    const links = linksOfServerInConfig(db, this.#agentId, serverId);
    return links.every((l) => this.#seen.has(l.pointer));
  }
}
