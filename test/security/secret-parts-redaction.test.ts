// Finding 16 of issue 11: redaction matched only whole secrets, so a server that put a 20-character
// prefix of its token in a tool name had it stored (probe, pin, audit) and returned by every
// command and endpoint. Replayed with the built CLI, the real keychain and a real hostile server
// that leaks its token in pieces and encodings.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cli, ROOT, tempDir, type CliResult } from '../helpers/cli.ts';
import { filesContaining } from '../helpers/secrets.ts';

// 40 characters with '/', '+' and '=' so that URL encoding changes it.
const TOKEN = 'tok_9fK2/xQ+7mZ=Lp4Wv8Rb3Nc6Hd1Jy5Ts0Ue';
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** Every form of a piece of the token the server sends, as it would appear if unredacted. */
const LEAKS: Record<string, string> = {
  'prefix (20 characters)': TOKEN.slice(0, 20),
  'prefix, 8 characters': TOKEN.slice(0, 8),
  'JSON-escaped': JSON.stringify(TOKEN).slice(1, -1),
  'base64 of user:token, the token part': b64(`user:${TOKEN}`).slice(8, 40),
  'URL-encoded': encodeURIComponent(TOKEN),
  'URL-encoded prefix': encodeURIComponent(TOKEN.slice(0, 12)),
  'hex of a middle run': Buffer.from(TOKEN.slice(5, 29)).toString('hex'),
  'last 12 characters': TOKEN.slice(-12),
};

test('parts and encodings of a keychain secret that a server sends back are redacted from every output and every file', (t) => {
  const home = tempDir(t);
  const outputs: CliResult[] = [];
  const run = (args: string[], input?: string): CliResult => {
    const r = cli(['--home', home, ...args], { input });
    outputs.push(r);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  run(['secrets', 'add', 'api-token'], TOKEN);
  run(['mcp', 'add', 'pieces', 'stdio', '--command', process.execPath, '--arg', path.join(ROOT, 'test', 'fixtures', 'servers', 'secret-pieces.mjs'), '--env', 'API_TOKEN={{secret:api-token}}']);
  run(['mcp', 'probe', 'pieces', '--yes']);
  const probed = JSON.parse(run(['mcp', 'probe', 'pieces', '--yes', '--json']).stdout) as { probes: { ok: boolean; tools: { name: string; description: string }[]; instructions: string; stderr: string }[] };
  const result = probed.probes[0];
  assert.equal(result?.ok, true);
  // The server really did leak: what it sent is there, with the pieces replaced.
  assert.deepEqual(result.tools.map((tool) => tool.name).sort(), ['b64', 'hex', 'lookup_[redacted part of secret api-token]', 'url']);
  assert.equal(result.instructions, 'Use [redacted secret api-token] wisely.');
  assert.match(result.stderr, /^pieces: tail \[redacted part of secret api-token\]$/m);
  assert.match(result.tools.find((tool) => tool.name === 'url')?.description ?? '', /^https:\/\/example\.com\/cb\?t=\[redacted secret api-token\]$/);
  assert.match(result.tools.find((tool) => tool.name === 'b64')?.description ?? '', /^Authorization: Basic dXNlcjp\S{0,4}\[redacted part of secret api-token\]\S{0,4}$/);
  assert.match(result.tools.find((tool) => tool.name === 'hex')?.description ?? '', /^trace \[redacted part of secret api-token\]$/);
  run(['mcp', 'show', 'pieces']);
  run(['mcp', 'show', 'pieces', '--json']);
  run(['audit', '--json']);
  run(['alerts', '--state', 'all', '--json']);

  for (const [what, leak] of Object.entries(LEAKS)) {
    for (const output of outputs) assert.ok(!output.stdout.includes(leak) && !output.stderr.includes(leak), `an output holds the ${what}: ${leak}`);
    assert.deepEqual(filesContaining(home, leak), [], `files of the data directory hold the ${what}`);
  }
});
