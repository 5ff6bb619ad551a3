/**
 * Browser requests that another site caused: refused before they are routed, authenticated or
 * counted as failures. `Sec-Fetch-Site` is set by the browser and no page can change it; a page on
 * another port of 127.0.0.1 is `same-site` (sites ignore ports), a page elsewhere `cross-site`. An
 * `<img src=…>` sends no Origin, so the Origin check alone let such requests through. A `Referer`
 * from another origin is refused too (older browsers send no Sec-Fetch-Site; our own pages send no
 * Referer at all, `Referrer-Policy: no-referrer`).
 *
 * One kind of cross-site request is let through: a person following a link to the web UI (a
 * top-level navigation, GET or HEAD, outside `/api/`). It carries no credential (the session lives
 * in the page, not in a cookie) and our pages cannot be framed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './respond.ts';

const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

export function crossSiteRefusal(headers: IncomingHttpHeaders, method: string, path: string, ownOrigins: ReadonlySet<string>): ApiError | undefined {
  const navigation = (method === 'GET' || method === 'HEAD') && headers['sec-fetch-mode'] === 'navigate' && !path.startsWith('/api/');
  if (navigation) return undefined;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && FOREIGN_SITES.has(site.toLowerCase())) {
    return new ApiError('forbidden', `Requests caused by another site are refused (Sec-Fetch-Site: ${site}): only this server's own pages may call it.`, { field: 'Sec-Fetch-Site' });
  }
  const referer = headers.referer;
  if (referer !== undefined && !ownOrigins.has(originOf(referer))) {
    return new ApiError('forbidden', "Requests from other pages are refused: the Referer is not one of this server's pages.", { field: 'Referer' });
  }
  return undefined;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return 'null';
  }
}
