// CLI cold start: `mcp-warden mcp list --json` on an empty registry, median of 20 runs, as a ratio
// to `node -e 0` measured in the same run, interleaved. Goal: ratio <= 3.
// Run: node bench/cli-cold-start.ts   (after npm run build:cli)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine, median, round, timeRun } from './lib/stats.ts';

const RUNS = 20;
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'mcp-warden.mjs');
const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-'));
const cliArgs = [bin, '--home', home, 'mcp', 'list', '--json'];
try {
  // First run creates the database and fills the compile cache, as any installed CLI has done.
  timeRun(process.execPath, cliArgs);
  timeRun(process.execPath, ['-e', '0']);
  const cli: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(timeRun(process.execPath, ['-e', '0']).ms);
    cli.push(timeRun(process.execPath, cliArgs).ms);
  }
  const ratio = median(cli) / median(bare);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'cli-cold-start',
      command: 'mcp-warden mcp list --json (empty registry)',
      runs: RUNS,
      median_ms: round(median(cli)),
      min_ms: round(Math.min(...cli)),
      baseline: { command: 'node -e 0', median_ms: round(median(bare)), min_ms: round(Math.min(...bare)) },
      ratio: round(ratio),
      goal: { max_ratio: 3 },
      meets_goal: ratio <= 3,
      machine: machine(),
    }, null, 2)}\n`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
