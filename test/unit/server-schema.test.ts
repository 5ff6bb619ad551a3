import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../../core/api/errors.ts';
import { parseServerInput } from '../../core/api/server-schema.ts';

function rejection(raw: unknown): { field: string | undefined; message: string } {
  try {
    parseServerInput(raw);
  } catch (error) {
    assert.ok(error instanceof WardenError);
    assert.equal(error.code, 'invalid_input');
    return { field: error.field, message: error.message };
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

test('API-shaped input: wrong types and unknown fields name the field at fault', () => {
  assert.deepEqual(rejection('not an object'), { field: '', message: 'The server definition must be a JSON object.' });
  assert.deepEqual(rejection({ name: 'x', transport: 'http', url: 'https://x.example', color: 'red' }), { field: 'color', message: 'Unknown field "color" in the server definition.' });
  assert.deepEqual(rejection({ name: 'x', transport: 'stdio', command: 'node', args: 'a,b' }), { field: 'args', message: 'The args must be a list of strings.' });
  assert.deepEqual(rejection({ name: 'x', transport: 'stdio', command: 'node', env_template: [{ key: 'OK', value: 'v' }, { key: 'bad-key', value: 'v' }] }), {
    field: 'env_template[1].key',
    message: `The environment variable name "bad-key" is invalid: use letters, digits and '_', not starting with a digit.`,
  });
  assert.deepEqual(rejection({ name: 'x', transport: 'stdio', command: 'node', env_template: [{ key: 'A' }] }), { field: 'env_template[0].value', message: 'Each environment variable needs a string value.' });
  assert.deepEqual(rejection({ name: 7, transport: 'stdio', command: 'node' }), { field: 'name', message: 'The server name must be a string.' });
  assert.deepEqual(rejection({ name: 'x', transport: 'http', url: 'https://x.example', headers: { A: 'line\r\nInjected: 1' } }), { field: 'headers.A', message: 'The value of header A cannot contain a line break.' });
  assert.deepEqual(rejection({ name: 'x', transport: 'http', url: 'https://x.example/{{secret:t}}' }), { field: 'url', message: 'The URL cannot hold a {{secret:...}} handle: put the secret in a header instead.' });
});

test('valid input passes through unchanged', () => {
  const input = { name: 'ok.server_1', transport: 'http' as const, url: 'http://127.0.0.1:3000/mcp', headers: { Authorization: 'Bearer {{secret:tok}}' }, capabilities: ['a/b', 'c.d'] };
  assert.deepEqual(parseServerInput(input), input);
});
