/**
 * The row of `agent_servers` for a config entry that runs the launcher: seen now, linked to the
 * server it names, and attached or not (an entry that differs from the exact launcher entry is
 * linked but not attached). One statement for the scan and the exact-entry check, so the two cannot
 * drift apart in what they record.
 */
import type { DiscoveredServer } from '../api/discovery.ts';
import type { ServerDefinition } from '../api/server.ts';
import { definitionAsEntry } from '../registry/as-entry.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

export function writeLauncherLink(d: Db, observed: DiscoveredServer, server: ServerDefinition, where: { agentId: string; baseline: boolean }, now: Date, attached: boolean): void {
  stmt(d,
    `INSERT INTO agent_servers (agent_id, pointer, server_id, key, observed, present, disabled, in_baseline, last_seen_at, attached)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT (agent_id, pointer) DO UPDATE SET server_id = excluded.server_id, present = 1, disabled = excluded.disabled, key = excluded.key,
                                                   last_seen_at = excluded.last_seen_at, attached = excluded.attached`,
  ).run(where.agentId, observed.pointer, server.id, observed.key, JSON.stringify(definitionAsEntry(server, observed)), Number(observed.disabled), Number(where.baseline), now.toISOString(), Number(attached));
}
