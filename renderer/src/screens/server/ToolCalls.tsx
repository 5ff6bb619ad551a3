/**
 * "Latest tool calls" on the server detail: the newest `tool.called` audit events the launcher wrote
 * for this server (tool, how long, error and how it ended, blocked, undeclared, which argument keys:
 * never values).
 */
import type { ToolCallOutcome } from '../../../../core/api/launcher.ts';
import type { ToolCallView } from '../../../../core/api/rest.ts';
import { ErrorState, formatTime, Loading } from '../../components/index.ts';
import { useAsync, useClient, useLiveRefetch } from '../../state/index.ts';

/** Outcomes other than a plain error say what happened beside the "yes". */
const OUTCOME_SHOWN: Partial<Record<ToolCallOutcome, string>> = {
  blocked: 'yes (blocked)',
  too_large: 'yes (answer too large)',
  timeout: 'yes (timed out)',
  no_answer: 'yes (no answer)',
  interrupted: 'yes (launcher stopped)',
};

const yesNo = (value: boolean | undefined): string => (value === true ? 'yes' : 'no');

function duration(ms: number | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function ToolCalls(props: { serverId: string }) {
  const client = useClient();
  const calls = useAsync(() => client.toolCalls(props.serverId, { limit: 20 }), [client, props.serverId]);
  useLiveRefetch(calls.reload);

  if (calls.data === undefined) return calls.error !== undefined ? <ErrorState error={calls.error} onRetry={calls.reload} /> : <Loading />;
  const items: ToolCallView[] = calls.data.items;
  if (items.length === 0) return <p className="muted">No tool calls recorded yet: attach the server to a client to see them.</p>;
  return (
    <table className="table tool-calls" data-testid="tool-calls">
      <caption className="visually-hidden">The latest tool calls through the launcher, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Tool</th>
          <th scope="col" className="num">
            Duration
          </th>
          <th scope="col">Error</th>
          <th scope="col">Blocked</th>
          <th scope="col">Undeclared</th>
          <th scope="col">Argument keys</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.seq} data-testid="tool-call">
            <td>{formatTime(c.at)}</td>
            <td className="mono">{c.tool}</td>
            <td className="num">{duration(c.duration_ms)}</td>
            <td>{c.error === true ? <strong>{OUTCOME_SHOWN[c.outcome] ?? 'yes'}</strong> : 'no'}</td>
            <td>{yesNo(c.blocked)}</td>
            <td>{yesNo(c.undeclared)}</td>
            <td className="mono">{(c.argument_keys ?? []).length === 0 ? '—' : (c.argument_keys ?? []).join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
