import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  /** The latest answer; kept while a reload runs, so the screen does not flash back to "Loading…". */
  data: T | undefined;
  /** The latest failure, cleared by the next success. */
  error: Error | undefined;
  /** True until the first answer (or failure) arrives. */
  loading: boolean;
  /** Runs the loader again (after an action or a live event). */
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and on `reload()`. Answers that arrive after a newer call started
 * are dropped, so a slow old request never overwrites a newer one.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [tick, setTick] = useState(0);
  const call = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const id = ++call.current;
    loadRef.current().then(
      (data) => {
        if (id === call.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (id === call.current) setState((s) => ({ data: s.data, error: error instanceof Error ? error : new Error(String(error)), loading: false }));
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  // A dependency change starts a fresh screen: forget the previous answer so it is never shown for another id.
  const depsKey = JSON.stringify(deps);
  const lastKey = useRef(depsKey);
  if (lastKey.current !== depsKey) {
    lastKey.current = depsKey;
    if (state.data !== undefined || state.error !== undefined || !state.loading) setState({ data: undefined, error: undefined, loading: true });
  }

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
