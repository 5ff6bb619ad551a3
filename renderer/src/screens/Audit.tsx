/**
 * Audit trail (`#/audit`): the hash-chained event log, oldest first, paged forward with the API's
 * next_after ("Load more"), filtered by event type and server; "Verify chain" walks the chain on
 * the engine side and shows its verdict; "Export" writes every event matching the filters as
 * JSON Lines. New events appear live once the last page is loaded.
 */
import { useCallback, useEffect, useRef, useState, type JSX } from 'react';
import { WardenClientError, type AuditVerifyResponse, type WardenClient } from '../../../core/api/client.ts';
import type { AuditEvent } from '../../../core/api/audit.ts';
import { Empty, ErrorState, Loading, formatTime } from '../components/index.ts';
import { serverHref, useLiveRefetch } from '../state/index.ts';
import { fetchAllAudit, toJsonLines } from './audit/export.ts';
import { FieldError } from './register/Field.tsx';
import './audit/audit.css';

const PAGE_SIZE = 100;
const KNOWN_TYPES = [
  'agent.linked', 'agent.registered', 'agent.unlinked', 'alert.opened', 'alert.reopened', 'alert.acknowledged', 'alert.resolved', 'api_key.created', 'api_key.revoked',
  'device_key.recorded', 'pin.set', 'rule.allowed', 'rule.disallowed', 'secret.added', 'secret.replaced', 'secret.removed', 'server.approved',
  'server.attested', 'server.declared', 'server.discovered', 'server.linked', 'server.matched', 'server.probed', 'server.registered', 'server.removed',
  'server.unlinked', 'server.updated', 'server.verified', 'setting.changed', 'trust.changed',
];

interface Filters {
  type: string;
  server: string;
}

interface Log {
  events: AuditEvent[];
  nextAfter: number | null;
}

type Verdict = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: AuditVerifyResponse } | { kind: 'error'; message: string };
type Exported = { kind: 'idle' } | { kind: 'running' } | { kind: 'ready'; url: string; count: number } | { kind: 'error'; message: string };

const query = (f: Filters) => ({ type: f.type.trim() || undefined, server: f.server.trim() || undefined });
const message = (error: unknown, fallback: string): string => (error instanceof Error ? error.message : fallback);

export function AuditScreen({ client }: { client: WardenClient }): JSX.Element {
  const [draft, setDraft] = useState<Filters>({ type: '', server: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [log, setLog] = useState<Log | undefined>(undefined);
  const [error, setError] = useState<WardenClientError | Error | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [verdict, setVerdict] = useState<Verdict>({ kind: 'idle' });
  const [exported, setExported] = useState<Exported>({ kind: 'idle' });
  const call = useRef(0);
  const downloadRef = useRef<HTMLAnchorElement>(null);

  // Typing in a filter applies it after a pause; Enter applies it at once.
  useEffect(() => {
    const timer = setTimeout(() => setFilters(draft), 300);
    return () => clearTimeout(timer);
  }, [draft]);

  const loadFirst = useCallback(() => {
    const id = ++call.current;
    client.listAudit({ ...query(filters), limit: PAGE_SIZE }).then(
      (page) => {
        if (id !== call.current) return;
        setLog({ events: page.items, nextAfter: page.next_after });
        setError(undefined);
      },
      (e: unknown) => {
        if (id !== call.current) return;
        setLog(undefined);
        setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  }, [client, filters]);

  useEffect(() => {
    setLog(undefined);
    setError(undefined);
    loadFirst();
  }, [loadFirst]);

  const loadAfter = useCallback(
    async (after: number) => {
      const id = call.current;
      const page = await client.listAudit({ ...query(filters), after, limit: PAGE_SIZE });
      if (id !== call.current) return;
      setLog((current) => {
        if (current === undefined) return current;
        const last = current.events.at(-1)?.seq ?? 0;
        return { events: [...current.events, ...page.items.filter((e) => e.seq > last)], nextAfter: page.next_after };
      });
    },
    [client, filters],
  );

  const loadMore = () => {
    if (log?.nextAfter == null || loadingMore) return;
    setLoadingMore(true);
    loadAfter(log.nextAfter)
      .catch((e: unknown) => setError(e instanceof Error ? e : new Error(String(e))))
      .finally(() => setLoadingMore(false));
  };

  // Every change is audited, so any live event may have added one: when the last page is shown,
  // fetch what came after it (pages further back stay as they are).
  const logRef = useRef(log);
  logRef.current = log;
  useLiveRefetch(() => {
    const current = logRef.current;
    if (current === undefined) return loadFirst();
    if (current.nextAfter !== null) return;
    void loadAfter(current.events.at(-1)?.seq ?? 0).catch(() => undefined);
  });

  const verify = () => {
    setVerdict({ kind: 'running' });
    client.verifyAudit().then(
      (result) => setVerdict({ kind: 'done', result }),
      (e: unknown) => setVerdict({ kind: 'error', message: message(e, 'The chain could not be verified.') }),
    );
  };

  // The download link's object URL lives until the next export or until the screen goes away.
  const urlRef = useRef<string | undefined>(undefined);
  useEffect(() => () => {
    if (urlRef.current !== undefined) URL.revokeObjectURL(urlRef.current);
  }, []);
  const exportLog = async () => {
    setExported({ kind: 'running' });
    try {
      const events = await fetchAllAudit(client, query(filters));
      if (urlRef.current !== undefined) URL.revokeObjectURL(urlRef.current);
      const url = URL.createObjectURL(new Blob([toJsonLines(events)], { type: 'application/jsonl' }));
      urlRef.current = url;
      setExported({ kind: 'ready', url, count: events.length });
    } catch (e) {
      setExported({ kind: 'error', message: message(e, 'The audit trail could not be exported.') });
    }
  };
  // Start the download once the link exists; the link stays for a second download.
  const readyUrl = exported.kind === 'ready' ? exported.url : undefined;
  useEffect(() => {
    if (readyUrl !== undefined) downloadRef.current?.click();
  }, [readyUrl]);

  // A server filter naming no server is a problem with that field, not with the screen.
  const serverError = error instanceof WardenClientError && error.status === 404 ? error.message : undefined;
  const typesSeen = new Set([...KNOWN_TYPES, ...(log?.events.map((e) => e.type) ?? [])]);
  const filtered = filters.type.trim() !== '' || filters.server.trim() !== '';

  return (
    <div className="r2-screen audit-screen">
      <div className="screen-head">
        <h1 className="screen-title">Audit trail</h1>
        <div className="actions">
          <button type="button" className="button" onClick={verify} disabled={verdict.kind === 'running'}>
            Verify chain
          </button>
          <button type="button" className="button" onClick={() => void exportLog()} disabled={exported.kind === 'running'}>
            Export
          </button>
        </div>
      </div>
      <p className="muted intro">Every change, oldest first. Each event holds the hash of the one before it, so an edited or deleted event breaks the chain.</p>

      <div className="audit-results">
        {verdict.kind === 'running' && <p role="status">Verifying the chain…</p>}
        {verdict.kind === 'done' && (
          <p role={verdict.result.ok ? 'status' : 'alert'} className={`verdict ${verdict.result.ok ? 'pill ok' : 'pill bad'}`} data-testid="audit-verdict">
            {verdict.result.ok ? `Chain intact: ${verdict.result.events} events` : `Chain broken at event ${verdict.result.broken_at}: ${verdict.result.reason}`}
          </p>
        )}
        {verdict.kind === 'error' && <ErrorState error={verdict.message} />}
        {exported.kind === 'running' && <p role="status">Preparing the export…</p>}
        {exported.kind === 'error' && <ErrorState error={exported.message} />}
        {exported.kind === 'ready' && (
          <p role="status">
            Exported {exported.count} {exported.count === 1 ? 'event' : 'events'}:{' '}
            <a ref={downloadRef} href={exported.url} download="mcp-warden-audit.jsonl">
              mcp-warden-audit.jsonl
            </a>
          </p>
        )}
      </div>

      <form
        className="toolbar"
        role="search"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <div className="field">
          <label htmlFor="audit-type">Event type</label>
          <input id="audit-type" list="audit-types" value={draft.type} onChange={(e) => setDraft((d) => ({ ...d, type: e.target.value }))} placeholder="server.registered" />
          <datalist id="audit-types">
            {[...typesSeen].sort().map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-server">Server</label>
          <input
            id="audit-server"
            value={draft.server}
            placeholder="name or id"
            aria-invalid={serverError !== undefined ? true : undefined}
            aria-describedby={serverError !== undefined ? 'audit-server-error' : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, server: e.target.value }))}
          />
          <FieldError id="audit-server" error={serverError} />
        </div>
        <button type="submit" className="button">
          Apply
        </button>
        {filtered && (
          <button type="button" className="button quiet" onClick={() => setDraft({ type: '', server: '' })}>
            Clear filters
          </button>
        )}
      </form>

      {error !== undefined && serverError === undefined && <ErrorState error={error} onRetry={loadFirst} />}
      {log === undefined && error === undefined && <Loading />}
      {log !== undefined && log.events.length === 0 && (
        <Empty title={filtered ? 'No audit events match these filters.' : 'The audit trail is empty.'}>
          {filtered ? <p>Change or clear the filters.</p> : <p>Every change you make (register, approve, acknowledge) is recorded here.</p>}
        </Empty>
      )}
      {log !== undefined && log.events.length > 0 && (
        <>
          <div className="table-scroll">
            <table className="data audit-table">
              <caption className="visually-hidden">Audit events</caption>
              <thead>
                <tr>
                  <th scope="col">Seq</th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Type</th>
                  <th scope="col">Server</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {log.events.map((event) => (
                  <tr key={event.seq} data-testid="audit-row">
                    <td className="num">{event.seq}</td>
                    <td>
                      <time dateTime={event.at}>{formatTime(event.at)}</time>
                    </td>
                    <td>{event.actor}</td>
                    <td>
                      <code>{event.type}</code>
                    </td>
                    <td>{event.server_id === null ? '—' : <a href={serverHref(event.server_id)}>{serverLabel(event)}</a>}</td>
                    <td>
                      <code className="wrap details">{Object.keys(event.details).length === 0 ? '—' : JSON.stringify(event.details)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="audit-footer">
            <span className="muted">
              {log.events.length} {log.events.length === 1 ? 'event' : 'events'} shown{log.nextAfter === null ? ' (all)' : ''}
            </span>
            {log.nextAfter !== null && (
              <button type="button" className="button" onClick={loadMore} disabled={loadingMore}>
                Load more
              </button>
            )}
            {loadingMore && <span role="status">Loading…</span>}
          </div>
        </>
      )}
    </div>
  );
}

/** The server's name when the event recorded it, else its id. */
function serverLabel(event: AuditEvent): string {
  const name = event.details['name'];
  return typeof name === 'string' && name !== '' ? name : (event.server_id ?? '');
}
