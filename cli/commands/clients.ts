import { CLIENT_NAMES } from '../../core/discovery/clients/index.ts';
import { listClients } from '../../core/discovery/clients-view.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson } from '../output.ts';

/**
 * `clients`: every client config seen so far, with how many servers each lists and which of them
 * it starts through the MCP Warden launcher (attached).
 */
export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  // The Clients screen's view, flattened to one row per config in client-id order (as before).
  const clients = await withStore(options, ({ db }) =>
    listClients(db)
      .toSorted((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0))
      .flatMap((c) => c.configs.map((config) => ({
        client: c.client,
        config_path: config.path,
        scope: config.scope,
        state: config.state,
        last_scan_at: config.last_scan_at,
        servers: config.servers.filter((s) => s.present).length,
        attached: config.servers.filter((s) => s.present && s.attached).map((s) => ({ name: s.name, key: s.key })),
      }))));
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
