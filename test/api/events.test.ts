/**
 * Server-sent events from a real `serve`: an edit to a watched client config reaches a connected
 * client as `scan` and `alert` events; API changes arrive as `registry`, probes as `probe`, and a
 * write by another process (the CLI) as `changed`.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import type { ApiEvent } from '../../core/api/rest.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, waitFor, writeByRename } from '../helpers/fake-home.ts';
import { openEvents, startServe } from '../helpers/serve.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
type Of<K extends ApiEvent['type']> = Extract<ApiEvent, { type: K }>;

test('events: a config edit reaches a connected client as scan and alert events; API changes, probes and other processes too', async (t) => {
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: [WELL_BEHAVED] } }));
  const served = await startServe(t, { fake });
  const stream = await openEvents(served);
  t.after(() => stream.close());

  // The stream opens with a reconnection delay and a comment, as text/event-stream.
  const head = await fetch(`${served.api}/events`, { headers: { authorization: `Bearer ${served.key}` } });
  assert.equal(head.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(head.headers.get('cache-control'), 'no-store');
  await head.body?.cancel();
  await waitFor('the head of the stream', () => stream.raw().includes(': connected\n\n'));
  assert.match(stream.raw(), /^retry: 3000\n: connected\n\n/);

  // The user's editor saves the config with a new server: the monitor scans it and raises an alert.
  writeByRename(served.fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: [WELL_BEHAVED] }, intruder: { command: process.execPath, args: [WELL_BEHAVED, '--intruder'] } }));
  const scan = await stream.next<Of<'scan'>>('scan', (e) => e.opened > 0);
  assert.deepEqual([scan.client, scan.config_path, scan.state], ['claude-desktop', served.fake.claudeDesktop, 'ok']);
  const alert = await stream.next<Of<'alert'>>('alert', (e) => e.alert.type === 'unapproved_server');
  assert.equal(alert.alert.server_name, 'intruder');
  assert.equal(alert.alert.severity, 'high');

  // A change through the API: registry; acknowledging the alert: alert with its new state.
  let from = stream.received.length;
  const created = await served.request<{ id: string }>('POST', '/mcp-servers', { name: 'wb', server_url: 'stdio://wb', command: process.execPath, args: [WELL_BEHAVED] });
  assert.equal(created.status, 201);
  const registry = await stream.next<Of<'registry'>>('registry', () => true, { from });
  assert.deepEqual([registry.reason, registry.server_id], ['registered', created.json.id]);
  from = stream.received.length;
  assert.equal((await served.request('POST', `/alerts/${alert.alert.id}/acknowledge`)).status, 200);
  const acked = await stream.next<{ alert: Alert }>('alert', (e) => e.alert.id === alert.alert.id, { from });
  assert.equal(acked.alert.state, 'acknowledged');

  // A probe reports its progress (once a person confirmed the command line the API registered).
  assert.equal(served.cli('mcp', 'approve', 'wb').code, 0);
  from = stream.received.length;
  assert.equal((await served.request('POST', '/mcp-servers/wb/probe')).status, 200);
  await stream.next<Of<'probe'>>('probe', (e) => e.phase === 'finished', { from });
  const phases = stream.received.slice(from).filter((e) => e.type === 'probe').map((e) => [(e.data as Of<'probe'>).phase, (e.data as Of<'probe'>).ok]);
  assert.deepEqual(phases, [['started', undefined], ['finished', true]]);

  // Another process writes the database: the stream says the data changed.
  from = stream.received.length;
  assert.equal(served.cli('mcp', 'add', 'from-cli', 'http', '--url', 'https://cli.example/mcp').code, 0);
  await stream.next('changed', () => true, { from });

  // Without a key there is no stream.
  const refused = await fetch(`${served.api}/events`);
  assert.equal(refused.status, 401);
});
