/** `/api/v1/clients` (every client config with its servers and findings) and `/api/v1/scan` (scan them all now). */
import type { ScanResponse } from '../../core/api/client.ts';
import { listClients } from '../../core/discovery/clients-view.ts';
import { scanAll } from '../../core/discovery/scan-all.ts';
import { emitScanResult } from '../events.ts';
import { ok, type Route } from '../route.ts';

export const clientRoutes: Route[] = [
  {
    method: 'GET',
    path: '/clients',
    summary: 'Every client config seen, grouped by client: its file, state, servers and open hygiene findings (plaintext secrets, unpinned packages, plain http)',
    success: { status: 200, description: '{items: ClientView[]}' },
    handler: (_r, s) => ok({ items: listClients(s.store.db) }),
  },
  {
    method: 'POST',
    path: '/scan',
    summary: 'Scan every known client config now (as `mcp-warden scan` does), raising and resolving alerts; each config read is also a scan event',
    success: { status: 200, description: 'ScanResponse: configs found, alerts opened and resolved' },
    handler: (_r, s) => {
      // Forced: a config unchanged since the last scan is evaluated again (an executable may have moved).
      const results = scanAll({ ...s.scan, force: true }, s.scan.where);
      const body: ScanResponse = { configs: 0, opened: 0, resolved: 0 };
      for (const result of results) {
        if (result.state === 'absent') continue;
        body.configs += 1;
        body.opened += result.opened.length;
        body.resolved += result.resolved.length;
        emitScanResult(s.hub, result);
      }
      return ok(body);
    },
  },
];
