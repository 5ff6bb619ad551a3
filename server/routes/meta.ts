/** `/api/v1/health` (no auth) and `/api/v1/events` (server-sent events). */
import { packageVersion } from '../package-root.ts';
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { handle, ok, STREAMED, type Route } from '../route.ts';

export const metaRoutes: Route[] = [
  handle(ENDPOINTS.health, () => ok({ status: 'ok', version: packageVersion() })),
  handle(ENDPOINTS.events, (r, s) => {
    const http = r.http as NonNullable<typeof r.http>;
    s.hub.attach(http.req, http.res);
    return STREAMED;
  }),
];
