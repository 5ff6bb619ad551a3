import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { binOf } from '../probe/helpers.ts';

const SERVERS = path.join(ROOT, 'test', 'fixtures', 'servers');
type Probe = { name: string; ok: boolean; category?: string; pinned?: boolean; diff?: { added: { key: string }[]; changed: { key: string; fields: { path: string; before: unknown; after: unknown }[] }[] } | null; tools?: { name: string }[] };

test('mcp probe: pins on the first probe, then a changed tool list is a diff and an alert until approved', (t) => {
  const home = tempDir(t);
  const state = path.join(tempDir(t, 'mcp-warden-state-'), 'runs');
  const run = (...args: string[]) => cli(['--home', home, ...args]);
  const probes = (...args: string[]) => (JSON.parse(run('mcp', 'probe', ...args, '--json').stdout) as { probes: Probe[] }).probes;
  const alerts = () => (JSON.parse(run('alerts', '--json').stdout) as { alerts: Alert[] }).alerts;

  assert.equal(run('mcp', 'add', 'everything', 'stdio', '--command', process.execPath, '--arg', binOf('@modelcontextprotocol/server-everything')).code, 0);
  assert.equal(run('mcp', 'add', 'rug', 'stdio', '--command', process.execPath, '--arg', path.join(SERVERS, 'changing-tools.mjs'), '--env', `STATE_FILE=${state}`, '--capabilities', 'fetch').code, 0);
  assert.equal(run('mcp', 'add', 'poisoned', 'stdio', '--command', process.execPath, '--arg', path.join(SERVERS, 'poisoned.mjs')).code, 0);

  const first = probes('--all');
  assert.deepEqual(first.map((p) => [p.name, p.ok, p.pinned]), [['everything', true, true], ['poisoned', true, true], ['rug', true, true]]);
  assert.ok(first[0]?.tools?.some((tool) => tool.name === 'echo'), 'server-everything has an echo tool');
  const poisoned = alerts().filter((a) => a.type === 'poisoned_definition');
  assert.ok(poisoned.some((a) => a.server_name === 'poisoned' && a.severity === 'critical' && JSON.stringify(a.details).includes('ignore previous instructions')), JSON.stringify(poisoned.map((a) => a.title)));

  // A false positive is silenced for one server by allowing exactly that rule (audited), and back.
  const rule = poisoned.find((a) => a.server_name === 'poisoned')?.details.rule as string;
  const allowed = run('mcp', 'allow-rule', 'poisoned', rule);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(alerts().some((a) => a.server_name === 'poisoned' && a.details.rule === rule), false, 'the allowed rule no longer alerts');
  assert.equal(run('mcp', 'allow-rule', 'poisoned', rule).code, 1, 'allowing twice is refused');
  assert.equal(run('mcp', 'allow-rule', 'poisoned', 'no-such-rule').code, 2);
  assert.equal(run('mcp', 'disallow-rule', 'poisoned', rule).code, 0);
  assert.ok(alerts().some((a) => a.server_name === 'poisoned' && a.details.rule === rule), 'disallowing brings the alert back');
  const audit = (JSON.parse(run('audit', '--json', '--server', 'poisoned').stdout) as { events: { type: string }[] }).events.map((e) => e.type);
  assert.ok(audit.includes('rule.allowed') && audit.includes('rule.disallowed'));

  // The second run of the rug-pull server changes fetch's description and adds a tool.
  const second = probes('rug');
  assert.equal(second[0]?.ok, true);
  assert.deepEqual(second[0]?.diff?.added.map((e) => e.key), ['exfiltrate']);
  assert.deepEqual(second[0]?.diff?.changed[0]?.fields.map((f) => [f.path, f.before]), [['description', 'Fetches a URL and returns its text.']]);
  assert.match(String(second[0]?.diff?.changed[0]?.fields[0]?.after), /~\/\.aws\/credentials/);
  const rug = alerts().filter((a) => a.server_name === 'rug');
  const changed = rug.find((a) => a.type === 'definition_changed');
  assert.equal(changed?.severity, 'high', 'a changed description touching files and credentials is high');
  assert.ok(rug.some((a) => a.type === 'undeclared_capability' && a.details.tool === 'exfiltrate'), 'exfiltrate was never declared');
  const shown = run('mcp', 'show', 'rug');
  assert.match(shown.stdout, /Pinned tool:\s+fetch {2}sha256:[0-9a-f]{16}/);
  assert.match(shown.stdout, /Last diff:\s+\{"added":\[\{"kind":"tool","key":"exfiltrate"/);

  // Approving accepts the definitions the latest probe saw: the diff alert resolves.
  assert.equal(run('mcp', 'approve', 'rug').code, 0);
  assert.equal(alerts().some((a) => a.type === 'definition_changed' && a.server_name === 'rug'), false);
  const third = probes('rug');
  assert.deepEqual([third[0]?.diff?.added.length, third[0]?.diff?.changed.length], [0, 0], 'the new pin matches');
  const trust = JSON.parse(run('trust', 'rug', '--json').stdout) as { trust: { score: number; factors: { factor: string; contribution: number }[] } };
  assert.equal(trust.trust.factors.reduce((n, f) => n + f.contribution, 0), trust.trust.score);
});

test('mcp probe: a discovered server is not started without consent, and failures say why', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  writeByRename(claudeDesktop, claudeDesktopConfig({ found: { command: process.execPath, args: [path.join(SERVERS, 'well-behaved.mjs')] } }));
  const run = (...args: string[]) => cli(['--home', home, ...args], { env });
  assert.equal(run('scan').code, 0);
  const refused = run('mcp', 'probe', 'found');
  assert.equal(refused.code, 1);
  assert.match(refused.stdout, /✗ found: consent_required: .*approve/);
  const consented = run('mcp', 'probe', 'found', '--yes', '--json');
  assert.equal(consented.code, 0, consented.stderr);
  assert.equal((JSON.parse(consented.stdout) as { probes: Probe[] }).probes[0]?.pinned, false, 'a discovered server is not pinned until approved');
  // The probe-consent setting: `allow` starts discovered servers without --yes; back to `ask`, refused again.
  assert.equal(run('settings', 'set', 'probe-consent', 'allow').code, 0);
  const allowed = run('mcp', 'probe', 'found', '--json');
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal((JSON.parse(allowed.stdout) as { probes: Probe[] }).probes[0]?.ok, true);
  assert.equal(run('settings', 'set', 'probe-consent', 'ask').code, 0);
  assert.match(run('mcp', 'probe', 'found').stdout, /consent_required/);

  assert.equal(run('mcp', 'add', 'dies', 'stdio', '--command', process.execPath, '--arg', path.join(SERVERS, 'exit-at-once.mjs')).code, 0);
  const died = run('mcp', 'probe', 'dies');
  assert.equal(died.code, 1);
  assert.match(died.stdout, /✗ dies: exited: .*\n {2}stderr: /);
  for (const [args, message] of [[['mcp', 'probe'], /Name one server to probe, or pass --all\./], [['mcp', 'probe', 'dies', '--timeout', 'soon'], /--timeout takes seconds/]] as const) {
    const bad = run(...args);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, message);
  }
});
