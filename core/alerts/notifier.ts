import type { Alert } from '../api/alert.ts';

/**
 * Where high and critical alerts go the moment they are raised: a stderr line in `watch`,
 * server-sent events in `serve`, a native notification from the desktop tray. One call per batch,
 * so an implementation can group many alerts that arrive at once.
 */
export interface Notifier {
  notify(alerts: readonly Alert[]): void;
}

/** Alerts loud enough to interrupt the user. */
export const shouldNotify = (alert: Alert): boolean => alert.severity === 'high' || alert.severity === 'critical';
