// Finding 18 of issue 11: a failed probe raised the trust score (50 -> 58): a probe that failed still
// counted as "watching" the server, which brought in the alert history factor at 1 and renormalised
// the others. Refusing to be probed must not pay. Replayed with the built CLI on one server whose
// script first refuses the probe (exits at once) and is then a clean MCP server.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');

test('a failed probe never gives a higher trust score than no probe; a successful probe of a clean server may', (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  const script = path.join(tempDir(t, 'mcp-warden-server-'), 'server.mjs');
  const run = (...args: string[]) => cli(['--home', home, ...args]);
  const score = (): number => {
    const listed = JSON.parse(run('mcp', 'list', '--json').stdout) as { servers: { name: string; trust_score: number | null }[] };
    return listed.servers.find((s) => s.name === 'shy')?.trust_score as number;
  };
  // Refuses to be probed in three ways, one after another: exits, writes garbage, never answers.
  const refusals = [
    "process.stderr.write('no probes here\\n'); process.exit(3);",
    "process.stdout.write('not json-rpc\\n'); setTimeout(() => {}, 60000);",
    'setTimeout(() => {}, 60000);',
  ];
  writeFileSync(script, refusals[0] as string);
  assert.equal(run('mcp', 'add', 'shy', 'stdio', '--command', process.execPath, '--arg', script).code, 0);
  const before = score();
  assert.equal(before, 50, 'registered by hand, never attested or probed');

  for (const refusal of refusals) {
    writeFileSync(script, refusal);
    const probed = run('mcp', 'probe', 'shy', '--timeout', '2');
    assert.equal(probed.code, 1, probed.stdout);
    assert.match(probed.stdout, /^✗ shy: (exited|protocol_error|timeout): /);
    assert.ok(score() <= before, `after a failed probe (${refusal}) the score is ${score()}, above ${before} with no probe`);
  }
  const { trust } = JSON.parse(run('trust', 'shy', '--json').stdout) as { trust: { score: number; excluded: { factor: string }[] } };
  assert.deepEqual([trust.score, trust.excluded.map((x) => x.factor)], [before, ['pin', 'content', 'alerts']], 'a failed probe brought in no factor');

  // Answering pays: a clean probe brings pin, content and alert history with real data.
  writeFileSync(script, `await import(${JSON.stringify(WELL_BEHAVED)});`);
  const probed = run('mcp', 'probe', 'shy');
  assert.equal(probed.code, 0, probed.stdout + probed.stderr);
  assert.ok(score() > before, `a successful clean probe scores ${score()}, not above ${before}`);
});
