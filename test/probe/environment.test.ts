/** The environment a probed server gets, secret resolution, and redaction. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeychainStatus } from '../../core/api/secret.ts';
import { probeServer } from '../../core/probe/index.ts';
import { buildEnvironment, fillHandles, handlesIn, Redactor, resolveSecrets } from '../../core/process/environment.ts';
import type { Keychain } from '../../core/secrets/keychain.ts';
import { failure, fixture, LOGIN_PATH, nodeServer } from './helpers.ts';

class MemoryKeychain implements Keychain {
  readonly values = new Map<string, string>();
  reads: string[] = [];
  status(): KeychainStatus {
    return { available: true, persistent: false, backend: 'none' };
  }
  set(name: string, value: string): void {
    this.values.set(name, value);
  }
  get(name: string): string | null {
    this.reads.push(name);
    return this.values.get(name) ?? null;
  }
  delete(name: string): boolean {
    return this.values.delete(name);
  }
}

const PARENT = {
  HOME: '/home/ada',
  USER: 'ada',
  LANG: 'en_GB.UTF-8',
  TMPDIR: '/tmp/ada',
  PATH: '/usr/bin:/bin',
  AWS_SECRET_ACCESS_KEY: 'parent-secret',
  SSH_AUTH_SOCK: '/run/agent',
  SHELL: '() { evil; }',
};

test('only the safe keys pass from the parent, PATH comes from the login shell, the template wins', () => {
  const env = buildEnvironment({ path: '/login/bin:/usr/bin', env_template: [{ key: 'LANG', value: 'C' }, { key: 'TOKEN', value: 'x-{{secret:T}}-y' }], secrets: new Map([['T', 's3']]), parentEnv: PARENT, platform: 'linux' });
  assert.deepEqual(env, { HOME: '/home/ada', USER: 'ada', LANG: 'C', TMPDIR: '/tmp/ada', PATH: '/login/bin:/usr/bin', TOKEN: 'x-s3-y' });
  assert.equal('AWS_SECRET_ACCESS_KEY' in env, false);
  assert.equal('SHELL' in env, false, 'a function export is never passed on');
  const overridden = buildEnvironment({ path: '/login/bin', env_template: [{ key: 'PATH', value: '/mine' }], secrets: new Map(), parentEnv: PARENT, platform: 'linux' });
  assert.equal(overridden.PATH, '/mine');
});

test('on Windows the system keys are found whatever their case, and PATH is written as Path', () => {
  const env = buildEnvironment({ path: 'C:\\login', env_template: [], secrets: new Map(), parentEnv: { SYSTEMROOT: 'C:\\Windows', comspec: 'C:\\Windows\\cmd.exe', APPDATA: 'C:\\A', SECRET: 'no' }, platform: 'win32' });
  assert.deepEqual(env, { SystemRoot: 'C:\\Windows', APPDATA: 'C:\\A', ComSpec: 'C:\\Windows\\cmd.exe', Path: 'C:\\login' });
});

test('handles are collected once each, filled in, and unknown ones are left alone', () => {
  assert.deepEqual(handlesIn(['{{secret:A}} and {{secret:B}}', 'Bearer {{secret:A}}', 'plain']), ['A', 'B']);
  assert.equal(fillHandles('{{secret:A}}:{{secret:A}}:{{secret:Z}}', new Map([['A', '1']])), '1:1:{{secret:Z}}');
});

test('resolveSecrets: every missing name at once; a keychain that throws is unavailable; no keychain means missing', () => {
  const keychain = new MemoryKeychain();
  keychain.set('A', 'alpha');
  assert.deepEqual(resolveSecrets(['A', 'B', 'C'], keychain), { ok: false, missing: ['B', 'C'] });
  assert.deepEqual(resolveSecrets(['A'], keychain), { ok: true, secrets: new Map([['A', 'alpha']]) });
  assert.deepEqual(resolveSecrets(['A'], undefined), { ok: false, missing: ['A'] });
  const broken: Keychain = { ...keychain, status: () => keychain.status(), set: () => {}, delete: () => false, get: () => { throw new Error('The OS keychain is locked.'); } };
  assert.deepEqual(resolveSecrets(['A'], broken), { ok: false, unavailable: 'The OS keychain is locked.' });
});

test('the redactor replaces every value, longest first, in strings and keys at any depth', () => {
  const redactor = new Redactor(new Map([['SHORT', 'abc'], ['LONG', 'abcdef']]));
  assert.equal(redactor.text('x abcdef y abc'), 'x [redacted secret LONG] y [redacted secret SHORT]');
  assert.deepEqual(redactor.deep({ list: ['abc', 1, null, { abc: 'abcdef' }] }), { list: ['[redacted secret SHORT]', 1, null, { '[redacted secret SHORT]': '[redacted secret LONG]' }] });
  assert.equal(new Redactor().active, false);
});

test('several missing secrets are named together; a locked keychain fails without starting anything', async () => {
  const keychain = new MemoryKeychain();
  const def = nodeServer('two', fixture('well-behaved.mjs'), [], [{ key: 'A', value: '{{secret:ONE}}' }, { key: 'B', value: '{{secret:TWO}}' }]);
  const missing = failure(await probeServer(def, { loginPath: LOGIN_PATH, keychain }), 'secret_missing');
  assert.match(missing.message, /needs the secrets "ONE" and "TWO", which are not in the keychain/);
  assert.deepEqual(keychain.reads, ['ONE', 'TWO']);
  const locked: Keychain = { status: () => keychain.status(), set: () => {}, delete: () => false, get: () => { throw new Error('The OS keychain is not available, because it is locked: unlock it.'); } };
  const failed = failure(await probeServer(def, { loginPath: LOGIN_PATH, keychain: locked }), 'failed');
  assert.match(failed.message, /could not be read: The OS keychain is not available/);
  assert.ok(failed.duration_ms < 1000);
});
