/**
 * Findings 12, 14 and 15 of issue 11, replayed against a real `serve` and the real CLI: input a
 * client controls must be answered with one sentence naming what is wrong (4xx, exit 2), leave
 * nothing stored, and never echo a secret or write an internal error to serve's log.
 *
 * On the old code: `PUT /settings/__proto__` (and the other Object.prototype names) answered 500
 * and `settings set __proto__ x` exited 1; `headers: {"__proto__": 5}` was stored without the key
 * (201); 200,000 args answered 500 (a stack overflow); a JSON syntax error quoted the body, secret
 * included; an aborted upload put "internal error" and a stack on stderr.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { databaseChecksum } from '../helpers/db.ts';
import { startServe, type Served } from '../helpers/serve.ts';

type ErrorBody = { error: { code: string; message: string; field?: string } };

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

/** The body of a refusal, after checking it is the status and one sentence. */
async function refusal(served: Served, method: string, path: string, body: unknown, status = 400): Promise<ErrorBody['error']> {
  const r = await served.request<ErrorBody>(method, path, body);
  assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
  const { error } = r.json;
  assert.ok(error.message.endsWith('.') && error.message.length < 400, `one sentence: ${error.message}`);
  return error;
}

test('settings named like Object.prototype members are unknown settings: 400 from the API, exit 2 from the CLI, nothing changed', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  assert.equal((await served.request('GET', '/settings')).status, 200); // the key's first use is written once
  const before = databaseChecksum(served.home);
  for (const name of PROTOTYPE_NAMES) {
    const error = await refusal(served, 'PUT', `/settings/${name}`, { value: 'x' });
    assert.equal(error.field, 'key');
    assert.equal(error.message.startsWith(`Unknown setting "${name}": the settings are new-server-policy,`), true, error.message);
    const cli = served.cli('settings', 'set', name, 'x');
    assert.equal(cli.code, 2, `settings set ${name}: ${cli.stderr}`);
    assert.equal(cli.stderr, `mcp-warden: ${error.message}\n`);
  }
  assert.equal(databaseChecksum(served.home), before, 'nothing stored changed');
  assert.doesNotMatch(served.output().stderr, /internal error/);
});

test('__proto__ keys in headers and env_template, and 200,000 args, are refused naming the field; nothing is stored', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  type Audit = { items: { type: string; details: { name?: string } }[] };
  const audited = (await served.request<Audit>('GET', '/audit')).json.items.length;
  const register = (extra: Record<string, unknown>, name = 'x') => ({ name, server_url: 'stdio://x', command: '/bin/true', ...extra });

  // As the attacker sent it: the key is JSON text, so it reaches the server as an own property.
  const rawHeaders = await served.request<ErrorBody>('POST', '/mcp-servers', '{"name": "h", "server_url": "https://h.example/mcp", "headers": {"__proto__": 5, "A": "b"}}', { 'content-type': 'application/json' });
  assert.equal(rawHeaders.status, 400, rawHeaders.text);
  assert.equal(rawHeaders.json.error.field, 'headers.__proto__');
  assert.match(rawHeaders.json.error.message, /^The key "__proto__" \(at headers\.__proto__\) is not accepted/);
  const rawEnv = await served.request<ErrorBody>('POST', '/mcp-servers', '{"name": "x", "server_url": "stdio://x", "command": "/bin/true", "env_template": {"__proto__": "polluted", "A": "b"}}', { 'content-type': 'application/json' });
  assert.equal(rawEnv.status, 400, rawEnv.text);
  assert.equal(rawEnv.json.error.field, 'env_template.__proto__');
  // The pair form carries the name as a value, which a launch would turn into a key: refused too.
  const pair = await refusal(served, 'POST', '/mcp-servers', register({ env_template: [{ key: '__proto__', value: 'x' }] }));
  assert.deepEqual([pair.field, pair.message], ['env_template[0].key', 'The environment variable name "__proto__" is not accepted: it cannot be passed to a server.']);
  // Other prototype names are plain data in an object: stored as given.
  const plain = await served.request<{ headers: Record<string, string> }>('POST', '/mcp-servers', { name: 'h2', server_url: 'https://h.example/mcp', headers: { constructor: 'c' } });
  assert.equal(plain.status, 201, plain.text);
  assert.deepEqual(plain.json.headers, { constructor: 'c' });
  assert.equal((await served.request('DELETE', '/mcp-servers/h2')).status, 200);

  const many = await refusal(served, 'POST', '/mcp-servers', register({ args: Array<string>(200_000).fill('x') }));
  assert.deepEqual([many.field, many.message], ['args', 'args has 200000 items; at most 1000 are accepted.']);
  assert.equal((await refusal(served, 'PATCH', '/mcp-servers/nothing', { args: Array<string>(1001).fill('x') })).field, 'args');
  const list = await served.request<{ total: number }>('GET', '/mcp-servers');
  assert.equal(list.json.total, 0, 'nothing was registered');
  assert.doesNotMatch(served.output().stderr, /internal error|RangeError/);
  // The audit trail moved only for the one registration that was accepted, and its removal.
  const events = (await served.request<Audit>('GET', '/audit')).json.items.slice(audited);
  assert.deepEqual(events.filter((e) => e.type.startsWith('server.')).map((e) => [e.type, e.details.name]), [['server.registered', 'h2'], ['server.removed', 'h2']]);
});

test('a JSON syntax error answers its position only, never the body that holds a secret', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const secret = 'sk-live-Qm9vYmFyYmF6cXV4cXV1eA';
  const bodies = [
    secret,
    `{"name": "s", "value": "${secret}" x}`,
    `{"name": "s", "value": '${secret}'}`,
    `["${secret}",`,
    `{"value": "${secret}\u0001"}`,
    `{"value": ${secret}}`,
  ];
  for (const body of bodies) {
    const r = await served.request<ErrorBody>('POST', '/secrets', body, { 'content-type': 'application/json' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'body');
    assert.match(r.json.error.message, /^The request body is not valid JSON: the first error is at position \d+ \(line 1 column \d+\)\.$/);
    for (const piece of [secret, secret.slice(0, 8), 'sk-live']) assert.equal(r.text.includes(piece), false, `the answer quotes the body: ${r.text}`);
  }
  const at = await served.request<ErrorBody>('POST', '/secrets', '{"name": "s",\n "value": x}', { 'content-type': 'application/json' });
  assert.equal(at.json.error.message, 'The request body is not valid JSON: the first error is at position 24 (line 2 column 11).');
  assert.equal(served.output().stderr.includes(secret), false);
  assert.equal((await served.request<{ items: unknown[] }>('GET', '/secrets')).json.items.length, 0);
});

test('a client that aborts its upload leaves no internal error or stack in the log, and serve keeps answering', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const { hostname, port } = new URL(served.url);
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => {
        socket.write(`POST /api/v1/mcp-servers HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${served.key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name": "half`);
        // The body is 100,000 bytes by its header; the client goes away after 14.
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 100);
      });
      socket.on('error', reject);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await served.request('GET', '/mcp-servers')).status, 200, 'serve still answers');
  const { stderr } = served.output();
  assert.doesNotMatch(stderr, /internal error|\n\s+at /, `nothing logged as an internal error: ${stderr}`);
});
