/**
 * Hash routing (`#/`, `#/servers/<id>`, `#/alerts/<id>`, ...): works the same on Electron's file://
 * page and on `mcp-warden serve`'s `/`, and a reload keeps the screen.
 */
import { useEffect, useState } from 'react';

export interface Route {
  /** The path after `#`, without the query: `/servers/srv_1`. */
  path: string;
  /** The path's segments, decoded: `['servers', 'srv_1']`. */
  segments: string[];
  /** The query after `?` in the hash. */
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?', 2);
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, segments, params: new URLSearchParams(query) };
}

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const on = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parseHash(hash);
}

/** Goes to `#<path>` (e.g. `navigate('/servers/' + id)`). */
export function navigate(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#${path}`;
}

/** The href of a route, for links: `href(`/servers/${id}`)`. */
export function href(path: string): string {
  return `#${path}`;
}

export const serverHref = (id: string): string => `#/servers/${encodeURIComponent(id)}`;
