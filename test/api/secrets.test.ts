/**
 * A keychain secret named by a `{{secret:NAME}}` handle in a server's env_template never comes back:
 * not from any endpoint, not on the event stream, not in serve's own output; even when the server
 * itself echoes the value it was started with.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ServerView } from '../../core/api/rest.ts';
import { cli, ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { openEvents, startServe, type ApiResponse } from '../helpers/serve.ts';

const ENV_ECHO = path.join(ROOT, 'test', 'fixtures', 'servers', 'env-echo.mjs');

test('a secret used in an env_template appears in no response of any endpoint, no event and no output of serve', async (t) => {
  const secret = `ghp_${'Zq7Xw2Lm9Pv4'.repeat(3)}`;
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: [ENV_ECHO] } }));
  const served = await startServe(t, { fake });
  const added = cli(['--home', served.home, 'secrets', 'add', 'gh-token'], { input: secret, env: served.env });
  assert.equal(added.code, 0, added.stderr);
  const stream = await openEvents(served);
  t.after(() => stream.close());

  const responses: ApiResponse[] = [];
  const call = async (method: string, urlPath: string, body?: unknown, status = 200) => {
    const r = await served.request(method, urlPath, body);
    responses.push(r);
    assert.equal(r.status, status, `${method} ${urlPath}: ${r.text}`);
    return r;
  };

  // ECHO_RAW makes the server put the value it received in its tool description and on stderr.
  const created = await call('POST', '/mcp-servers', { name: 'echo', server_url: 'stdio://echo', command: process.execPath, args: [ENV_ECHO], env_template: { API_TOKEN: '{{secret:gh-token}}', ECHO_RAW: '1' } }, 201);
  const echo = created.json as ServerView;
  assert.deepEqual(echo.env_template, [{ key: 'API_TOKEN', value: '{{secret:gh-token}}' }, { key: 'ECHO_RAW', value: '1' }], 'the handle comes back, not the value');
  // A command line from the API starts once a person confirmed it.
  assert.equal(served.cli('mcp', 'approve', 'echo').code, 0);

  const probe = await call('POST', '/mcp-servers/echo/probe');
  const report = JSON.parse((probe.json as { tools: { description: string }[] }).tools[0]?.description ?? '{}') as { keys: string[]; raw: string };
  assert.ok(report.keys.includes('API_TOKEN'), 'the server was started with the secret');
  assert.equal(report.raw, '[redacted secret gh-token]');
  await call('GET', '/mcp-servers');
  await call('GET', '/mcp-servers?q=echo');
  await call('GET', `/mcp-servers/${echo.id}`);
  await call('PATCH', '/mcp-servers/echo', { description: 'echoes its environment' });
  await call('PATCH', '/mcp-servers/echo', { env_template: [{ key: 'API_TOKEN', value: '{{secret:gh-token}}' }, { key: 'ECHO_RAW', value: '1' }, { key: 'LEVEL', value: 'debug' }] });
  await call('GET', '/mcp-servers/echo/tools');
  // The new env_template came through the API: pending again, and an API key cannot confirm it.
  await call('POST', '/mcp-servers/echo/approve', undefined, 409);
  await call('POST', '/mcp-servers/echo/probe', undefined, 409);
  assert.equal(served.cli('mcp', 'approve', 'echo').code, 0);
  await call('POST', '/mcp-servers/memory/approve');
  await call('POST', '/mcp-servers/echo/probe');
  await call('GET', '/mcp-servers/echo/trust');
  await call('POST', '/mcp-servers/echo/attest', undefined, 201);
  await call('POST', '/mcp-servers/echo/verify');
  await call('POST', '/mcp-servers/memory/probe');
  const agent = await call('POST', '/agents', { name: 'agent-one' }, 201);
  await call('POST', `/agents/${(agent.json as { id: string }).id}/mcp-servers/echo`);
  await call('PUT', '/agents/agent-one/mcp-servers', { mcp_server_ids: ['echo', 'memory'] });
  await call('GET', '/agents');
  await call('GET', '/agents/agent-one');
  await call('DELETE', '/agents/agent-one/mcp-servers/echo');
  const alerts = await call('GET', '/alerts');
  const first = (alerts.json as { items: { id: number }[] }).items[0];
  if (first !== undefined) await call('POST', `/alerts/${first.id}/acknowledge`);
  await call('GET', '/audit?limit=500');
  await call('GET', '/audit/verify');
  await call('GET', '/openapi.json');
  await call('GET', '/health');
  // Refusals and errors that name the server.
  await call('POST', '/mcp-servers', { name: 'echo', server_url: 'stdio://echo', command: process.execPath, env_template: { API_TOKEN: '{{secret:gh-token}}' } }, 409);
  await call('PATCH', '/mcp-servers/echo', { env_template: { API_TOKEN: '{{secret:missing}}' } }, 404);
  await call('DELETE', '/mcp-servers/echo');
  assert.ok(stream.received.length > 0);
  stream.close();
  assert.equal(await served.stop(), 0);

  for (const r of responses) assert.ok(!r.text.includes(secret), `a response holds the secret: ${r.text.slice(0, 200)}`);
  assert.ok(!stream.raw().includes(secret), 'the event stream holds the secret');
  const { stdout, stderr } = served.output();
  assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'serve printed the secret');
});
