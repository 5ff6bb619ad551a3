/** `/api/v1/health` (no auth) and `/api/v1/events` (server-sent events). */
import { packageVersion } from '../package-root.ts';
import { ok, STREAMED, type Route } from '../route.ts';

export const metaRoutes: Route[] = [
  {
    method: 'GET',
    path: '/health',
    public: true,
    summary: 'Liveness: answers without authentication and says nothing about the data',
    success: { status: 200, description: '{status: "ok", version}' },
    handler: () => ok({ status: 'ok', version: packageVersion() }),
  },
  {
    method: 'GET',
    path: '/events',
    httpOnly: true,
    summary: 'Server-sent events: alert, registry, scan, probe and changed (another process wrote the database)',
    success: { status: 200, description: 'An event stream; each event is `event: <type>` and `data: <ApiEvent JSON>`' },
    handler: (r, s) => {
      const http = r.http as NonNullable<typeof r.http>;
      s.hub.attach(http.req, http.res);
      return STREAMED;
    },
  },
];
