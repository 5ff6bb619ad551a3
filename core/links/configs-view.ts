/**
 * Every config file with the entries it links, one row per entry (a config without entries gives
 * one row of nulls): the rows behind the Clients screen (core/discovery/clients-view.ts) and
 * `mcp-warden clients`. One query whatever the number of configs.
 */
import type { ClientConfigView } from '../api/client.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

export interface ConfigEntryRow {
  agent_id: string;
  client: string;
  path: string;
  scope: string;
  state: ClientConfigView['state'];
  last_scan_at: string;
  server_id: string | null;
  name: string | null;
  key: string | null;
  status: 'discovered' | 'approved' | null;
  declared: number | null;
  present: number | null;
  attached: number | null;
}

const CONFIGS = `
  SELECT g.id AS agent_id, g.client, g.config_path AS path, g.scope, g.state, g.last_scan_at,
         s.id AS server_id, s.name, l.key, s.status, s.declared, l.present, l.attached
    FROM agents g
    LEFT JOIN agent_servers l ON l.agent_id = g.id
    LEFT JOIN servers s ON s.id = l.server_id
   ORDER BY g.client, g.config_path, l.present DESC, s.name COLLATE NOCASE, l.pointer`;

/** By client, then file; in a file, present entries first, then by server name. */
export function configsWithEntries(db: Db): ConfigEntryRow[] {
  return stmt<[], ConfigEntryRow>(db, CONFIGS).all();
}
