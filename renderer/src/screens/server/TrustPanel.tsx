/** Trust score: the number, the factor breakdown (what each factor gave and why) and the history chart. */
import type { TrustResponse } from '../../../../core/api/rest.ts';
import { formatTime, TrustBadge } from '../../components/index.ts';

export function TrustPanel(props: { trust: TrustResponse }) {
  const t = props.trust.trust;
  return (
    <>
      <p className="trust-summary">
        <TrustBadge trust={{ score: t.score, band: t.band }} size="large" />
        <span>
          <span data-testid="trust-score" className="trust-number">
            {t.score}
          </span>{' '}
          of 100, {t.band} band
          {t.capped_by !== null && (
            <span className="muted">
              {' '}
              (capped from {t.uncapped_score}: {t.caps.find((c) => c.cap === t.capped_by)?.label ?? t.capped_by})
            </span>
          )}
        </span>
      </p>
      <table className="table">
        <caption className="visually-hidden">Trust score factors</caption>
        <thead>
          <tr>
            <th scope="col">Factor</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="num">
              Points
            </th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {t.factors.map((f) => (
            <tr key={f.factor}>
              <th scope="row">{f.label}</th>
              <td className="num">{Math.round(f.value * 100)}%</td>
              <td className="num">
                {f.contribution} / {Math.round(f.effective_weight)}
              </td>
              <td>
                {f.evidence.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="evidence">
                    {f.evidence.map((e, i) => (
                      <li key={i}>{e}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
          {t.excluded.map((x) => (
            <tr key={x.factor}>
              <th scope="row">{x.label}</th>
              <td className="num muted">—</td>
              <td className="num muted">not counted</td>
              <td className="muted">{x.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>History</h3>
      <TrustChart history={props.trust.history} />
    </>
  );
}

const W = 640;
const H = 160;
const PAD = { left: 32, right: 12, top: 10, bottom: 22 };

/** The score over time as one SVG line, with the band thresholds (40, 75) as guide lines. */
export function TrustChart(props: { history: { at: string; score: number }[] }) {
  const points = [...props.history].sort((a, b) => a.at.localeCompare(b.at));
  if (points.length === 0) return <p className="muted">No history yet: the score is recorded each time it changes.</p>;
  const times = points.map((p) => new Date(p.at).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (t: number): number => PAD.left + (t1 === t0 ? (W - PAD.left - PAD.right) / 2 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (score: number): number => PAD.top + (1 - score / 100) * (H - PAD.top - PAD.bottom);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]!).toFixed(1)},${y(p.score).toFixed(1)}`).join(' ');
  const firstP = points[0]!;
  const lastP = points[points.length - 1]!;
  const label = `Trust score history: ${points.length} ${points.length === 1 ? 'point' : 'points'} from ${formatTime(firstP.at)} (${firstP.score}) to ${formatTime(lastP.at)} (${lastP.score}), lowest ${Math.min(...points.map((p) => p.score))}, highest ${Math.max(...points.map((p) => p.score))}.`;
  return (
    <svg className="trust-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
      {[0, 40, 75, 100].map((v) => (
        <g key={v}>
          <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text className="chart-axis" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
            {v}
          </text>
        </g>
      ))}
      <text className="chart-axis" x={PAD.left} y={H - 4}>
        {formatTime(firstP.at)}
      </text>
      <text className="chart-axis" x={W - PAD.right} y={H - 4} textAnchor="end">
        {formatTime(lastP.at)}
      </text>
      <path className="chart-line" d={path} />
      {points.map((p, i) => (
        <circle key={i} className={`chart-dot band-${p.score >= 75 ? 'green' : p.score >= 40 ? 'amber' : 'red'}`} cx={x(times[i]!)} cy={y(p.score)} r={3.5} />
      ))}
    </svg>
  );
}
