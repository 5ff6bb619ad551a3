import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { interpreterOf, launchShape, looksLikeFilePath, parseNpxArgs, parsePackageSpec, scriptCandidates } from '../../core/attest/launch.ts';
import { defaultNpmCacheDir, npxCacheKey } from '../../core/attest/npm-package.ts';
import { checksumMatches, normaliseChecksum } from '../../core/attest/publisher.ts';
import { decodeBase64, pae, parsePublicKey } from '../../core/attest/dsse.ts';

test('interpreters are recognised by basename, ignoring case and .exe', () => {
  assert.equal(interpreterOf('/usr/bin/node'), 'node');
  assert.equal(interpreterOf('C:\\Program Files\\nodejs\\NODE.EXE'), 'node');
  assert.equal(interpreterOf('/usr/bin/python'), 'python');
  assert.equal(interpreterOf('/usr/bin/python3'), 'python');
  assert.equal(interpreterOf('/usr/local/bin/python3.12'), 'python');
  assert.equal(interpreterOf('/home/u/.deno/bin/deno'), 'deno');
  assert.equal(interpreterOf('/home/u/.bun/bin/bun.exe'), 'bun');
  assert.equal(interpreterOf('/usr/bin/nodemon'), null);
  assert.equal(interpreterOf('/usr/bin/python2.7'), null);
  assert.equal(interpreterOf('/usr/bin/my-node'), null);
});

test('script candidates skip options, option values and run subcommands', () => {
  assert.deepEqual(scriptCandidates('node', ['--no-warnings', 'server.js', '--port', '1']), ['server.js', '1']);
  assert.deepEqual(scriptCandidates('node', ['-r', 'dotenv/config', 'dist/index.js']), ['dist/index.js']);
  assert.deepEqual(scriptCandidates('node', ['--require=./a.js', 'b.js']), ['b.js']);
  assert.deepEqual(scriptCandidates('node', ['-e', 'console.log(1)', 'x.js']), []);
  assert.deepEqual(scriptCandidates('node', ['--', '-weird.js']), ['-weird.js']);
  assert.deepEqual(scriptCandidates('python', ['-u', 'server.py']), ['server.py']);
  assert.deepEqual(scriptCandidates('python', ['-W', 'ignore', 'server.py']), ['server.py']);
  assert.deepEqual(scriptCandidates('python', ['-m', 'mcp_server_fetch']), []);
  assert.deepEqual(scriptCandidates('python', ['-um', 'mcp_server_fetch']), []);
  assert.deepEqual(scriptCandidates('deno', ['run', '-A', 'main.ts']), ['main.ts']);
  assert.deepEqual(scriptCandidates('deno', ['run', '--config', 'deno.json', 'main.ts']), ['main.ts']);
  assert.deepEqual(scriptCandidates('bun', ['run', 'x.ts']), ['x.ts']);
  assert.deepEqual(scriptCandidates('bun', ['x.ts']), ['x.ts']);
});

test('file-looking arguments are told from URLs and registry specifiers', () => {
  assert.equal(looksLikeFilePath('server.js'), true);
  assert.equal(looksLikeFilePath('dist/index'), true);
  assert.equal(looksLikeFilePath('C:\\srv\\main.ts'), true);
  assert.equal(looksLikeFilePath('https://deno.land/x/mod.ts'), false);
  assert.equal(looksLikeFilePath('npm:cowsay'), false);
  assert.equal(looksLikeFilePath('serve'), false);
});

test('npx and npm exec argument forms name the package they run', () => {
  assert.deepEqual(parseNpxArgs(['-y', '@modelcontextprotocol/server-memory@2026.8.31']), {
    specs: ['@modelcontextprotocol/server-memory@2026.8.31'], spec: '@modelcontextprotocol/server-memory@2026.8.31', command: '@modelcontextprotocol/server-memory@2026.8.31', cache: null,
  });
  assert.equal(parseNpxArgs(['--yes', 'pkg', '--flag'])?.spec, 'pkg');
  assert.deepEqual(parseNpxArgs(['-p', 'pkg@1', 'pkg-bin', 'arg']), { specs: ['pkg@1'], spec: 'pkg@1', command: 'pkg-bin', cache: null });
  assert.deepEqual(parseNpxArgs(['--package=@s/p@2', '-p', 'other', '--', 'p-bin']), { specs: ['@s/p@2', 'other'], spec: '@s/p@2', command: 'p-bin', cache: null });
  assert.deepEqual(parseNpxArgs(['--package', '@s/p']), { specs: ['@s/p'], spec: '@s/p', command: 'p', cache: null });
  assert.equal(parseNpxArgs(['--cache', '/c', 'pkg'])?.cache, '/c');
  assert.equal(parseNpxArgs(['-c', 'echo hi']), null);
  assert.equal(parseNpxArgs(['-y']), null);

  const exec = launchShape('/usr/bin/npm', ['exec', '--yes', '--package=tool@3', '--', 'tool', '--stdio']);
  assert.equal(exec.kind === 'package-runner' && exec.launcher, 'npm-exec');
  assert.equal(exec.kind === 'package-runner' && exec.package?.spec, 'tool@3');
  assert.equal(launchShape('/usr/bin/npm', ['run', 'start']).kind, 'executable');
  assert.equal(launchShape('C:\\nodejs\\npx.cmd', ['-y', 'a']).kind, 'package-runner');
  assert.equal(launchShape('/usr/local/bin/mcp-server', ['x.js']).kind, 'executable');
});

test('package specs split into name and range', () => {
  assert.deepEqual(parsePackageSpec('@scope/name@1.2.3'), { name: '@scope/name', range: '1.2.3' });
  assert.deepEqual(parsePackageSpec('@scope/name'), { name: '@scope/name', range: null });
  assert.deepEqual(parsePackageSpec('name@^1'), { name: 'name', range: '^1' });
  assert.deepEqual(parsePackageSpec('name'), { name: 'name', range: null });
  assert.equal(parsePackageSpec('github:user/repo'), null);
  assert.equal(parsePackageSpec('./local-dir'), null);
});

test('the npx cache key is the first 16 hex digits of the SHA-512 of the sorted specs', () => {
  const expected = createHash('sha512').update('a@1\nb@2').digest('hex').slice(0, 16);
  assert.equal(npxCacheKey(['b@2', 'a@1']), expected);
  assert.notEqual(npxCacheKey(['a@1']), expected);
  assert.equal(defaultNpmCacheDir({ homeDir: '/home/u', env: {}, platform: 'linux' }), '/home/u/.npm');
  assert.equal(defaultNpmCacheDir({ homeDir: '/home/u', env: { npm_config_cache: '/c' }, platform: 'linux' }), '/c');
});

test('PAE is "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, with byte lengths', () => {
  assert.equal(Buffer.from(pae('a/b', Buffer.from('hello'))).toString('utf8'), 'DSSEv1 3 a/b 5 hello');
  // Lengths count UTF-8 bytes, not characters.
  assert.equal(Buffer.from(pae('é', Buffer.from('€'))).toString('utf8'), 'DSSEv1 2 é 3 €');
  assert.equal(Buffer.from(pae('t', new Uint8Array())).toString('utf8'), 'DSSEv1 1 t 0 ');
});

test('keys, base64 and checksums are parsed strictly', () => {
  const key = `ed25519:${Buffer.alloc(32, 7).toString('base64')}`;
  assert.equal(parsePublicKey(key)?.length, 32);
  assert.equal(parsePublicKey(key.replace('ed25519:', 'ed448:')), null);
  assert.equal(parsePublicKey(`ed25519:${Buffer.alloc(31, 7).toString('base64')}`), null);
  assert.equal(decodeBase64('AAAA!'), null);
  assert.equal(decodeBase64('AB=='), null, 'stray bits after the last full byte are refused');
  assert.equal(normaliseChecksum(`sha256:${'AB'.repeat(32)}`), `sha256:${'ab'.repeat(32)}`);
  assert.throws(() => normaliseChecksum('md5:abc'), /not sha256:<64 hex digits> or an npm integrity string/);
  assert.throws(() => normaliseChecksum('sha512-AAAA'), /not sha256/);
  const hex = 'cd'.repeat(32);
  const file = { kind: 'script' as const, path: '/x.js', checksum: `sha256:${hex}` };
  assert.equal(checksumMatches(file, `sha256:${hex}`), true);
  assert.equal(checksumMatches(file, `sha256-${Buffer.from(hex, 'hex').toString('base64')}`), true);
  assert.equal(checksumMatches(file, `sha256:${'ce'.repeat(32)}`), false);
  const integrity = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
  const pkg = { kind: 'package' as const, path: '/nm/p', checksum: `sha1-${Buffer.alloc(20, 2).toString('base64')} ${integrity}` };
  assert.equal(checksumMatches(pkg, integrity), true);
  assert.equal(checksumMatches(pkg, `sha512-${Buffer.alloc(64, 3).toString('base64')}`), false);
  assert.throws(() => checksumMatches(pkg, `sha256:${hex}`), /SRI string/);
});
