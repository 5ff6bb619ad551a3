/** `/api/v1/alerts` (list with filters, acknowledge, resolve) and `/api/v1/audit` (page forward, verify the chain). */
import { invalidInput } from '../../core/api/errors.ts';
import { listAlertsQuerySchema, listAuditQuerySchema, type AlertsPage, type AuditPage } from '../../core/api/rest.ts';
import { changeAlertState, getAlert, listAlerts } from '../../core/alerts/alert-store.ts';
import { listAudit } from '../../core/audit/audit-log.ts';
import { verifyTrail } from '../../core/launcher/verify-trail.ts';
import { getServer } from '../../core/registry/read.ts';
import { ok, param, parseQuery, type ApiRequest, type Route, type Services } from '../route.ts';

function alertId(r: ApiRequest): number {
  const raw = param(r, 'id');
  if (!/^\d{1,15}$/.test(raw)) throw invalidInput('id', `"${raw.slice(0, 40)}" is not an alert id: ids are whole numbers.`);
  return Number(raw);
}

/** `POST /alerts/:id/acknowledge` and `.../resolve`. */
function stateRoute(action: 'acknowledge' | 'resolve', state: 'acknowledged' | 'resolved', summary: string): Route {
  return {
    method: 'POST',
    path: `/alerts/:id/${action}`,
    summary,
    success: { status: 200, description: 'The changed Alert' },
    errors: [404, 409],
    handler: (r: ApiRequest, s: Services) => {
      const alert = changeAlertState(s.store.db, alertId(r), state);
      s.hub.emit({ type: 'alert', alert });
      return ok(alert);
    },
  };
}

export const alertAuditRoutes: Route[] = [
  {
    method: 'GET',
    path: '/alerts',
    summary: 'Alerts, open first, then by severity (this one and above with severity=), newest first',
    querySchema: listAlertsQuerySchema,
    success: { status: 200, description: 'A Page of Alert' },
    errors: [404],
    handler: (r, s) => {
      const query = parseQuery(listAlertsQuerySchema, r.query);
      const serverId = query.server === undefined ? undefined : getServer(s.store.db, query.server).id;
      // Alerts number in the hundreds: filter in the engine, page here.
      const all = listAlerts(s.store.db, { state: query.state, severity: query.severity, serverId });
      const items = all.slice(query.offset, query.offset + query.limit);
      const end = query.offset + items.length;
      const page: AlertsPage = { items, total: all.length, limit: query.limit, offset: query.offset, next_offset: end < all.length ? end : null };
      return ok(page);
    },
  },
  {
    method: 'GET',
    path: '/alerts/:id',
    summary: 'One alert',
    success: { status: 200, description: 'The Alert' },
    errors: [404],
    handler: (r, s) => ok(getAlert(s.store.db, alertId(r))),
  },
  stateRoute('acknowledge', 'acknowledged', 'Acknowledge an alert (it stays listed until resolved)'),
  stateRoute('resolve', 'resolved', 'Resolve an alert; a condition that still holds is not raised again'),
  {
    method: 'GET',
    path: '/audit',
    summary: 'Audit events in order; pass next_after as after= for the next page',
    querySchema: listAuditQuerySchema,
    success: { status: 200, description: 'AuditPage' },
    errors: [404],
    handler: (r, s) => {
      const query = parseQuery(listAuditQuerySchema, r.query);
      const serverId = query.server === undefined ? undefined : getServer(s.store.db, query.server).id;
      // One more than asked says whether there is a next page.
      const events = listAudit(s.store.db, { serverId, type: query.type, afterSeq: query.after, limit: query.limit + 1 });
      const items = events.slice(0, query.limit);
      const page: AuditPage = { items, next_after: events.length > query.limit ? (items.at(-1)?.seq ?? null) : null };
      return ok(page);
    },
  },
  {
    method: 'GET',
    path: '/audit/verify',
    summary: 'Bring in the events the launchers spooled, then walk the hash chain and the launcher sessions, naming the first broken event or gap',
    success: { status: 200, description: 'The verdict: ok with the event count and head hash, or the first broken event and why (with every launcher gap found)' },
    handler: (_r, s) => ok(verifyTrail(s.store).verdict),
  },
];
