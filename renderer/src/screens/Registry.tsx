/**
 * The registry (`#/`): every server with its clients, transport, status, trust badge, open alerts
 * and last probe. Virtualised (@tanstack/react-virtual): only the rows in view are in the DOM, and
 * their pages are fetched as they scroll in (registry/pages.ts).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState } from 'react';
import type { Severity } from '../../../core/api/alert.ts';
import type { ListServersParams } from '../../../core/api/client.ts';
import type { ServerView } from '../../../core/api/rest.ts';
import { Empty, ErrorState, Loading, relativeTime, formatTime, TrustBadge, SeveritySelect } from '../components/index.ts';
import { serverHref, useAsync, useClient, useLiveRefetch } from '../state/index.ts';
import { usePagedServers, type SortKey } from './registry/pages.ts';
import './registry/registry.css';

type StatusFilter = '' | NonNullable<ListServersParams['status']>;

/** Row height in px; matches --row-height in registry.css. */
const ROW_HEIGHT = 44;

export function RegistryScreen() {
  const client = useClient();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [clientFilter, setClientFilter] = useState('');
  const [status, setStatus] = useState<StatusFilter>('');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [sort, setSort] = useState<SortKey>('name');

  // Search is server-side: wait for a pause in typing.
  useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);

  const query: ListServersParams = {
    ...(q !== '' ? { q } : {}),
    ...(clientFilter !== '' ? { client: clientFilter } : {}),
    ...(status !== '' ? { status } : {}),
    ...(severity !== '' ? { severity } : {}),
    ...(sort !== 'name' ? { sort } : {}),
  };
  const source = usePagedServers(client, query);
  useLiveRefetch(source.refresh);

  const clients = useAsync(async () => {
    try {
      return (await client.listClients()).items.map((c) => ({ id: c.client, name: c.name }));
    } catch {
      const agents = await client.listAgents();
      const ids = [...new Set(agents.items.flatMap((a) => (a.client === null ? [] : [a.client])))].sort();
      return ids.map((id) => ({ id, name: id }));
    }
  }, [client]);

  const filtered = q !== '' || clientFilter !== '' || status !== '' || severity !== '';
  const clear = (): void => {
    setSearch('');
    setQ('');
    setClientFilter('');
    setStatus('');
    setSeverity('');
  };

  return (
    <>
      <div className="screen-head">
        <h1 className="screen-title">Registry</h1>
        {source.total !== null && (
          <span className="muted" aria-live="polite">
            {source.total.toLocaleString('en')} {source.total === 1 ? 'server' : 'servers'}
          </span>
        )}
        <div className="actions">
          <a className="button" href="#/register">
            Register a server
          </a>
        </div>
      </div>

      <div className="toolbar" role="search">
        <label className="field registry-search">
          Search servers
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, display name or description" />
        </label>
        <label className="field">
          Client
          <select value={clientFilter} onChange={(e) => setClientFilter(e.target.value)}>
            <option value="">All</option>
            {(clients.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name === c.id ? c.id : `${c.name} (${c.id})`}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            <option value="">All</option>
            <option value="discovered">discovered</option>
            <option value="pending">pending</option>
            <option value="approved">approved</option>
            <option value="declared">declared</option>
          </select>
        </label>
        <SeveritySelect value={severity} onChange={setSeverity} />
        <label className="field">
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            <option value="name">Name</option>
            <option value="trust">Trust score</option>
            <option value="alerts">Open alerts</option>
          </select>
        </label>
        {filtered && (
          <button type="button" className="button" onClick={clear}>
            Clear filters
          </button>
        )}
      </div>


      <RegistryBody source={source} filtered={filtered} onClear={clear} />
    </>
  );
}

function RegistryBody(props: { source: ReturnType<typeof usePagedServers>; filtered: boolean; onClear: () => void }) {
  const { source } = props;
  if (source.total === null) {
    if (source.error !== undefined) return <ErrorState error={source.error} onRetry={source.refresh} />;
    return <Loading />;
  }
  if (source.total === 0) {
    if (source.error !== undefined) return <ErrorState error={source.error} onRetry={source.refresh} />;
    return props.filtered ? (
      <Empty title="No servers match this search and these filters.">
        <button type="button" className="button" onClick={props.onClear}>
          Clear filters
        </button>
      </Empty>
    ) : (
      <Empty title="No MCP servers yet.">
        <p>
          Servers appear here when a client config (Claude Desktop, Cursor, VS Code, …) lists them, or when you{' '}
          <a href="#/register">register a server</a>.
        </p>
        <p className="muted">
          From a terminal: <code>mcp-warden mcp add &lt;name&gt; stdio --command &lt;program&gt;</code>
        </p>
      </Empty>
    );
  }
  return (
    <>
      {source.error !== undefined && <ErrorState error={source.error} onRetry={source.refresh} />}
      <VirtualTable source={source} total={source.total} />
    </>
  );
}

function VirtualTable(props: { source: ReturnType<typeof usePagedServers>; total: number }) {
  const { source, total } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const captionId = useId();
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    source.ensure(first, last);
  }, [source, first, last]);

  return (
    <div className="registry-scroll" data-testid="registry-scroll" ref={scrollRef}>
      <div role="table" className="registry-table" aria-rowcount={total} aria-labelledby={captionId}>
        <span id={captionId} className="visually-hidden">
          MCP servers
        </span>
        <div role="rowgroup" className="registry-head">
          <div role="row" className="registry-row" aria-rowindex={1}>
            <span role="columnheader">Name</span>
            <span role="columnheader">Clients</span>
            <span role="columnheader">Transport</span>
            <span role="columnheader">Status</span>
            <span role="columnheader">Trust</span>
            <span role="columnheader">Open alerts</span>
            <span role="columnheader">Last probe</span>
          </div>
        </div>
        <div role="rowgroup" className="registry-body" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const server = source.row(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className="registry-row registry-item"
                data-testid={server ? 'server-row' : undefined}
                aria-busy={server ? undefined : true}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {server ? <ServerCells server={server} /> : <span role="cell" className="registry-pending">Loading…</span>}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

export function statusText(server: Pick<ServerView, 'status' | 'attestation'>): string {
  const attestation = server.attestation === 'valid' ? ', attested' : server.attestation === 'failed' ? ', attestation failed' : '';
  return `${server.status}${attestation}`;
}

function ServerCells(props: { server: ServerView }) {
  const s = props.server;
  const title = s.display_name !== '' && s.display_name !== s.name ? s.display_name : null;
  return (
    <>
      <span role="cell" className="registry-name">
        <a href={serverHref(s.id)}>{s.name}</a>
        {title !== null && <span className="muted registry-sub">{title}</span>}
      </span>
      <span role="cell" className="registry-clip">
        {s.clients.length === 0 ? <span className="muted">none</span> : s.clients.join(', ')}
      </span>
      <span role="cell">{s.transport}</span>
      <span role="cell">
        <span className={`status status-${s.status}${s.attestation === 'failed' ? ' status-failed' : ''}`}>{statusText(s)}</span>
      </span>
      <span role="cell">
        <TrustBadge trust={s.trust} />
      </span>
      <span role="cell" className="num">
        <span data-testid="row-alerts" className={s.open_alerts > 0 ? 'row-alerts has-alerts' : 'row-alerts'}>
          {s.open_alerts}
        </span>
      </span>
      <span role="cell">
        {s.last_probe_at === null ? (
          <span className="muted">never</span>
        ) : (
          <time dateTime={s.last_probe_at} title={formatTime(s.last_probe_at)}>
            {relativeTime(s.last_probe_at)}
          </time>
        )}
      </span>
    </>
  );
}
