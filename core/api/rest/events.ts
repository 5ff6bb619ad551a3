/** Server-sent events (`GET /api/v1/events`); in the desktop app the same events arrive over IPC. */
import type { Alert } from '../alert.ts';

export type ApiEvent =
  | { type: 'alert'; alert: Alert }
  | { type: 'registry'; reason: string; server_id: string | null }
  | { type: 'scan'; client: string; config_path: string; state: string; opened: number; resolved: number }
  | { type: 'probe'; server_id: string; name: string; phase: 'started' | 'finished'; ok?: boolean; done?: number; total?: number }
  /** A setting changed through the API (the desktop shell applies `start-at-login` and `notifications` from it). */
  | { type: 'settings'; key: string; value: string }
  /** Another process (the CLI, a second app) wrote the database. */
  | { type: 'changed' };
