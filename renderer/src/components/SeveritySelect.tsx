import { SEVERITIES, type Severity } from '../../../core/api/alert.ts';

/**
 * The "Severity" filter of the registry and the alerts list: All, or a minimum severity (both APIs
 * read `severity` as "this one and worse"), highest first.
 */
export function SeveritySelect(props: { value: Severity | ''; onChange: (value: Severity | '') => void }) {
  return (
    <label className="field">
      Severity
      <select value={props.value} onChange={(e) => props.onChange(e.target.value as Severity | '')}>
        <option value="">All</option>
        {[...SEVERITIES].reverse().map((s) => (
          <option key={s} value={s}>
            {s === 'critical' ? 'critical' : `${s} or worse`}
          </option>
        ))}
      </select>
    </label>
  );
}
