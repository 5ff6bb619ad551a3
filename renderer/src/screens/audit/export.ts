/** Audit export: every page for the current filters, as JSON Lines (one event per line, in chain order). */
import type { ListAuditParams, WardenClient } from '../../../../core/api/client.ts';
import type { AuditEvent } from '../../../../core/api/audit.ts';
import { MAX_PAGE_SIZE } from '../../../../core/api/rest.ts';

export async function fetchAllAudit(client: WardenClient, filters: Omit<ListAuditParams, 'after' | 'limit'>): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await client.listAudit({ ...filters, after, limit: MAX_PAGE_SIZE });
    events.push(...page.items);
    if (page.next_after === null) return events;
    after = page.next_after;
  }
}

export const toJsonLines = (events: readonly AuditEvent[]): string => events.map((e) => JSON.stringify(e)).join('\n') + (events.length > 0 ? '\n' : '');
