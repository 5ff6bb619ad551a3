/** `/api/v1/clients` (every client config with its servers and findings) and `/api/v1/scan` (scan them all now). */
import type { ScanResponse } from '../../core/api/client.ts';
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { listClients } from '../../core/discovery/clients-view.ts';
import { scanAll } from '../../core/discovery/scan-all.ts';
import { emitScanResult } from '../events.ts';
import { handle, ok, type Route } from '../route.ts';

export const clientRoutes: Route[] = [
  handle(ENDPOINTS.listClients, (_r, s) => ok({ items: listClients(s.store.db) })),
  handle(ENDPOINTS.scan, (_r, s) => {
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
  }),
];
