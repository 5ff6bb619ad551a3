import type { Severity } from '../../../core/api/alert.ts';

/** An alert severity as text on a colour ("high"); the text carries the meaning, the colour only helps. */
export function SeverityBadge(props: { severity: Severity }) {
  return <span className={`severity severity-${props.severity}`}>{props.severity}</span>;
}
