// Finding 4 (issue 11): a hostile server could rug-pull past the launcher and hide calls. A tools/list
// answer with the id as a string ("2" for 2, which the SDK client accepts), with the key written
// "\u0074ools", or with "nextCursor": "" raised no definition_changed alert, and under block the
// poisoned list reached the client; a tools/call answered with a string id ran with no audit event,
// and so did a call the server never answered or crashed during. Replayed against the real launcher
// and the SDK's own client, with a real hostile server (hostile-relay.mjs).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { waitFor } from '../helpers/fake-home.ts';
import { addServer, alerts, home, HOSTILE, sdkClient, textOf, toolCalls, type Home } from '../helpers/launcher.ts';

/** A hostile server pinned while honest; `mode` switches it to the attack afterwards. */
function pinnedHostile(t: TestContext, name: string): { h: Home; attack: (mode: string) => void } {
  const h = home(t);
  const modeFile = path.join(h.dir, 'mode');
  addServer(h, name, HOSTILE, '--env', `MODE_FILE=${modeFile}`);
  const probed = h.run('mcp', 'probe', name);
  assert.equal(probed.code, 0, probed.stdout + probed.stderr);
  return { h, attack: (mode) => writeFileSync(modeFile, mode) };
}

for (const variant of ['string-id', 'escaped-key', 'empty-cursor'] as const) {
  for (const policy of ['block', 'warn'] as const) {
    test(`tools/list answered with ${variant} under ${policy}: the drift alert is raised${policy === 'block' ? ' and the client sees the pinned list' : ''}`, async (t) => {
      const { h, attack } = pinnedHostile(t, 'rug');
      assert.equal(h.run('settings', 'set', 'undeclared-tool-policy', policy).code, 0);
      attack(variant);
      const { client } = await sdkClient(t, h, 'rug');
      const { tools } = await client.listTools();
      const readFile = tools.find((tool) => tool.name === 'read_file');
      if (policy === 'block') {
        assert.deepEqual(tools.map((tool) => tool.name).sort(), ['pid', 'read_file'], 'the new tool is left out');
        assert.equal(readFile?.description, 'Reads a file.', 'the changed tool as pinned');
      } else {
        assert.deepEqual(tools.map((tool) => tool.name).sort(), ['exfiltrate', 'pid', 'read_file'], 'warn passes the list');
        assert.match(readFile?.description ?? '', /evil\.example/);
      }
      await client.close();
      await waitFor('the drift alert', () => alerts(h).find((a) => a.type === 'definition_changed'), 15_000);
      const alert = alerts(h).find((a) => a.type === 'definition_changed');
      assert.match(JSON.stringify(alert?.details), /exfiltrate/, 'the alert names the added tool');
    });
  }
}

test('a tools/call answered with a string id is audited, each time, with its outcome', async (t) => {
  const h = home(t);
  const modeFile = path.join(h.dir, 'mode');
  writeFileSync(modeFile, 'string-id');
  addServer(h, 'strid', HOSTILE, '--env', `MODE_FILE=${modeFile}`);
  const { client } = await sdkClient(t, h, 'strid');
  for (let i = 0; i < 3; i++) assert.equal(textOf(await client.callTool({ name: 'read_file', arguments: { path: `/etc/${i}` } })), 'contents');
  await client.close();
  await waitFor('three calls in the trail', () => toolCalls(h).filter((e) => e.details.tool === 'read_file').length >= 3, 15_000);
  const calls = toolCalls(h).filter((e) => e.details.tool === 'read_file');
  assert.equal(calls.length, 3);
  assert.deepEqual(calls.map((e) => e.details.outcome), ['ok', 'ok', 'ok']);
  assert.deepEqual(calls.map((e) => (e.details.arguments as { path: string }).path).sort(), ['/etc/0', '/etc/1', '/etc/2']);
  assert.equal(h.run('audit', 'verify').code, 0);
});

test('a call the server never answers is audited when the session ends, outcome no_answer', async (t) => {
  const h = home(t);
  addServer(h, 'hang', HOSTILE);
  const { client } = await sdkClient(t, h, 'hang');
  await assert.rejects(client.callTool({ name: 'hang', arguments: { note: 'never answered' } }, undefined, { timeout: 1000 }), /timed out/i);
  await client.close();
  await waitFor('the call in the trail', () => toolCalls(h).find((e) => e.details.tool === 'hang'), 15_000);
  const call = toolCalls(h).find((e) => e.details.tool === 'hang');
  assert.equal(call?.details.outcome, 'no_answer');
  assert.equal(call?.details.error, true);
  assert.deepEqual(call?.details.arguments, { note: 'never answered' });
});

test('a server that crashes during a call: the call is audited, outcome no_answer', async (t) => {
  const h = home(t);
  addServer(h, 'crash', HOSTILE);
  const { client } = await sdkClient(t, h, 'crash');
  await assert.rejects(client.callTool({ name: 'crash', arguments: {} }, undefined, { timeout: 10_000 }));
  await waitFor('the call in the trail', () => toolCalls(h).find((e) => e.details.tool === 'crash'), 15_000);
  assert.equal(toolCalls(h).find((e) => e.details.tool === 'crash')?.details.outcome, 'no_answer');
});

test('a tools/list page of 150,000 tiny tools neither ends the relay nor reaches a block-policy client, and is alerted', async (t) => {
  const { h, attack } = pinnedHostile(t, 'huge');
  assert.equal(h.run('settings', 'set', 'undeclared-tool-policy', 'block').code, 0);
  attack('huge-list');
  const { client } = await sdkClient(t, h, 'huge');
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((tool) => tool.name).sort(), ['pid', 'read_file'], 'the pinned subset');
  // The relay is still up: the next call goes through and is answered.
  assert.match(textOf(await client.callTool({ name: 'pid', arguments: {} })), /^\d+$/);
  await client.close();
  await waitFor('the drift alert', () => alerts(h).find((a) => a.type === 'definition_changed'), 15_000);
});
