import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

interface TrustJson { trust: { score: number; capped_by: string | null; factors: { factor: string; contribution: number }[] } }

test('attest, tamper, scan re-verifies, restore, export and verify offline, and the trust score follows', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  const work = tempDir(t, 'mcp-warden-server-');
  const script = path.join(work, 'server.js');
  const original = '// a tiny MCP server stand-in\nprocess.stdin.resume();\n';
  writeFileSync(script, original);
  const run = (...args: string[]) => cli(['--home', home, ...args], { env });
  const json = <T>(...args: string[]) => JSON.parse(run(...args, '--json').stdout) as T;
  writeByRename(claudeDesktop, claudeDesktopConfig({ tool: { command: process.execPath, args: [script] } }));

  assert.equal(run('scan').code, 0);
  assert.equal(run('mcp', 'approve', 'tool').code, 0);
  const out = path.join(work, 'tool.attestation.json');
  const attested = run('mcp', 'attest', 'tool', '--out', out);
  assert.equal(attested.code, 0, attested.stderr);
  assert.match(attested.stdout, new RegExp(`script ${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sha256:[0-9a-f]{64}`));
  const keyid = /signed by (ed25519:[A-Za-z0-9+/=]+)/.exec(attested.stdout)?.[1] as string;
  assert.ok(keyid, attested.stdout);
  const healthy = json<TrustJson>('trust', 'tool');
  assert.ok(healthy.trust.factors.some((f) => f.factor === 'attestation' && f.contribution > 0), 'a valid attestation adds points');
  assert.equal(healthy.trust.factors.reduce((n, f) => n + f.contribution, 0), healthy.trust.score, 'the breakdown adds up to the score');

  // The script is replaced by one byte: the next scan re-verifies and raises one high alert naming it.
  writeFileSync(script, original.replace('tiny', 'tinY'));
  assert.equal(run('scan').code, 3);
  const failed = json<{ alerts: Alert[] }>('alerts').alerts.filter((a) => a.type === 'attestation_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.severity, 'high');
  assert.match(failed[0]?.title ?? '', new RegExp(script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const verify = run('mcp', 'verify', 'tool');
  assert.equal(verify.code, 1);
  assert.match(verify.stdout, /✗ tool: attestation \d+ FAILED: .*script/);
  const capped = json<TrustJson>('trust', 'tool');
  assert.deepEqual([capped.trust.capped_by, capped.trust.score <= 39], ['attestation_failed', true]);

  // Restored: verify passes, the alert resolves, the cap lifts.
  writeFileSync(script, original);
  const ok = run('mcp', 'verify', 'tool');
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /✓ tool: matches attestation \d+/);
  assert.equal(json<{ alerts: Alert[] }>('alerts').alerts.filter((a) => a.type === 'attestation_failed').length, 0);
  assert.equal(json<TrustJson>('trust', 'tool').trust.capped_by, null);

  // Offline: the exported envelope verifies with the public key alone; any edit fails.
  const offline = cli(['verify-file', out, '--key', keyid]);
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /is signed by ed25519:.* and intact\./);
  const envelope = JSON.parse(readFileSync(out, 'utf8')) as { payload: string };
  const payload = Buffer.from(envelope.payload, 'base64').toString('utf8').replace(original.length > 0 ? 'server.js' : '', 'server.jS');
  writeFileSync(out, JSON.stringify({ ...envelope, payload: Buffer.from(payload).toString('base64') }));
  const tampered = cli(['verify-file', out, '--key', keyid]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stderr, /^mcp-warden: .+\n$/);
  const noKey = cli(['verify-file', out]);
  assert.equal(noKey.code, 2);
});
