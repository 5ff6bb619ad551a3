/**
 * Finding 5 of issue 11, the launcher's side: a program holding an API key changes the command line
 * of a server a client already starts through `mcp-warden run`. The change makes the server
 * `pending`, and the launcher must not be where that command first runs: the client's next start is
 * refused with the sentence naming the command line, until a person confirms it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ServerView } from '../../core/api/rest.ts';
import { BIN, envWith, tempDir } from '../helpers/cli.ts';
import { startServe } from '../helpers/serve.ts';

const INITIALIZE = `${JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'client', version: '1' } } })}\n`;

test('a command changed through the API is not started by the launcher until a person confirms it', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const marker = path.join(tempDir(t, 'mcp-warden-marker-'), 'ran');
  assert.equal(served.cli('mcp', 'add', 'tool', 'stdio', '--command', '/bin/true').code, 0);
  const launch = () => spawnSync(process.execPath, [BIN, '--home', served.home, 'run', '--', 'tool'], { input: INITIALIZE, env: envWith(served.env), encoding: 'utf8', timeout: 30_000 });
  assert.equal(launch().status, 0, 'the approved command starts through the launcher');

  const patched = await served.request<ServerView>('PATCH', '/mcp-servers/tool', { command: '/bin/sh', args: ['-c', `touch ${marker}`] });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.status, 'pending');
  const refused = launch();
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, new RegExp(`registered through the API with the command line /bin/sh -c 'touch ${marker.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}', which no person has confirmed, so MCP Warden will not start it`));
  assert.equal(existsSync(marker), false, 'the unconfirmed command did not run');

  assert.equal(served.cli('mcp', 'approve', 'tool').code, 0);
  assert.equal(launch().status, 0);
  assert.equal(existsSync(marker), true, 'once confirmed, it runs');
});
