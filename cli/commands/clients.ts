import { CLIENT_NAMES } from '../../core/discovery/clients/index.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, printJson } from '../output.ts';

interface ClientRow {
  client: string;
  config_path: string;
  scope: string;
  state: string;
  last_scan_at: string;
  servers: number;
}

/** `clients`: every client config seen so far, with how many servers each lists. */
export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const clients = await withStore(options, (store) =>
    store.db
      .prepare<[], ClientRow>(
        `SELECT a.client, a.config_path, a.scope, a.state, a.last_scan_at,
                (SELECT count(*) FROM agent_servers l WHERE l.agent_id = a.id AND l.present = 1) AS servers
           FROM agents a ORDER BY a.client, a.config_path`,
      )
      .all(),
  );
  if (options.json === true) return printJson({ clients });
  if (clients.length === 0) {
    process.stdout.write('No client configs seen yet: run `mcp-warden scan`.\n');
    return;
  }
  const rows = clients.map((c) => [CLIENT_NAMES[c.client as keyof typeof CLIENT_NAMES] ?? c.client, c.config_path, c.state, String(c.servers)]);
  process.stdout.write(`${formatTable(['CLIENT', 'CONFIG', 'STATE', 'SERVERS'], rows)}\n`);
}
