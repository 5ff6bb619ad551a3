import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import type { SecretInfo } from '../../core/api/secret.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { BIN, cli, envWith, tempDir, type CliResult } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { filesContaining, keychainOf } from '../helpers/secrets.ts';

test('secrets live in the real OS keychain, are referenced by handle, and never reach the data directory or any output', (t) => {
  const home = tempDir(t);
  const h = ['--home', home];
  const token = `ghp_${'Zq9'.repeat(12)}`;
  const rotated = `ghp_${'Rt7'.repeat(12)}`;
  const spare = 'spare-value-8c1f0e2b';
  const outputs: CliResult[] = [];
  const run = (args: string[], input?: string): CliResult => {
    const result = cli([...h, ...args], { input });
    outputs.push(result);
    return result;
  };
  const okRun = (args: string[], input?: string): string => {
    const result = run(args, input);
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  const status = JSON.parse(okRun(['secrets', 'status', '--json'])) as { keychain: { available: boolean; persistent: boolean; backend: string } };
  assert.equal(status.keychain.available, true, 'the test keyring answers');
  assert.equal(status.keychain.persistent, true);

  assert.match(okRun(['secrets', 'add', 'gh-token', '--description', 'GitHub token'], `${token}\n`), /Stored secret "gh-token" in the OS keychain; use it as \{\{secret:gh-token\}\}/);
  const keychain = keychainOf(home);
  assert.equal(keychain.get('gh-token'), token, 'the value is in the keychain, without the trailing newline');

  okRun(['mcp', 'add', 'github', 'stdio', '--command', 'node', '--env', 'GITHUB_TOKEN={{secret:gh-token}}', '--env', 'LOG=1']);
  okRun(['mcp', 'add', 'api', 'http', '--url', 'https://api.example/mcp', '--header', 'Authorization=Bearer {{secret:gh-token}}']);
  const listed = JSON.parse(okRun(['secrets', 'list', '--json'])) as { secrets: SecretInfo[] };
  assert.deepEqual(listed.secrets.map(({ created_at: _c, ...rest }) => rest), [{ name: 'gh-token', description: 'GitHub token', used_by: ['api', 'github'] }]);
  assert.match(okRun(['secrets', 'list']), /gh-token\s+\S+\s+api,github\s+GitHub token/);
  const server = (JSON.parse(okRun(['mcp', 'show', 'github', '--json'])) as { server: ServerDefinition }).server;
  assert.deepEqual(server.env_template[0], { key: 'GITHUB_TOKEN', value: '{{secret:gh-token}}' }, 'the definition keeps the handle');

  // Removal is refused while servers reference the secret, and nothing changes.
  const before = databaseChecksum(home);
  const refused = run(['secrets', 'remove', 'gh-token']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'mcp-warden: The secret "gh-token" is used by "api", "github": change or remove those servers first, or pass --force.\n');
  assert.equal(databaseChecksum(home), before);
  assert.equal(keychain.get('gh-token'), token);

  const duplicate = run(['secrets', 'add', 'gh-token'], 'other\n');
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /^mcp-warden: A secret named "gh-token" already exists: pass --replace to change its value\.\n$/);
  assert.equal(keychain.get('gh-token'), token, 'a refused add leaves the old value');
  okRun(['secrets', 'add', 'gh-token', '--replace'], rotated);
  assert.equal(keychain.get('gh-token'), rotated);

  const empty = run(['secrets', 'add', 'blank'], '\n');
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /The value for secret blank is empty\./);
  const reserved = run(['secrets', 'add', '.device-ed25519'], 'x');
  assert.equal(reserved.code, 2);
  assert.match(reserved.stderr, /names starting with '\.' are MCP Warden's own keychain entries/);
  const badName = run(['secrets', 'add', 'no good'], 'x');
  assert.equal(badName.code, 2);
  assert.match(badName.stderr, /The secret name "no good" is invalid/);

  okRun(['secrets', 'add', 'spare'], spare);
  assert.equal(keychain.get('spare'), spare);
  assert.match(okRun(['secrets', 'remove', 'spare']), /Removed secret "spare" from the OS keychain\./);
  assert.equal(keychain.get('spare'), null, 'removal deletes the keychain entry');

  const forced = okRun(['secrets', 'remove', 'gh-token', '--force']);
  assert.match(forced, /Servers still naming it \(api, github\) will fail to launch until it is added again\./);
  assert.equal(keychain.get('gh-token'), null);
  assert.deepEqual((JSON.parse(okRun(['secrets', 'list', '--json'])) as { secrets: SecretInfo[] }).secrets, []);
  okRun(['secrets', 'add', 'gh-token'], token);
  assert.deepEqual((JSON.parse(okRun(['secrets', 'list', '--json'])) as { secrets: SecretInfo[] }).secrets.map((s) => s.used_by), [['api', 'github']], 'a re-added secret is found by the servers that name it');

  for (const value of [token, rotated, spare]) {
    assert.deepEqual(filesContaining(home, value), [], 'no file of the data directory holds a secret value');
    for (const output of outputs) {
      assert.ok(!output.stdout.includes(value) && !output.stderr.includes(value), 'no CLI output holds a secret value');
    }
  }
  keychain.delete('gh-token');
});

test('without a Secret Service, secrets add says so in one sentence and stores nothing anywhere', (t) => {
  const home = tempDir(t);
  const h = ['--home', home];
  const seed = cli([...h, 'mcp', 'list']);
  assert.equal(seed.code, 0);
  const before = databaseChecksum(home);
  const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mcp-warden-bus' };

  const result = cli([...h, 'secrets', 'add', 'api-key'], { input: 'value-that-must-not-be-kept', env: noBus });
  assert.equal(result.code, 1);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, 'one line');
  assert.match(lines[0] as string, /^mcp-warden: The OS keychain is not available, because no unlocked Secret Service answered on the D-Bus session bus \(.+\): start and unlock one \(GNOME Keyring, KWallet or KeePassXC\) and try again, since MCP Warden will not fall back to the kernel keyring, which forgets secrets at logout\.$/);
  assert.equal(databaseChecksum(home), before, 'the database is unchanged');

  const status = cli([...h, 'secrets', 'status', '--json'], { env: noBus });
  assert.equal(status.code, 1);
  assert.deepEqual(
    (({ problem: _p, ...rest }) => rest)((JSON.parse(status.stdout) as { keychain: { problem: string } }).keychain),
    { available: false, persistent: false, backend: 'secret-service' },
  );

  // And nothing went to the kernel keyring the library would otherwise have fallen back to.
  const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
  const service = keychainOf(home).service;
  let kernelValue: string | null = null;
  try {
    kernelValue = new Entry(service, 'api-key', { linux: { store: 'keyutils' } }).getPassword();
  } catch {
    kernelValue = null;
  }
  assert.equal(kernelValue, null);
});

test('on a terminal, secrets add prompts and does not echo the value', { skip: process.platform !== 'linux' ? 'uses util-linux script(1) for a pseudo-terminal' : false }, async (t) => {
  const home = tempDir(t);
  const value = 'tty-typed-secret-51d2';
  // script(1) gives the CLI a real pseudo-terminal; its output is everything the terminal showed.
  const child = spawn('script', ['-qec', `${process.execPath} ${BIN} --home ${home} secrets add typed`, '/dev/null'], { env: envWith({}) });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    // Type only once the prompt is up: the terminal echoes anything typed before raw mode is on.
    if (screen.includes('(input hidden): ') && !child.stdin.writableEnded) child.stdin.end(`${value}\r`);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, screen);
  assert.match(screen, /Value for secret typed \(input hidden\): /);
  assert.ok(!screen.includes(value), `the typed value was echoed: ${JSON.stringify(screen)}`);
  assert.match(screen, /Stored secret "typed"/);
  const keychain = keychainOf(home);
  assert.equal(keychain.get('typed'), value);
  keychain.delete('typed');
});
