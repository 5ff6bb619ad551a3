/**
 * The Clients screen's data (`GET /api/v1/clients`): every client config MCP Warden has seen,
 * grouped by client in the order of CLIENTS, each with the servers it lists and its open hygiene
 * findings (a plaintext secret, an unpinned package, plain http). Two queries whatever the number of
 * configs: the configs with their servers (core/links/configs-view.ts), then the findings.
 */
import type { Severity } from '../api/alert.ts';
import type { ClientConfigView, ClientView, ConfigFinding } from '../api/client.ts';
import type { Db } from '../store/database.ts';
import { configsWithEntries } from '../links/index.ts';
import { stmt } from '../store/statements.ts';
import { CLIENT_NAMES } from './clients/index.ts';

/** The alert types that are findings about how a config entry is written, not about the server. */
export const CONFIG_FINDING_TYPES = ['plaintext_secret', 'unpinned_package', 'insecure_http'] as const;

interface FindingRow {
  alert_id: number;
  agent_id: string;
  type: ConfigFinding['type'];
  severity: Severity;
  title: string;
  server_name: string | null;
  details: string;
}

const FINDINGS = `
  SELECT a.id AS alert_id, a.agent_id, a.type, a.severity, a.title, s.name AS server_name, a.details
    FROM alerts a LEFT JOIN servers s ON s.id = a.server_id
   WHERE a.state = 'open' AND a.agent_id IS NOT NULL AND a.type IN (${CONFIG_FINDING_TYPES.map((t) => `'${t}'`).join(', ')})
   ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, a.id`;

const clientOrder = Object.keys(CLIENT_NAMES);
const rank = (client: string): number => {
  const at = clientOrder.indexOf(client);
  return at === -1 ? clientOrder.length : at;
};

function findingOf(row: FindingRow): ConfigFinding {
  const details = JSON.parse(row.details) as { location?: unknown; key?: unknown };
  return {
    alert_id: row.alert_id,
    type: row.type,
    severity: row.severity,
    title: row.title,
    // An entry the policy only alerted on has no registered server: its key in the config names it.
    server_name: row.server_name ?? (typeof details.key === 'string' ? details.key : null),
    location: typeof details.location === 'string' ? details.location : null,
  };
}

export function listClients(db: Db): ClientView[] {
  const findings = new Map<string, ConfigFinding[]>();
  for (const row of stmt<[], FindingRow>(db, FINDINGS).all()) {
    const list = findings.get(row.agent_id) ?? [];
    list.push(findingOf(row));
    findings.set(row.agent_id, list);
  }
  const configs = new Map<string, ClientConfigView>();
  const clients = new Map<string, ClientView>();
  for (const row of configsWithEntries(db)) {
    let config = configs.get(row.agent_id);
    if (config === undefined) {
      config = { agent_id: row.agent_id, path: row.path, scope: row.scope, state: row.state, last_scan_at: row.last_scan_at, servers: [], findings: findings.get(row.agent_id) ?? [] };
      configs.set(row.agent_id, config);
      let client = clients.get(row.client);
      if (client === undefined) {
        client = { client: row.client, name: CLIENT_NAMES[row.client as keyof typeof CLIENT_NAMES] ?? row.client, configs: [] };
        clients.set(row.client, client);
      }
      client.configs.push(config);
    }
    if (row.server_id !== null && row.name !== null && row.key !== null && row.status !== null) {
      config.servers.push({ id: row.server_id, name: row.name, key: row.key, status: row.declared === 1 ? 'declared' : row.status, present: row.present === 1, attached: row.attached === 1 });
    }
  }
  return [...clients.values()].sort((a, b) => rank(a.client) - rank(b.client) || a.client.localeCompare(b.client));
}
