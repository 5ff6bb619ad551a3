// Turns alerts as the engine raises them into native notifications: only high and critical ones
// (or only critical, or none, as the `notifications` setting says), and grouped when many arrive at
// once, so a rewritten config with ten bad entries is one notification, not ten. Pure (timers are a
// port), so it is tested under plain Node.
import { severityRank, type Alert } from '../../core/api/alert.ts';
import type { NotificationRequest } from './ports.ts';
import { severitySummary } from './tray-state.ts';

export type NotificationLevel = 'high' | 'critical' | 'off';
export const NOTIFICATION_LEVELS: readonly NotificationLevel[] = ['high', 'critical', 'off'];

/** Alerts that arrive within this long of the first one share one batch. */
export const BATCH_WINDOW_MS = 1500;
/** Up to this many alerts in a batch get one notification each; more get one grouped notification. */
export const MAX_SEPARATE = 3;

type NotifiedAlert = Pick<Alert, 'id' | 'severity' | 'title' | 'server_name' | 'client'>;

export function isNotificationLevel(value: unknown): value is NotificationLevel {
  return typeof value === 'string' && (NOTIFICATION_LEVELS as readonly string[]).includes(value);
}

export function wantsNotification(alert: Pick<Alert, 'severity'>, level: NotificationLevel): boolean {
  if (level === 'off') return false;
  return severityRank(alert.severity) >= severityRank(level);
}

/** The notifications for one batch: one each for up to MAX_SEPARATE alerts, else one for the group. */
export function planNotifications(alerts: readonly NotifiedAlert[], level: NotificationLevel): NotificationRequest[] {
  const loud = alerts.filter((a) => wantsNotification(a, level));
  // Worst first, so a grouped notification's body leads with the most serious alert.
  loud.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id - b.id);
  const urgency = (list: readonly NotifiedAlert[]): NotificationRequest['urgency'] => (list.some((a) => a.severity === 'critical') ? 'critical' : 'normal');
  if (loud.length <= MAX_SEPARATE) {
    return loud.map((a) => ({
      title: `MCP Warden: ${a.severity} alert`,
      body: a.title,
      target: `#/alerts/${a.id}`,
      urgency: urgency([a]),
    }));
  }
  const [first] = loud;
  return [
    {
      title: `MCP Warden: ${loud.length} new alerts`,
      body: `${severitySummary(loud)}. ${first?.title ?? ''}${loud.length > 1 ? ' (and more)' : ''}`,
      target: '#/alerts',
      urgency: urgency(loud),
    },
  ];
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BatcherOptions {
  /** The current `notifications` setting; read when a batch is sent, so a change applies at once. */
  level: () => NotificationLevel;
  send: (request: NotificationRequest) => void;
  windowMs?: number;
  timers?: Timers;
}

/**
 * Collects alerts for BATCH_WINDOW_MS from the first one (a fixed window, so a steady trickle cannot
 * hold notifications back for ever), then sends the batch's notifications. An alert id is notified
 * once even if it is reported twice (by a scan and by the API's own notifier).
 */
export class NotificationBatcher {
  readonly #options: BatcherOptions;
  readonly #timers: Timers;
  #pending: NotifiedAlert[] = [];
  #timer: unknown;
  readonly #seen = new Set<number>();
  #closed = false;

  constructor(options: BatcherOptions) {
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
  }

  /** The Notifier port of core/alerts/notifier.ts. */
  notify(alerts: readonly NotifiedAlert[]): void {
    if (this.#closed) return;
    for (const alert of alerts) {
      if (this.#seen.has(alert.id)) continue;
      this.#seen.add(alert.id);
      this.#pending.push(alert);
    }
    if (this.#pending.length > 0 && this.#timer === undefined) {
      this.#timer = this.#timers.set(() => this.flush(), this.#options.windowMs ?? BATCH_WINDOW_MS);
    }
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    for (const request of planNotifications(batch, this.#options.level())) this.#options.send(request);
  }

  close(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#pending = [];
    this.#closed = true;
  }
}
