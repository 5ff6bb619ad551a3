import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import { BIN, cli, envWith, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';

test('watch: high alerts reach stderr live, a second watcher is refused, Ctrl-C stops it cleanly', async (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  writeByRename(claudeDesktop, claudeDesktopConfig({ first: { command: 'sh', args: ['-c', 'true'] } }));
  const watcher = spawn(process.execPath, [BIN, '--home', home, 'watch'], { env: envWith(env) });
  let stdout = '';
  let stderr = '';
  watcher.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  watcher.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => watcher.on('close', resolve));
  t.after(() => watcher.kill('SIGKILL'));

  await waitFor('the watcher to start', () => stdout.includes('Press Ctrl-C to stop.'), 10_000);
  assert.match(stdout, new RegExp(`Watching \\d+ client config locations for ${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));

  const second = cli(['--home', home, 'watch'], { env });
  assert.equal(second.code, 1);
  assert.match(second.stderr, /^mcp-warden: Another MCP Warden monitor \(pid \d+ on .+\) is already watching .+: only one runs per data directory\.\n$/);

  writeByRename(claudeDesktop, claudeDesktopConfig({ first: { command: 'sh', args: ['-c', 'true'] }, second: { command: 'sh', args: ['-c', 'true'] } }));
  await waitFor('the alert on stderr', () => /\[HIGH\] New MCP server "second" appeared in Claude Desktop and is not approved \(alert \d+\)\n/.test(stderr), 10_000);
  await waitFor('the scan line on stdout', () => /claude_desktop_config\.json: 2 servers; 1 alert raised, 0 resolved\n/.test(stdout));

  watcher.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  // Stopped cleanly: the lease is released, so a new monitor may start at once.
  const after = cli(['--home', home, 'alerts', '--json'], { env });
  assert.deepEqual((JSON.parse(after.stdout) as { alerts: Alert[] }).alerts.map((a) => a.type).sort(), ['servers_to_review', 'unapproved_server']);
});

test('alerts: filters, acknowledge, resolve, and a resolved condition that still holds is not raised again', (t) => {
  const { env, claudeDesktop } = fakeHome(t);
  const home = tempDir(t);
  const run = (...args: string[]) => cli(['--home', home, ...args], { env });
  const alerts = (...args: string[]) => (JSON.parse(run('alerts', '--json', ...args).stdout) as { alerts: Alert[] }).alerts;
  writeByRename(claudeDesktop, claudeDesktopConfig({ plain: { command: 'sh', args: ['-c', 'true'] } }));
  run('scan');
  writeByRename(claudeDesktop, claudeDesktopConfig({ plain: { command: 'sh', args: ['-c', 'true'] }, unpinned: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] }, web: { url: 'http://mcp.example.com/mcp' } }));
  assert.equal(run('scan').code, 3);

  const open = alerts();
  // Raised in config order (unpinned's, then web's); listed by severity, newest first within one.
  assert.deepEqual(open.map((a) => [a.type, a.server_name]), [
    ['insecure_http', 'web'], ['unapproved_server', 'web'], ['unapproved_server', 'unpinned'], ['unpinned_package', 'unpinned'], ['servers_to_review', null],
  ]);
  assert.ok(open.every((a, i) => i === 0 || (open[i - 1] as Alert).id > a.id || (open[i - 1] as Alert).severity !== a.severity));
  assert.deepEqual(alerts('--severity', 'medium').map((a) => a.severity).sort(), ['high', 'high', 'high', 'medium']);
  assert.deepEqual(alerts('--server', 'web').map((a) => a.type).sort(), ['insecure_http', 'unapproved_server']);
  const table = run('alerts');
  assert.match(table.stdout.split('\n')[0] ?? '', /^ID\s+SEVERITY\s+STATE\s+SERVER\s+TITLE$/);

  const insecure = open.find((a) => a.type === 'insecure_http') as Alert;
  const acked = run('alerts', 'ack', String(insecure.id));
  assert.equal(acked.code, 0, acked.stderr);
  assert.match(acked.stdout, new RegExp(`^Alert ${insecure.id} acknowledged: `));
  assert.equal(alerts().find((a) => a.id === insecure.id)?.state, 'acknowledged', 'acknowledged alerts are still listed');
  const twice = run('alerts', 'ack', String(insecure.id));
  assert.equal(twice.code, 1);
  assert.equal(twice.stderr, `mcp-warden: Alert ${insecure.id} is already acknowledged.\n`);

  assert.equal(run('alerts', 'resolve', String(insecure.id)).code, 0);
  assert.equal(alerts().some((a) => a.id === insecure.id), false, 'resolved alerts leave the default list');
  assert.equal(alerts('--state', 'resolved').find((a) => a.id === insecure.id)?.resolved_reason, 'resolved by the user');
  const again = run('alerts', 'resolve', String(insecure.id));
  assert.equal(again.code, 1);
  assert.equal(again.stderr, `mcp-warden: Alert ${insecure.id} is already resolved.\n`);

  // The condition still holds, but the user resolved it: the next scan does not raise it again.
  run('scan');
  assert.equal(alerts('--state', 'all').filter((a) => a.type === 'insecure_http').length, 1);

  for (const [args, code, message] of [
    [['alerts', 'ack', 'abc'], 2, 'mcp-warden: "abc" is not an alert id: ids are whole numbers, as `mcp-warden alerts` shows.\n'],
    [['alerts', 'ack', '9999'], 1, 'mcp-warden: No alert with id 9999 exists.\n'],
    [['alerts', '--state', 'bogus'], 2, 'mcp-warden: Unknown alert state "bogus": use open, acknowledged, resolved.\n'],
    [['alerts', '--severity', 'severe'], 2, 'mcp-warden: Unknown severity "severe": use info, low, medium, high, critical.\n'],
  ] as const) {
    const result = run(...args);
    assert.deepEqual([result.code, result.stderr], [code, message], args.join(' '));
  }
});
