import { CLIENT_NAMES } from '../../core/discovery/clients/index.ts';
import { stmt } from '../../core/store/statements.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson } from '../output.ts';

interface ClientRow {
  id: string;
  client: string;
  config_path: string;
  scope: string;
  state: string;
  last_scan_at: string;
  servers: number;
}

interface AttachedRow {
  agent_id: string;
  name: string;
  key: string;
}

/**
 * `clients`: every client config seen so far, with how many servers each lists and which of them
 * it starts through the MCP Warden launcher (attached).
 */
export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const clients = await withStore(options, ({ db }) => {
    const attached = new Map<string, { name: string; key: string }[]>();
    const rows = stmt<[], AttachedRow>(db,
      `SELECT l.agent_id, s.name, l.key FROM agent_servers l JOIN servers s ON s.id = l.server_id
        WHERE l.attached = 1 AND l.present = 1 ORDER BY s.name COLLATE NOCASE`,
    ).all();
    for (const row of rows) attached.set(row.agent_id, [...(attached.get(row.agent_id) ?? []), { name: row.name, key: row.key }]);
    return stmt<[], ClientRow>(db,
      `SELECT a.id, a.client, a.config_path, a.scope, a.state, a.last_scan_at,
              (SELECT count(*) FROM agent_servers l WHERE l.agent_id = a.id AND l.present = 1) AS servers
         FROM agents a ORDER BY a.client, a.config_path`,
    ).all().map(({ id, ...c }) => ({ ...c, attached: attached.get(id) ?? [] }));
  });
  if (options.json === true) return printJson({ clients });
  if (clients.length === 0) {
    print('No client configs seen yet: run `mcp-warden scan`.\n');
    return;
  }
  const rows = clients.map((c) => [
    CLIENT_NAMES[c.client as keyof typeof CLIENT_NAMES] ?? c.client,
    c.config_path,
    c.state,
    String(c.servers),
    c.attached.length === 0 ? '-' : c.attached.map((a) => a.name).join(', '),
  ]);
  print(`${formatTable(['CLIENT', 'CONFIG', 'STATE', 'SERVERS', 'ATTACHED'], rows)}\n`);
}
