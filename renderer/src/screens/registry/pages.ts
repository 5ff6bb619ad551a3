/**
 * Where the registry's rows come from: pages of the server's own list (search, filters and sort are
 * all server-side), fetched by offset as rows scroll into view and kept in a sparse cache of pages,
 * so 10,000 servers cost one request of 100 to show the first rows and a few more while scrolling,
 * never all at once.
 */
import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ListServersParams, WardenClient } from '../../../../core/api/client.ts';
import type { ServerView } from '../../../../core/api/rest.ts';

/** Rows per fetched page. The first request is one page: limit=100. */
export const PAGE_SIZE = 100;

export interface RowSource {
  /** Rows in the list, or null before the first answer. */
  total: number | null;
  /** The row at `index`, or undefined while its page loads. */
  row(index: number): ServerView | undefined;
  /** Asks for the pages covering rows start..end (inclusive). */
  ensure(start: number, end: number): void;
  error: Error | undefined;
  /** Refetches what is shown, keeping the old rows on screen until the new ones arrive. */
  refresh(): void;
}

interface Store {
  key: string;
  gen: number;
  pages: Map<number, ServerView[]>;
  /** Pages from before a refresh, shown until their replacement arrives. */
  stale: Map<number, ServerView[]>;
  inflight: Set<number>;
  total: number | null;
  error: Error | undefined;
}

const toError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export function usePagedServers(client: WardenClient, query: ListServersParams): RowSource {
  const [version, bump] = useReducer((x: number) => x + 1, 0);
  const key = JSON.stringify(query);
  const store = useRef<Store>({ key, gen: 0, pages: new Map(), stale: new Map(), inflight: new Set(), total: null, error: undefined });
  const s = store.current;
  if (s.key !== key) {
    // New search or filter: a new list. Answers for the old one are dropped by `gen`.
    store.current = { key, gen: s.gen + 1, pages: new Map(), stale: new Map(), inflight: new Set(), total: null, error: undefined };
  }
  const queryRef = useRef(query);
  queryRef.current = query;

  const fetchPage = useCallback(
    (page: number) => {
      const st = store.current;
      if (st.inflight.has(page) || st.pages.has(page)) return;
      st.inflight.add(page);
      const gen = st.gen;
      client.listServers({ ...queryRef.current, limit: PAGE_SIZE, offset: page * PAGE_SIZE }).then(
        (answer) => {
          const now = store.current;
          if (now.gen !== gen) return;
          now.inflight.delete(page);
          now.pages.set(page, answer.items);
          now.stale.delete(page);
          if (now.total !== answer.total) {
            // The list grew or shrank: cached pages may have shifted, so drop them (keep them as stale).
            if (now.total !== null) for (const [p, items] of now.pages) if (p !== page) { now.stale.set(p, items); now.pages.delete(p); }
            now.total = answer.total;
          }
          now.error = undefined;
          bump();
        },
        (error: unknown) => {
          const now = store.current;
          if (now.gen !== gen) return;
          now.inflight.delete(page);
          now.error = toError(error);
          bump();
        },
      );
    },
    [client],
  );

  const ensure = useCallback(
    (start: number, end: number) => {
      const st = store.current;
      if (st.error !== undefined) return;
      const last = st.total === null ? 0 : Math.max(0, Math.ceil(st.total / PAGE_SIZE) - 1);
      const from = Math.min(Math.floor(Math.max(0, start) / PAGE_SIZE), last);
      const to = Math.min(Math.floor(Math.max(0, end) / PAGE_SIZE), last);
      for (let p = from; p <= to; p++) fetchPage(p);
    },
    [fetchPage],
  );

  // The first page as soon as the list is shown (the virtualiser has no rows to ask for yet).
  useEffect(() => {
    if (store.current.total === null) ensure(0, 0);
  }, [key, ensure, version]);

  const refresh = useCallback(() => {
    const st = store.current;
    for (const [p, items] of st.pages) st.stale.set(p, items);
    store.current = { ...st, gen: st.gen + 1, pages: new Map(), inflight: new Set(), error: undefined };
    bump();
  }, []);

  const cur = store.current;
  return {
    total: cur.total,
    row: (index) => {
      const page = Math.floor(index / PAGE_SIZE);
      return (cur.pages.get(page) ?? cur.stale.get(page))?.[index % PAGE_SIZE];
    },
    ensure,
    error: cur.error,
    refresh,
  };
}

export type SortKey = NonNullable<ListServersParams['sort']>;
