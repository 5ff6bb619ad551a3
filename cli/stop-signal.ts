/**
 * SIGINT or SIGTERM, listened for from the call on. A long-running command (`watch`, `serve`)
 * listens before its first scan, so a signal during a long one stops it at the scan's next chunk
 * rather than being ignored until the scan ends.
 */
export interface StopSignal {
  /** Resolves at the first of the two signals. */
  readonly received: Promise<void>;
  /** True once a signal arrived. */
  readonly arrived: boolean;
  /** Stops listening (when the command fails before it would wait). */
  dispose(): void;
}

export function listenForStop(): StopSignal {
  let arrived = false;
  let resolve = () => {};
  const received = new Promise<void>((r) => (resolve = r));
  const onSignal = () => {
    arrived = true;
    resolve();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    received,
    get arrived() {
      return arrived;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
