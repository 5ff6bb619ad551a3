/** The text form of a trust score, for `mcp-warden trust <name>` (the --json form is the TrustScore itself). */
import type { TrustScore } from './score.ts';

const num = (x: number, digits: number): string => x.toFixed(digits);

export function formatTrust(name: string, trust: TrustScore): string {
  const lines: string[] = [];
  lines.push(`${name}: trust ${trust.score}/100 (${trust.band})`);
  if (trust.capped_by !== null) {
    const cap = trust.caps.find((c) => c.cap === trust.capped_by);
    lines.push(`Capped at ${cap?.limit ?? trust.score} because ${cap?.label ?? trust.capped_by}; the factors alone give ${trust.uncapped_score}.`);
  }
  for (const cap of trust.caps) {
    if (cap.cap === trust.capped_by) continue;
    lines.push(`Cap ${cap.limit} applies too (${cap.label}) but does not lower the score.`);
  }
  lines.push('');
  const labelWidth = Math.max(6, ...trust.factors.map((f) => f.label.length));
  lines.push(`${'FACTOR'.padEnd(labelWidth)}  VALUE  WEIGHT  POINTS`);
  for (const f of trust.factors) {
    lines.push(`${f.label.padEnd(labelWidth)}  ${num(f.value, 2).padStart(5)}  ${num(f.effective_weight, 1).padStart(6)}  ${String(f.contribution).padStart(6)}`);
    for (const e of f.evidence) lines.push(`${' '.repeat(labelWidth + 2)}- ${e}`);
  }
  lines.push(`${'Total'.padEnd(labelWidth)}  ${' '.repeat(5)}  ${num(100, 1).padStart(6)}  ${String(trust.uncapped_score).padStart(6)}`);
  if (trust.excluded.length > 0) {
    lines.push('', 'Not scored (no data; their weight went to the others):');
    for (const x of trust.excluded) lines.push(`- ${x.label} (weight ${x.weight}): ${x.reason}`);
  }
  for (const cap of trust.caps) for (const e of cap.evidence) lines.push(`Cap evidence: ${e}`);
  return `${lines.join('\n')}\n`;
}
