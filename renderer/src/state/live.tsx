/**
 * Live updates: one subscription for the whole app (opened by <LiveProvider>), fanned out to the
 * screens. A screen calls `useLiveRefetch(reload)` and is refetched, debounced, after every event
 * that can change what it shows, so a change on disk (a CLI write, an edited client config) appears
 * without a reload.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { WardenClient } from '../../../core/api/client.ts';
import type { ApiEvent } from '../../../core/api/rest.ts';

type Listener = (event: ApiEvent) => void;

interface LiveHub {
  add(listener: Listener): () => void;
  connected: boolean;
}

const LiveContext = createContext<LiveHub>({ add: () => () => undefined, connected: false });

export function LiveProvider(props: { client: WardenClient; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const off = props.client.subscribe(
      (event) => {
        for (const listener of [...listeners.current]) listener(event);
      },
      (ok) => setConnected(ok),
    );
    return off;
  }, [props.client]);

  const add = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const hub = useMemo<LiveHub>(() => ({ add, connected }), [add, connected]);
  return <LiveContext.Provider value={hub}>{props.children}</LiveContext.Provider>;
}

/** The event types that change what the screens show (probe progress is handled where it is shown). */
export const REFETCH_EVENTS: readonly ApiEvent['type'][] = ['alert', 'registry', 'scan', 'changed'];

/** Calls `listener` for every live event while the component is mounted. */
export function useLiveEvents(listener: Listener): void {
  const hub = useContext(LiveContext);
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => hub.add((event) => ref.current(event)), [hub.add]);
}

/**
 * Calls `refetch` ~100 ms after the last of a burst of events of `types` (default: alert, registry,
 * scan, changed). A scan that opens ten alerts causes one refetch, not ten.
 */
export function useLiveRefetch(refetch: () => void, types: readonly ApiEvent['type'][] = REFETCH_EVENTS, delayMs = 100): void {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const ref = useRef(refetch);
  ref.current = refetch;
  useLiveEvents((event) => {
    if (!types.includes(event.type)) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => ref.current(), delayMs);
  });
  useEffect(() => () => clearTimeout(timer.current), []);
}

/** Whether the live event stream is connected (false while it reconnects). */
export function useLiveConnected(): boolean {
  return useContext(LiveContext).connected;
}
