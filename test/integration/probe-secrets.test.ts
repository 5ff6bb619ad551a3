import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, ROOT, tempDir, type CliResult } from '../helpers/cli.ts';

test('a keychain secret injected into a probed server reaches it, and no file of the data directory or any output', (t) => {
  const home = tempDir(t);
  const secret = `sk-${'Ab3Cd5Ef7Gh9'.repeat(4)}`;
  const outputs: CliResult[] = [];
  const run = (args: string[], input?: string) => {
    const r = cli(['--home', home, ...args], { input });
    outputs.push(r);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  run(['secrets', 'add', 'api-token'], secret);
  // ECHO_RAW makes the server put the raw value in its tool description and on stderr.
  run(['mcp', 'add', 'echo', 'stdio', '--command', process.execPath, '--arg', path.join(ROOT, 'test', 'fixtures', 'servers', 'env-echo.mjs'), '--env', 'API_TOKEN={{secret:api-token}}', '--env', 'ECHO_RAW=1']);
  const probed = JSON.parse(run(['mcp', 'probe', 'echo', '--json']).stdout) as { probes: { ok: boolean; tools: { description: string }[] }[] };
  assert.equal(probed.probes[0]?.ok, true);
  const report = JSON.parse(probed.probes[0]?.tools[0]?.description ?? '{}') as { keys: string[]; token_sha256: string; raw: string };
  assert.ok(report.keys.includes('API_TOKEN'), 'the secret reached the server environment');
  assert.match(report.raw, /^\[redacted secret api-token\]$/, 'the echoed value was redacted');
  run(['mcp', 'show', 'echo', '--json']);
  run(['audit', '--json']);

  for (const entry of readdirSync(home, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(home, entry);
    if (statSync(file).isFile()) assert.ok(!readFileSync(file).includes(Buffer.from(secret)), `${entry} holds the secret`);
  }
  for (const output of outputs) assert.ok(!output.stdout.includes(secret) && !output.stderr.includes(secret), 'an output holds the secret');
});
