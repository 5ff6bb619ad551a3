// `npm run bench`: runs every benchmark under bench/ and prints one JSON document of their results.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const results = {};
for (const file of readdirSync(here).filter((f) => f.endsWith('.ts')).sort()) {
  process.stderr.write(`bench: ${file}\n`);
  const run = spawnSync(process.execPath, [path.join(here, file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
  results[file.replace(/\.ts$/, '')] = run.status === 0 ? JSON.parse(run.stdout) : { error: `exit ${run.status}` };
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
