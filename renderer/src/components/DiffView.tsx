/**
 * A side-by-side diff: one row per changed thing, "Before" and "After" columns (`data-testid="diff"`).
 * Within a row, the part that differs is marked (<del>/<ins>) after trimming the common start and end,
 * which is what a drifted tool description or a changed argument needs. The helpers below turn the
 * shapes core produces (PinDiff, alert details, attestation differences) into rows.
 */
import type { ReactElement } from 'react';
import type { Alert } from '../../../core/api/alert.ts';
import type { PinDiff } from '../../../core/api/pin.ts';
import { showValue } from './format.ts';

export interface DiffRow {
  /** What changed, for a person: "tool read_file: description", "command". */
  label: string;
  /** undefined = did not exist (an added entry); null = empty. */
  before: unknown;
  after: unknown;
  /** Why a value is missing, when core says. */
  note?: string;
}

export interface DiffViewProps {
  rows: DiffRow[];
  /** The table caption ("Changes since the pin"); read out by screen readers. */
  caption?: string;
}

export function DiffView(props: DiffViewProps) {
  if (props.rows.length === 0) return <p className="muted">No differences.</p>;
  return (
    <div className="diff-wrap">
      <table className="diff" data-testid="diff">
        {props.caption !== undefined && <caption>{props.caption}</caption>}
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => {
            const [before, after] = marked(row.before, row.after);
            return (
              <tr key={`${row.label}-${i}`}>
                <th scope="row" className="diff-label">
                  {row.label}
                  {row.note !== undefined && <span className="diff-note">{row.note}</span>}
                </th>
                <td className="diff-before">{before}</td>
                <td className="diff-after">{after}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function text(value: unknown): string {
  return value === undefined ? '(absent)' : showValue(value);
}

/** Both sides with the differing middle marked; absent sides shown as "(absent)". */
function marked(before: unknown, after: unknown): [ReactElement, ReactElement] {
  const a = text(before);
  const b = text(after);
  if (before === undefined || after === undefined || a === b) {
    return [<pre className={before === undefined ? 'diff-absent' : 'diff-del-all'}>{a}</pre>, <pre className={after === undefined ? 'diff-absent' : 'diff-ins-all'}>{b}</pre>];
  }
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const mid = (s: string): string => s.slice(start, s.length - end);
  return [
    <pre>
      {a.slice(0, start)}
      {mid(a) !== '' && <del>{mid(a)}</del>}
      {a.slice(a.length - end)}
    </pre>,
    <pre>
      {b.slice(0, start)}
      {mid(b) !== '' && <ins>{mid(b)}</ins>}
      {b.slice(b.length - end)}
    </pre>,
  ];
}

const KIND_LABEL: Record<string, string> = { tool: 'tool', prompt: 'prompt', resource: 'resource', resource_template: 'resource template' };

/** The rows of a pin diff: added and removed entries, changed fields, instructions, launch. */
export function rowsFromPinDiff(diff: PinDiff): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const c of diff.changed) for (const f of c.fields) rows.push({ label: `${KIND_LABEL[c.kind] ?? c.kind} ${c.key}: ${f.path}`, before: f.before, after: f.after });
  for (const a of diff.added) rows.push({ label: `${KIND_LABEL[a.kind] ?? a.kind} ${a.key} added`, before: undefined, after: a.definition });
  for (const r of diff.removed) rows.push({ label: `${KIND_LABEL[r.kind] ?? r.kind} ${r.key} removed`, before: r.definition, after: undefined });
  if (diff.instructions !== null) rows.push({ label: 'instructions', before: diff.instructions.before, after: diff.instructions.after });
  if (diff.launch_changed) rows.push({ label: 'launch fingerprint', before: 'pinned launch', after: 'a different launch (command, arguments, URL or environment names)' });
  return rows;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The rows an alert's details hold, or [] when it has no before/after: launch_changed
 * (`details.fields[field].before/after`), definition_changed (`details.diff`, a PinDiff),
 * attestation_failed (`details.differences`), env_changed / executable_changed (`details.before/after`).
 */
export function rowsFromAlert(alert: Pick<Alert, 'type' | 'details'>): DiffRow[] {
  const d = alert.details;
  if (isRecord(d.fields)) {
    return Object.entries(d.fields).filter(([, v]) => isRecord(v)).map(([field, v]) => ({ label: field, before: (v as Record<string, unknown>).before, after: (v as Record<string, unknown>).after }));
  }
  if (isRecord(d.diff) && Array.isArray(d.diff.changed)) return rowsFromPinDiff(d.diff as unknown as PinDiff);
  if (Array.isArray(d.differences)) {
    return d.differences.filter(isRecord).map((x) => ({
      label: typeof x.label === 'string' ? x.label : String(x.field),
      before: x.before,
      after: x.after,
      ...(typeof x.note === 'string' ? { note: x.note } : {}),
    }));
  }
  if ('before' in d || 'after' in d) {
    const label = alert.type === 'executable_changed' ? 'executable sha256' : alert.type === 'env_changed' ? 'environment variable names' : 'value';
    return [{ label, before: d.before, after: d.after }];
  }
  return [];
}
