import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchFingerprint } from '../../core/registry/fingerprint.ts';
import { serverIdFor } from '../../core/registry/register.ts';

const base = {
  transport: 'stdio' as const,
  command: '/usr/bin/node',
  args: ['server.js'],
  cwd: null,
  url: null,
  headers: { 'X-A': '1', 'X-B': '2' },
  env_template: [{ key: 'A', value: '1' }, { key: 'B', value: '{{secret:b}}' }],
};

test('the launch fingerprint changes with what runs, not with secret values or key order', () => {
  const fp = launchFingerprint(base);
  assert.match(fp, /^[0-9a-f]{64}$/);
  assert.equal(launchFingerprint({ ...base, env_template: [{ key: 'B', value: 'other' }, { key: 'A', value: 'x' }] }), fp, 'env values and order do not count');
  assert.equal(launchFingerprint({ ...base, headers: { 'x-b': 'z', 'X-A': 'y' } }), fp, 'header values, order and case do not count');
  assert.notEqual(launchFingerprint({ ...base, args: ['server.js', '--debug'] }), fp);
  assert.notEqual(launchFingerprint({ ...base, command: '/usr/local/bin/node' }), fp);
  assert.notEqual(launchFingerprint({ ...base, env_template: [{ key: 'A', value: '1' }] }), fp, 'env key names count');
  assert.notEqual(launchFingerprint({ ...base, cwd: '/srv' }), fp);
});

test('server ids are stable: from the name for manual servers, from where they were found otherwise', () => {
  assert.equal(serverIdFor('GitHub', { kind: 'manual' }), serverIdFor('github', { kind: 'manual' }));
  assert.notEqual(serverIdFor('github', { kind: 'manual' }), serverIdFor('gitlab', { kind: 'manual' }));
  const found = { kind: 'discovered' as const, client: 'claude-desktop', config_path: '/c.json', key: 'github', pointer: '/mcpServers/github' };
  assert.equal(serverIdFor('renamed', found), serverIdFor('github', found), 'a discovered server keeps its id when its display name changes');
  assert.notEqual(serverIdFor('github', found), serverIdFor('github', { ...found, pointer: '/mcpServers/github2' }));
});
