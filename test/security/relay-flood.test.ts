// Finding 2 (issue 11): the launcher relay had no backpressure and no line limit. A server writing
// without a newline took the launcher to 4.9 GB, a single 100 MB line cost 6.3 GB, a client that did
// not read made it 7.7 GB, and it did not exit 10 s after the client closed stdin. Each attack is
// replayed here against the real `mcp-warden run` with a real hostile server (hostile-relay.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { MAX_LINE_BYTES } from '../../core/launcher/flow.ts';
import { waitFor } from '../helpers/fake-home.ts';
import { addServer, alerts, alive, home, HOSTILE, INITIALIZE, peakRssMiB, rawLauncher, sdkClient, sleep, textOf } from '../helpers/launcher.ts';

const PEAK_MIB = 150;

test('the line limit is the SDK stdio transport\'s own buffer limit: no line an SDK client can read is dropped', () => {
  assert.equal(MAX_LINE_BYTES, STDIO_DEFAULT_MAX_BUFFER_SIZE);
});

test('a server flooding without a newline: the launcher stays under 150 MB, tells the client and raises an alert', async (t) => {
  const h = home(t);
  addServer(h, 'flood', HOSTILE);
  const { client, transport } = await sdkClient(t, h, 'flood');
  const notes: string[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    notes.push(String(n.params.data));
  });
  const serverPid = Number(textOf(await client.callTool({ name: 'pid', arguments: {} })));
  void client.callTool({ name: 'flood', arguments: {} }, undefined, { timeout: 120_000 }).catch(() => {});
  await waitFor('the client is told', () => notes.some((n) => /dropping a message from "flood": it is longer than 10\.0 MiB/.test(n)), 30_000);
  await sleep(3000); // gigabytes more of it
  const peak = peakRssMiB(transport.pid as number);
  assert.ok(peak < PEAK_MIB, `the launcher's peak RSS is ${peak.toFixed(1)} MiB`);
  assert.ok(alive(serverPid), 'the server is still flooding');
  await client.close();
  await waitFor('the alert', () => alerts(h).find((a) => a.type === 'oversized_message'), 15_000);
  const alert = alerts(h).find((a) => a.type === 'oversized_message');
  assert.equal(alert?.severity, 'medium');
  assert.equal(alert?.details.limit, MAX_LINE_BYTES);
  await waitFor('the server is gone', () => !alive(serverPid), 10_000);
});

test('a 100 MB answer in one line: dropped under 150 MB, the call answered with an error, the session goes on', async (t) => {
  const h = home(t);
  addServer(h, 'big', HOSTILE);
  const { client, transport } = await sdkClient(t, h, 'big');
  await assert.rejects(client.callTool({ name: 'big', arguments: {} }, undefined, { timeout: 120_000 }), (error: Error) => {
    assert.match(error.message, /MCP Warden dropped the answer of "big": it was 100\.0 MiB in one line, over the 10\.0 MiB the launcher relays/);
    return true;
  });
  const peak = peakRssMiB(transport.pid as number);
  assert.ok(peak < PEAK_MIB, `the launcher's peak RSS is ${peak.toFixed(1)} MiB`);
  assert.match(textOf(await client.callTool({ name: 'read_file', arguments: { path: '/x' } })), /contents/, 'the next call works');
  await client.close();
  await waitFor('the alert', () => alerts(h).some((a) => a.type === 'oversized_message'), 15_000);
  await waitFor('the call recorded', () => {
    const calls = h.json<{ events: { details: Record<string, unknown> }[] }>('audit', '--type', 'tool.called').events;
    return calls.find((e) => e.details.tool === 'big');
  }, 15_000);
  const big = h.json<{ events: { details: Record<string, unknown> }[] }>('audit', '--type', 'tool.called').events.find((e) => e.details.tool === 'big');
  assert.equal(big?.details.outcome, 'too_large');
});

test('a client that does not read while the server floods lines: the launcher stops reading the server and stays under 150 MB', async (t) => {
  const h = home(t);
  addServer(h, 'lines', HOSTILE);
  const l = rawLauncher(t, h, 'lines', { reading: false });
  l.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE })}\n`);
  l.notify('notifications/initialized');
  l.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'flood-lines', arguments: {} } })}\n`);
  await sleep(4000);
  const peak = peakRssMiB(l.child.pid as number);
  assert.ok(peak < PEAK_MIB, `the launcher's peak RSS is ${peak.toFixed(1)} MiB`);
  // The client goes away without ever reading: the launcher still ends promptly.
  const closed = Date.now();
  l.child.stdin.end();
  const code = await Promise.race([l.exit, sleep(10_000).then(() => 'still running' as const)]);
  assert.notEqual(code, 'still running', 'the launcher exited');
  assert.ok(Date.now() - closed < 8000, `exited ${Date.now() - closed} ms after stdin closed`);
});

test('the client closing stdin during a flood: the server is killed and the launcher exits within a few seconds', async (t) => {
  const h = home(t);
  addServer(h, 'closing', HOSTILE);
  const l = rawLauncher(t, h, 'closing');
  await l.request(1, 'initialize', INITIALIZE);
  l.notify('notifications/initialized');
  const serverPid = Number(textOf((await l.request(2, 'tools/call', { name: 'pid', arguments: {} })).result));
  l.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'flood', arguments: {} } })}\n`);
  await sleep(1500);
  const closed = Date.now();
  l.child.stdin.end();
  const code = await Promise.race([l.exit, sleep(10_000).then(() => 'still running' as const)]);
  assert.notEqual(code, 'still running', 'the launcher exited');
  assert.ok(Date.now() - closed < 8000, `exited ${Date.now() - closed} ms after stdin closed`);
  assert.equal(alive(serverPid), false, 'the server is gone');
});
