/** `/api/v1/alerts` and `/api/v1/audit`: the list queries and the pages answered. */
import { z } from 'zod';
import type { Alert } from '../alert.ts';
import type { AuditEvent, AuditVerdict } from '../audit.ts';
import { pageFields, quoted, type Page } from './common.ts';

export const listAlertsQuerySchema = z.strictObject(
  {
    state: z.enum(['open', 'acknowledged', 'resolved'], { error: 'state must be open, acknowledged or resolved.' }).optional(),
    severity: z.enum(['info', 'low', 'medium', 'high', 'critical'], { error: 'severity must be info, low, medium, high or critical.' }).optional(),
    server: z.string({ error: 'server must be given once.' }).optional(),
    ...pageFields,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

export const listAuditQuerySchema = z.strictObject(
  {
    server: z.string({ error: 'server must be given once.' }).optional(),
    type: z.string({ error: 'type must be given once.' }).optional(),
    /** Events after this sequence number (paging forward). */
    after: z.coerce.number({ error: 'after must be a number.' }).int({ error: 'after must be a whole number.' }).min(0, { error: 'after cannot be negative.' }).optional(),
    limit: pageFields.limit,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

export type AlertsPage = Page<Alert>;
export interface AuditPage {
  items: AuditEvent[];
  /** Pass as `after` for the next page; null on the last one. */
  next_after: number | null;
}

export type AuditVerifyResponse = AuditVerdict;

export interface ListAlertsParams {
  state?: Alert['state'];
  severity?: Alert['severity'];
  server?: string;
  limit?: number;
  offset?: number;
}

export interface ListAuditParams {
  server?: string;
  type?: string;
  after?: number;
  limit?: number;
}
