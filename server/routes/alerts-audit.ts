/** `/api/v1/alerts` (list with filters, acknowledge, resolve) and `/api/v1/audit` (page forward, verify the chain). */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { invalidInput } from '../../core/api/errors.ts';
import { listAlertsQuerySchema, listAuditQuerySchema, type AlertsPage, type AuditPage } from '../../core/api/rest.ts';
import { changeAlertState, getAlert, listAlerts } from '../../core/alerts/alert-store.ts';
import { listAudit } from '../../core/audit/audit-log.ts';
import { verifyTrail } from '../../core/launcher/verify-trail.ts';
import { getServer } from '../../core/registry/read.ts';
import { handle, ok, param, parseQuery, type ApiRequest, type Handler, type Route } from '../route.ts';

function alertId(r: ApiRequest): number {
  const raw = param(r, 'id');
  if (!/^\d{1,15}$/.test(raw)) throw invalidInput('id', `"${raw.slice(0, 40)}" is not an alert id: ids are whole numbers.`);
  return Number(raw);
}

/** `POST /alerts/:id/acknowledge` and `.../resolve`. */
function stateHandler(state: 'acknowledged' | 'resolved'): Handler {
  return (r, s) => {
    const alert = changeAlertState(s.store.db, alertId(r), state);
    s.hub.emit({ type: 'alert', alert });
    return ok(alert);
  };
}

export const alertAuditRoutes: Route[] = [
  handle(ENDPOINTS.listAlerts, (r, s) => {
    const query = parseQuery(listAlertsQuerySchema, r.query);
    const serverId = query.server === undefined ? undefined : getServer(s.store.db, query.server).id;
    // Alerts number in the hundreds: filter in the engine, page here.
    const all = listAlerts(s.store.db, { state: query.state, severity: query.severity, serverId });
    const items = all.slice(query.offset, query.offset + query.limit);
    const end = query.offset + items.length;
    const page: AlertsPage = { items, total: all.length, limit: query.limit, offset: query.offset, next_offset: end < all.length ? end : null };
    return ok(page);
  }),
  handle(ENDPOINTS.getAlert, (r, s) => ok(getAlert(s.store.db, alertId(r)))),
  handle(ENDPOINTS.acknowledgeAlert, stateHandler('acknowledged')),
  handle(ENDPOINTS.resolveAlert, stateHandler('resolved')),
  handle(ENDPOINTS.listAudit, (r, s) => {
    const query = parseQuery(listAuditQuerySchema, r.query);
    const serverId = query.server === undefined ? undefined : getServer(s.store.db, query.server).id;
    // One more than asked says whether there is a next page.
    const events = listAudit(s.store.db, { serverId, type: query.type, afterSeq: query.after, limit: query.limit + 1 });
    const items = events.slice(0, query.limit);
    const page: AuditPage = { items, next_after: events.length > query.limit ? (items.at(-1)?.seq ?? null) : null };
    return ok(page);
  }),
  handle(ENDPOINTS.verifyAudit, (_r, s) => ok(verifyTrail(s.store).verdict)),
];
