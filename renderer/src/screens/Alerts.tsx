/**
 * Alerts (`#/alerts`, `#/alerts/<id>`): open first, then acknowledged, then resolved; within each,
 * by severity, worst first. Acknowledge or resolve one or a selection; each alert links to its server
 * and shows its diff under "Show details". `#/alerts/<id>` opens with that alert expanded.
 */
import { useEffect, useMemo, useRef, useState, type Ref } from 'react';
import { ALERT_STATES, severityRank, type Alert, type AlertState, type Severity } from '../../../core/api/alert.ts';

import { DiffView, Empty, ErrorState, formatTime, Loading, rowsFromAlert, SeverityBadge, SeveritySelect } from '../components/index.ts';
import { serverHref, useAsync, useClient, useLiveRefetch } from '../state/index.ts';
import { MAX_PAGE_SIZE } from '../state/limits.ts';
import './alerts/alerts.css';

const order = (a: Alert, b: Alert): number =>
  ALERT_STATES.indexOf(a.state) - ALERT_STATES.indexOf(b.state) || severityRank(b.severity) - severityRank(a.severity) || b.created_at.localeCompare(a.created_at);

export function AlertsScreen(props: { focusId?: number | null }) {
  const client = useClient();
  const focusId = props.focusId !== undefined && props.focusId !== null && Number.isInteger(props.focusId) ? props.focusId : null;
  const [state, setState] = useState<AlertState | ''>('');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [expanded, setExpanded] = useState<Set<number>>(() => new Set(focusId === null ? [] : [focusId]));
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);

  const list = useAsync(async () => {
    const states = state === '' ? ALERT_STATES : [state];
    const items: Alert[] = [];
    let more = 0;
    for (const st of states) {
      const page = await client.listAlerts({ state: st, ...(severity !== '' ? { severity } : {}), limit: MAX_PAGE_SIZE });
      items.push(...page.items);
      more += page.total - page.items.length;
    }
    if (focusId !== null && !items.some((a) => a.id === focusId)) {
      try {
        items.push(await client.getAlert(focusId));
      } catch {
        // A stale link to a deleted alert: the list still shows.
      }
    }
    return { items: items.sort(order), more };
  }, [client, state, severity, focusId]);
  useLiveRefetch(list.reload);

  const items = list.data?.items;
  // Forget selections of alerts no longer shown (resolved by a scan, filtered away).
  const visibleIds = useMemo(() => new Set((items ?? []).map((a) => a.id)), [items]);
  const chosen = [...selected].filter((id) => visibleIds.has(id));

  const focusRef = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focusId !== null && items !== undefined) focusRef.current?.scrollIntoView({ block: 'center' });
  }, [focusId, items !== undefined]);

  const run = async (ids: number[], action: 'acknowledge' | 'resolve'): Promise<void> => {
    setBusy(true);
    setActionError(null);
    try {
      for (const id of ids) await (action === 'acknowledge' ? client.acknowledgeAlert(id) : client.resolveAlert(id));
      setSelected((s) => new Set([...s].filter((id) => !ids.includes(id))));
    } catch (e) {
      setActionError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  const toggle = (set: Set<number>, id: number): Set<number> => {
    const next = new Set(set);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  };
  const chosenAlerts = (items ?? []).filter((a) => chosen.includes(a.id));
  const allChosen = items !== undefined && items.length > 0 && chosen.length === items.length;

  return (
    <>
      <h1 className="screen-title">Alerts</h1>
      <div className="toolbar">
        <label className="field">
          State
          <select value={state} onChange={(e) => setState(e.target.value as AlertState | '')}>
            <option value="">All (open first)</option>
            {ALERT_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <SeveritySelect value={severity} onChange={setSeverity} />
        <div className="actions bulk">
          <label className="check">
            <input
              type="checkbox"
              checked={allChosen}
              disabled={items === undefined || items.length === 0}
              onChange={() => setSelected(allChosen ? new Set() : new Set((items ?? []).map((a) => a.id)))}
            />
            Select all shown
          </label>
          <button type="button" className="button" disabled={busy || !chosenAlerts.some((a) => a.state === 'open')} onClick={() => void run(chosenAlerts.filter((a) => a.state === 'open').map((a) => a.id), 'acknowledge')}>
            Acknowledge selected
          </button>
          <button type="button" className="button" disabled={busy || !chosenAlerts.some((a) => a.state !== 'resolved')} onClick={() => void run(chosenAlerts.filter((a) => a.state !== 'resolved').map((a) => a.id), 'resolve')}>
            Resolve selected
          </button>
          <span className="muted" aria-live="polite">
            {chosen.length > 0 ? `${chosen.length} selected` : ''}
          </span>
        </div>
      </div>
      {busy && <Loading label="Updating alerts…" />}
      {actionError !== null && <ErrorState error={actionError} />}

      {items === undefined ? (
        list.error !== undefined ? <ErrorState error={list.error} onRetry={list.reload} /> : <Loading />
      ) : (
        <>
          {list.error !== undefined && <ErrorState error={list.error} onRetry={list.reload} />}
          {items.length === 0 ? (
            state === '' && severity === '' ? (
              <Empty title="No alerts.">MCP Warden raises an alert when a client config, a server's launch or its tools change, or a finding needs a look.</Empty>
            ) : (
              <Empty title={`No ${state === '' ? '' : `${state} `}alerts${severity === '' ? '' : ` of severity ${severity}`}.`}>Change the filters to see other alerts.</Empty>
            )
          ) : (
            <ul className="alert-list" aria-label="Alerts">
              {items.map((a) => (
                <AlertRow
                  key={a.id}
                  alert={a}
                  ref={a.id === focusId ? focusRef : undefined}
                  selected={selected.has(a.id)}
                  expanded={expanded.has(a.id)}
                  busy={busy}
                  onSelect={() => setSelected((s) => toggle(s, a.id))}
                  onExpand={() => setExpanded((s) => toggle(s, a.id))}
                  onAcknowledge={() => void run([a.id], 'acknowledge')}
                  onResolve={() => void run([a.id], 'resolve')}
                />
              ))}
            </ul>
          )}
          {list.data !== undefined && list.data.more > 0 && <p className="muted">{list.data.more} more alerts are not shown: narrow the list with the filters.</p>}
        </>
      )}
    </>
  );
}

interface AlertRowProps {
  alert: Alert;
  ref?: Ref<HTMLLIElement> | undefined;
  selected: boolean;
  expanded: boolean;
  busy: boolean;
  onSelect: () => void;
  onExpand: () => void;
  onAcknowledge: () => void;
  onResolve: () => void;
}

function AlertRow(props: AlertRowProps) {
  const a = props.alert;
  const rows = props.expanded ? rowsFromAlert(a) : [];
  const detailsId = `alert-details-${a.id}`;
  return (
    <li data-testid="alert-row" data-alert-id={a.id} data-state={a.state} ref={props.ref} className={`alert-row state-${a.state}`}>
      <div className="alert-main">
        <input type="checkbox" aria-label={`Select alert ${a.id}`} checked={props.selected} onChange={props.onSelect} />
        <SeverityBadge severity={a.severity} />
        <span className="alert-title">{a.title}</span>
        <span className="alert-meta">
          {a.server_id !== null ? <a href={serverHref(a.server_id)}>{a.server_name ?? a.server_id}</a> : a.client !== null ? <span className="muted">{a.client}</span> : null}
          <time dateTime={a.created_at}>{formatTime(a.created_at)}</time>
          <span className={`pill alert-state-${a.state}`}>{a.state}</span>
        </span>
        <span className="actions alert-actions">
          <button type="button" className="button small" aria-expanded={props.expanded} aria-controls={detailsId} onClick={props.onExpand}>
            {props.expanded ? 'Hide details' : 'Show details'}
          </button>
          {a.state === 'open' && (
            <button type="button" className="button small" disabled={props.busy} onClick={props.onAcknowledge}>
              Acknowledge
            </button>
          )}
          {a.state !== 'resolved' && (
            <button type="button" className="button small" disabled={props.busy} onClick={props.onResolve}>
              Resolve
            </button>
          )}
        </span>
      </div>
      <div id={detailsId} className="alert-details" hidden={!props.expanded}>
        {props.expanded && (
          <>
            <dl className="kv">
              <dt>Alert</dt>
              <dd>
                #{a.id} · {a.type}
              </dd>
              {a.config_path !== null && (
                <>
                  <dt>Config file</dt>
                  <dd className="mono">{a.config_path}</dd>
                </>
              )}
              <dt>Updated</dt>
              <dd>{formatTime(a.updated_at)}</dd>
              {a.resolved_reason !== null && (
                <>
                  <dt>Resolved because</dt>
                  <dd>{a.resolved_reason}</dd>
                </>
              )}
            </dl>
            {rows.length > 0 ? <DiffView rows={rows} /> : <pre className="command">{JSON.stringify(a.details, null, 2)}</pre>}
          </>
        )}
      </div>
    </li>
  );
}
