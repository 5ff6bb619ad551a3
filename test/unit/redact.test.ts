import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { test } from 'node:test';
import type { DiscoveredServer } from '../../core/api/discovery.ts';
import { digestValue, REDACTED, redactEntry } from '../../core/discovery/redact.ts';

const key = createSecretKey(Buffer.alloc(32, 7));
const entry = (over: Partial<DiscoveredServer>): DiscoveredServer => ({
  key: 'x', pointer: '/mcpServers/x', transport: 'http', command: null, args: [], cwd: null, url: null, headers: {}, env: {}, disabled: false, ...over,
});

test('redaction keeps what is not secret exactly as written and digests what is', () => {
  assert.equal(redactEntry(entry({ url: 'https://mcp.stripe.com' }), key, new Set()).url, 'https://mcp.stripe.com', 'no trailing slash added');
  assert.equal(redactEntry(entry({ url: 'https://h.example/mcp?api_key=sk1&x=1' }), key, new Set(['url.query.api_key'])).url, `https://h.example/mcp?api_key=${encodeURIComponent(digestValue(key, 'sk1'))}&x=1`);
  const withCredentials = redactEntry(entry({ url: 'https://user:hunter2@h.example/mcp' }), key, new Set()).url ?? '';
  assert.ok(!withCredentials.includes('hunter2') && !withCredentials.includes('user:'), withCredentials);
  assert.equal(redactEntry(entry({ url: 'https://hooks.example/T1/B2/secret' }), key, new Set(['url'])).url, digestValue(key, 'https://hooks.example/T1/B2/secret'));

  const stdio = redactEntry(
    entry({ transport: 'stdio', command: '/opt/tool', args: ['--token', 'ghp_x', '--verbose'], env: { A: 'plain', B: '${env:B}', C: '{{secret:c}}', D: '' }, headers: { Authorization: 'Bearer t', X: '${input:x}' } }),
    key,
    new Set(['args[1]']),
  );
  assert.deepEqual(stdio.args, ['--token', digestValue(key, 'ghp_x'), '--verbose']);
  assert.match(stdio.env.A ?? '', REDACTED, 'env values are always digested');
  assert.deepEqual([stdio.env.B, stdio.env.C, stdio.env.D], ['${env:B}', '{{secret:c}}', ''], 'references and empty values are kept');
  assert.match(stdio.headers.Authorization ?? '', REDACTED);
  assert.equal(stdio.headers.X, '${input:x}');
  assert.equal(redactEntry(entry({ transport: 'stdio', command: '/opt/sk-secret/tool' }), key, new Set(['command'])).command, digestValue(key, '/opt/sk-secret/tool'));
  assert.notEqual(digestValue(key, 'a'), digestValue(createSecretKey(Buffer.alloc(32, 8)), 'a'), 'the digest depends on the database key');
});
