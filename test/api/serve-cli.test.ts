/**
 * `mcp-warden serve` and `mcp-warden api-key` as a user runs them: flags checked before anything is
 * opened, start-up lines, one monitor per data directory, a clean stop, keys shown once and stored
 * hashed, the one-time login link and the session its page trades it for, and HTTPS for a remote bind.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import type { ApiKeyInfo } from '../../core/api/rest.ts';
import { cli, cliAsync, tempDir } from '../helpers/cli.ts';
import { fakeHome } from '../helpers/fake-home.ts';
import { rawRequest, startServe } from '../helpers/serve.ts';

test('serve refuses unsafe or malformed flags before it opens anything', async (t) => {
  const home = path.join(tempDir(t), 'data');
  const run = (...args: string[]) => cli(['--home', home, 'serve', ...args]);
  const cert = path.join(tempDir(t), 'missing.pem');
  for (const [args, code, message] of [
    [['--host', '0.0.0.0'], 2, 'mcp-warden: Serving on 0.0.0.0 is refused: MCP Warden listens on loopback only, unless --allow-remote is given together with --tls-cert and --tls-key.\n'],
    [['--host', '192.168.1.5', '--allow-remote'], 2, 'mcp-warden: Serving on 192.168.1.5 is refused: MCP Warden listens on loopback only, unless --allow-remote is given together with --tls-cert and --tls-key.\n'],
    [['--tls-cert', cert], 2, 'mcp-warden: Give both --tls-cert and --tls-key, or neither.\n'],
    [['--port', '70000'], 2, 'mcp-warden: --port takes a port number from 0 to 65535 (0 picks a free one), not "70000".\n'],
    [['--port', 'http'], 2, 'mcp-warden: --port takes a port number from 0 to 65535 (0 picks a free one), not "http".\n'],
    [['--public-host', 'warden.example'], 2, 'mcp-warden: --public-host names a remote bind: it needs --allow-remote (with TLS).\n'],
    [['--host', '0.0.0.0', '--allow-remote', '--tls-cert', cert, '--tls-key', cert], 1, `mcp-warden: Cannot read tls-cert ${cert}: no such file.\n`],
  ] as const) {
    const r = run(...args);
    assert.deepEqual([r.code, r.stderr, r.stdout], [code, message, ''], args.join(' '));
  }
  assert.equal(existsSync(home), false, 'a refused serve creates no data directory');

  // A port in use is a failed operation, said in one sentence.
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const busy = await cliAsync(['--home', home, 'serve', '--port', String(port), '--no-monitor']);
  assert.deepEqual([busy.code, busy.stderr, busy.stdout], [1, `mcp-warden: Port ${port} on 127.0.0.1 is already in use: stop what uses it, or pass --port with another port (0 picks a free one).\n`, '']);
});

test('serve prints its URL and login link, runs the monitor unless another process holds it, and stops cleanly', async (t) => {
  const fake = fakeHome(t);
  const first = await startServe(t, { fake });
  const port = new URL(first.url).port;
  const lines = first.output().stdout.split('\n');
  assert.equal(lines[0], `MCP Warden API on http://127.0.0.1:${port}/api/v1`);
  assert.match(lines[1] ?? '', new RegExp(`^Open the web UI: http://127\\.0\\.0\\.1:${port}/login#token=[A-Za-z0-9_-]{43}$`));
  assert.match(lines[2] ?? '', new RegExp(`^Watching \\d+ client config locations for ${first.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.$`));
  assert.equal(lines[3], 'Press Ctrl-C to stop.');

  // A second serve on the same data directory serves the same data without a second monitor.
  const second = await startServe(t, { home: first.home, fake, keyName: 'second' });
  assert.match(second.output().stdout, new RegExp(`^Another monitor \\(pid ${first.child.pid}\\) watches this data directory; serving without watching\\.$`, 'm'));
  assert.equal((await second.request('GET', '/mcp-servers')).status, 200);
  const watch = cli(['--home', first.home, 'watch'], { env: fake.env });
  assert.equal(watch.code, 1, 'watch is refused while serve monitors');
  assert.match(watch.stderr, /Another MCP Warden monitor \(pid \d+ on .+\) is already watching/);

  // SIGTERM: exit 0 and the monitor lease is released, so the next serve watches.
  assert.equal(await second.stop(), 0);
  assert.equal(await first.stop(), 0);
  const third = await startServe(t, { home: first.home, fake, keyName: false });
  assert.match(third.output().stdout, /^Watching \d+ client config locations/m);
  const noMonitor = await startServe(t, { fake, keyName: false, args: ['--no-monitor'] });
  assert.match(noMonitor.output().stdout, /^Not watching client configs \(--no-monitor\)\.$/m);
});

test('api-key: the key is shown once, stored only as a hash, listed without it, and revoked at once', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'], keyName: false });
  const human = served.cli('api-key', 'create', '--name', 'ci');
  assert.equal(human.code, 0, human.stderr);
  const key = /^(mcpw_[A-Za-z0-9_-]{43})$/m.exec(human.stdout)?.[1] as string;
  assert.ok(key !== undefined, human.stdout);
  assert.match(human.stdout, /^Created API key "ci"\. It is shown this once; keep it somewhere safe:\n/);
  const json = served.cli('api-key', 'create', '--name', 'agent', '--json');
  const created = JSON.parse(json.stdout) as { name: string; key: string };
  assert.deepEqual(Object.keys(created), ['name', 'key']);
  assert.equal(created.name, 'agent');

  const duplicate = served.cli('api-key', 'create', '--name', 'ci');
  assert.deepEqual([duplicate.code, duplicate.stdout], [1, '']);
  assert.match(duplicate.stderr, /^mcp-warden: An API key named "ci" already exists/);
  const badName = served.cli('api-key', 'create', '--name', 'a b');
  assert.equal(badName.code, 2);
  assert.equal(served.cli('api-key', 'create').code, 2, '--name is required');

  const listed = JSON.parse(served.cli('api-key', 'list', '--json').stdout) as { api_keys: ApiKeyInfo[] };
  assert.deepEqual(listed.api_keys.map((k) => [k.name, k.revoked_at]), [['ci', null], ['agent', null]]);
  assert.equal(listed.api_keys[0]?.prefix, key.slice(0, 12));
  const table = served.cli('api-key', 'list').stdout;
  assert.match(table, /^NAME\s+PREFIX\s+CREATED\s+LAST USED\s+STATE\n/);
  for (const output of [table, JSON.stringify(listed)]) assert.ok(!output.includes(key) && !output.includes(created.key), 'list never shows a key');
  for (const file of readdirSync(served.home)) assert.ok(!readFileSync(path.join(served.home, file)).includes(Buffer.from(key)), `${file} holds the key`);

  const use = (k: string) => fetch(`${served.api}/mcp-servers`, { headers: { authorization: `Bearer ${k}` } }).then((r) => r.status);
  assert.deepEqual([await use(key), await use(created.key)], [200, 200]);
  const revoked = served.cli('api-key', 'revoke', 'ci');
  assert.deepEqual([revoked.code, revoked.stdout], [0, 'Revoked API key "ci": requests using it are refused from now on.\n']);
  assert.deepEqual([await use(key), await use(created.key)], [401, 200], 'the running serve refuses the revoked key at once');
  const again = served.cli('api-key', 'revoke', 'ci');
  assert.deepEqual([again.code, again.stderr], [1, 'mcp-warden: No active API key is named "ci".\n']);
  const after = JSON.parse(served.cli('api-key', 'list', '--json').stdout) as { api_keys: ApiKeyInfo[] };
  assert.ok(after.api_keys[0]?.revoked_at !== null && after.api_keys[0]?.last_used_at !== null);
});

test('the login link holds its token in the fragment; the page trades it once for a session sent as a Bearer credential; no cookie is set or read', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const origin = served.url;
  const link = new URL(served.loginUrl);
  assert.equal(link.pathname, '/login');
  const token = link.hash.replace(/^#token=/, '');

  // Without a session the shell of the UI loads (public files), the API does not.
  const page = await rawRequest(origin, { path: '/' });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  assert.deepEqual([page.headers['x-frame-options'], page.headers['x-content-type-options'], page.headers['referrer-policy']], ['DENY', 'nosniff', 'no-referrer']);
  assert.equal((await rawRequest(origin, { path: '/api/v1/mcp-servers' })).status, 401);

  // The login page is the app (which reads the fragment); what a browser requests has no token in it.
  const loginPage = await rawRequest(origin, { path: '/login' });
  assert.deepEqual([loginPage.status, loginPage.headers['content-type'], loginPage.headers['set-cookie']], [200, 'text/html; charset=utf-8', undefined]);
  const trade = (body: unknown) => rawRequest(origin, { method: 'POST', path: '/login', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });
  const login = await trade({ token });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.headers['set-cookie'], undefined, 'no cookie');
  assert.equal(login.headers['cache-control'], 'no-store');
  const session = (JSON.parse(login.text) as { session: string }).session;
  assert.match(session, /^mcpws_[A-Za-z0-9_-]{43}$/);
  const reused = await trade({ token });
  assert.equal(reused.status, 403, 'the link works once');
  assert.match(reused.text, /This login link is not valid/);
  assert.equal((await trade({ token: 'guess' })).status, 403);
  assert.equal((await trade({ tokens: token })).status, 400);
  assert.equal((await rawRequest(origin, { method: 'PUT', path: '/login' })).headers.allow, 'GET, HEAD, POST');

  const bearer = { authorization: `Bearer ${session}` };
  assert.equal((await rawRequest(origin, { path: '/api/v1/mcp-servers', headers: bearer })).status, 200);
  // A header credential cannot be attached by another site's page, so a change needs no second lock.
  const body = JSON.stringify({ name: 'from-ui', server_url: 'https://ui.example/mcp' });
  const created = await rawRequest(origin, { method: 'POST', path: '/api/v1/mcp-servers', headers: { ...bearer, 'content-type': 'application/json' }, body });
  assert.equal(created.status, 201, created.text);
  assert.equal((await rawRequest(origin, { method: 'DELETE', path: '/api/v1/mcp-servers/from-ui', headers: bearer })).status, 200);
  const forged = await rawRequest(origin, { path: '/api/v1/mcp-servers', headers: { authorization: 'Bearer mcpws_forged' } });
  assert.equal(forged.status, 401);
  assert.match(forged.text, /The session has ended/);
  // A cookie is no credential any more, even one holding a live session; an old one is cleared.
  const asCookie = await rawRequest(origin, { path: '/api/v1/mcp-servers', headers: { cookie: `mcp_warden_session=${session}` } });
  assert.equal(asCookie.status, 401);
  assert.equal(String(asCookie.headers['set-cookie']), 'mcp_warden_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
  const elsewhere = await rawRequest(origin, { method: 'POST', path: '/api/v1/mcp-servers', headers: { ...bearer, 'content-type': 'application/json', origin: 'http://localhost:1' }, body });
  assert.equal(elsewhere.status, 403);

  // Paths outside the UI build are never read, however they are spelt.
  for (const p of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json', '/%00']) {
    const r = await rawRequest(origin, { path: p });
    assert.ok(!r.text.includes('"name": "mcp-warden"'), p);
    assert.notEqual(r.headers['content-type'], 'application/json; charset=utf-8', p);
  }
  assert.equal((await rawRequest(origin, { method: 'POST', path: '/' })).status, 405);
});

test('a remote bind needs TLS: it serves HTTPS, answers its public name and refuses others, and signs the UI in over it', async (t) => {
  const dir = tempDir(t);
  const pems = await generate([{ name: 'commonName', value: 'warden.test' }], { keySize: 2048, extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'warden.test' }, { type: 7, ip: '127.0.0.1' }] }] });
  writeFileSync(path.join(dir, 'cert.pem'), pems.cert);
  writeFileSync(path.join(dir, 'key.pem'), pems.private);
  const served = await startServe(t, { args: ['--no-monitor', '--host', '0.0.0.0', '--allow-remote', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem'), '--public-host', 'warden.test'] });
  const port = new URL(served.url).port;
  assert.equal(served.url, `https://warden.test:${port}`);

  const https = await import('node:https');
  const get = (host: string, urlPath: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: urlPath, ca: pems.cert, servername: 'warden.test', headers: { host, ...headers } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        })
        .on('error', reject);
    });
  assert.equal((await get(`warden.test:${port}`, '/api/v1/mcp-servers', { authorization: `Bearer ${served.key}` })).status, 200);
  assert.equal((await get(`127.0.0.1:${port}`, '/api/v1/health')).status, 200, 'a wildcard bind also answers loopback names');
  assert.equal((await get(`evil.example:${port}`, '/api/v1/health')).status, 403);
  const token = new URL(served.loginUrl).hash.replace(/^#token=/, '');
  const login = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const body = JSON.stringify({ token });
    const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/login', ca: pems.cert, servername: 'warden.test', headers: { host: `warden.test:${port}`, origin: `https://warden.test:${port}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(login.status, 200, login.text);
  const session = (JSON.parse(login.text) as { session: string }).session;
  assert.equal((await get(`warden.test:${port}`, '/api/v1/mcp-servers', { authorization: `Bearer ${session}` })).status, 200);
});
