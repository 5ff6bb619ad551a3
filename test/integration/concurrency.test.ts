import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.ts';
import { countRows } from '../helpers/db.ts';

function addMany(home: string, prefix: string, count: number): Promise<{ code: number | null; stderr: string; first: number; last: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'test', 'helpers', 'add-many.ts'), home, prefix, String(count)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr, ...(code === 0 ? (JSON.parse(stdout) as { first: number; last: number }) : { first: 0, last: 0 }) }));
  });
}

test('two processes adding 200 servers each to one new data directory at once: 400 rows, no error', async (t) => {
  const home = tempDir(t);
  const [a, b] = await Promise.all([addMany(home, 'alpha', 200), addMany(home, 'beta', 200)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(a.stderr + b.stderr, '');
  // The two runs really overlapped in time, so the writes contended.
  assert.ok(a.first < b.last && b.first < a.last, `no overlap: ${JSON.stringify({ a, b })}`);
  assert.equal(countRows(home, 'servers'), 400);
});
