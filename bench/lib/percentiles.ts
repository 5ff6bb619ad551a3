import { round } from './stats.ts';

/** Nearest-rank percentile (p in 0..100) of a non-empty sample: the smallest value with at least p% of the sample at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** p50, p90, p99 and max of a latency sample, in ms, rounded to 3 decimals. */
export function latencySummary(values: readonly number[]): { samples: number; p50_ms: number; p90_ms: number; p99_ms: number; max_ms: number; mean_ms: number } {
  return {
    samples: values.length,
    p50_ms: round(percentile(values, 50), 3),
    p90_ms: round(percentile(values, 90), 3),
    p99_ms: round(percentile(values, 99), 3),
    max_ms: round(Math.max(...values), 3),
    mean_ms: round(values.reduce((a, b) => a + b, 0) / values.length, 3),
  };
}
