/**
 * Attacks on `serve` that the red team tried and that held (issue 11, "What held"), replayed against
 * a real `serve` so none regresses: Host and DNS-rebinding variants, the Origin x Sec-Fetch-Site x
 * Content-Type CSRF matrix, path traversal on the static UI, prototype-pollution bodies, header and
 * body limits, and a crowd of slow connections. Refused requests change nothing in the database.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { databaseChecksum } from '../helpers/db.ts';
import { rawRequest, startServe, type RawResponse, type Served } from '../helpers/serve.ts';

const portOf = (served: Served): number => Number(new URL(served.url).port);

function api(served: Served, options: { method?: string; path: string; headers?: Record<string, string>; body?: string; key?: boolean }): Promise<RawResponse> {
  return rawRequest(served.url, {
    method: options.method,
    path: `/api/v1${options.path}`,
    body: options.body,
    headers: { ...(options.key === false ? {} : { authorization: `Bearer ${served.key}` }), ...options.headers },
  });
}

const registration = (name: string): string => JSON.stringify({ name, server_url: `https://${name}.example.com/mcp`, description: 'held' });

test('DNS rebinding: every Host that is not one of our loopback names is refused, with a good key, before anything else', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const port = portOf(served);
  const before = databaseChecksum(served.home);
  const hostile = [
    'evil.example',
    `evil.example:${port}`,
    '127.0.0.1',
    'localhost',
    `127.0.0.1:${port + 1}`,
    `localhost:${port + 1}`,
    `127.0.0.2:${port}`,
    `0.0.0.0:${port}`,
    `127.1:${port}`,
    `2130706433:${port}`,
    `0x7f000001:${port}`,
    `0177.0.0.1:${port}`,
    `127.0.0.1.:${port}`,
    `localhost.:${port}`,
    `127.0.0.1:${port}.evil.example`,
    `localhost:${port}.evil.example`,
    `127.0.0.1:${port}@evil.example`,
    `evil.example#127.0.0.1:${port}`,
    `evil.localhost:${port}`,
    `localhost.localdomain:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `[::ffff:127.0.0.1]:${port}`,
    `[::1]:${port + 1}`,
    `127.0.0.1:0${port}`,
    `127.0.0.1:${port}:${port}`,
    `127.0.0.1:+${port}`,
    `xn--80ak6aa92e.com:${port}`,
    `${'a'.repeat(300)}:${port}`,
  ];
  assert.ok(hostile.length >= 27);
  for (const host of hostile) {
    for (const [method, path, body] of [['GET', '/mcp-servers', undefined], ['POST', '/mcp-servers', registration('rebound')], ['GET', '/health', undefined]] as const) {
      const r = await api(served, { method, path, body, headers: { host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } });
      assert.equal(r.status, 403, `${method} ${path} with Host ${host}`);
      assert.equal((JSON.parse(r.text) as { error: { field: string } }).error.field, 'Host');
    }
    // The static UI and the login page sit behind the same check.
    for (const path of ['/', '/login?token=x', '/index.html']) assert.equal((await rawRequest(served.url, { path, headers: { host } })).status, 403, `${path} with Host ${host}`);
  }
  // A request with no Host at all is refused by the HTTP layer or by us, never served.
  const bare = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end('GET /api/v1/health HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve(text));
  });
  assert.match(bare, /^HTTP\/1\.[01] (400|403) /);
  // Our own names, in any letter case, still answer.
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) assert.equal((await api(served, { path: '/health', headers: { host } })).status, 200, host);
  assert.equal(databaseChecksum(served.home), before, 'no refused request changed the database');
});

test('CSRF: of 384 Origin x Sec-Fetch-Site x Content-Type combinations, only our own origin sending JSON can change anything', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const port = portOf(served);
  const ours = [served.url, `http://localhost:${port}`];
  const foreign = ['https://evil.example', 'null', `http://127.0.0.1:${port + 1}`, `http://127.0.0.2:${port}`, `https://127.0.0.1:${port}`, `http://127.0.0.1:${port}.evil.example`];
  const fetchSites = ['', 'none', 'same-origin', 'same-site', 'cross-site', 'bogus'];
  const types = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/csp-report', ''];
  let combinations = 0;
  let accepted = 0;
  for (const origin of [...ours, ...foreign]) {
    for (const site of fetchSites) {
      for (const type of types) {
        combinations++;
        const name = `csrf-${combinations}`;
        const headers: Record<string, string> = { origin };
        if (site !== '') headers['sec-fetch-site'] = site;
        if (type !== '') headers['content-type'] = type;
        const r = await api(served, { method: 'POST', path: '/mcp-servers', body: registration(name), headers });
        const json = type.startsWith('application/json');
        const ok = r.status >= 200 && r.status < 300;
        if (ok) accepted++;
        if (!ours.includes(origin) || !json) assert.ok(!ok, `${origin} / ${site || '(no Sec-Fetch-Site)'} / ${type || '(no Content-Type)'} was accepted (${r.status})`);
        else if (site === '' || site === 'same-origin') assert.ok(ok, `our own page's request ${origin} / ${site || '-'} / ${type} was refused: ${r.status} ${r.text}`);
        assert.ok(!Object.keys(r.headers).some((h) => h.startsWith('access-control-')), 'never a CORS header');
      }
    }
  }
  assert.equal(combinations, 384);
  const listed = JSON.parse((await api(served, { path: '/mcp-servers?limit=500' })).text) as { items: { name: string }[] };
  assert.equal(listed.items.filter((s) => s.name.startsWith('csrf-')).length, accepted, 'exactly the accepted requests registered a server');
});

test('path traversal: no spelling of a path outside the UI folder reads a file there', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const home = served.home.replace(/^\//, '');
  const attempts = [
    '/../../../../etc/passwd', '/..%2f..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%252f..%252f..%252fetc%252fpasswd', '/%252e%252e/%252e%252e/etc/passwd', '/..\\..\\..\\..\\etc\\passwd', '/..%5c..%5c..%5c..%5cetc%5cpasswd',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '/%c0%af..%c0%af..%c0%afetc%c0%afpasswd', '/..%c1%9c..%c1%9cetc%c1%9cpasswd', '/%e0%80%ae%e0%80%ae/etc/passwd',
    '/assets/../../../../etc/passwd', '/assets/..%2f..%2f..%2f..%2fetc/passwd', '/./.././.././../etc/passwd', '/....//....//....//etc/passwd',
    '/..;/..;/..;/etc/passwd', '/etc/passwd', '//etc/passwd', '///etc/passwd', '/%2fetc%2fpasswd', '/%2F%2Fetc%2Fpasswd',
    '/../../../../etc/passwd%00.html', '/index.html%00/../../../../etc/passwd', '/%00../../../../etc/passwd', '/..%00/..%00/etc/passwd',
    '/..%u2216..%u2216etc%u2216passwd', '/%uff0e%uff0e/%uff0e%uff0e/etc/passwd', '/%e2%80%a5/etc/passwd', '/..%ef%bc%8f..%ef%bc%8fetc%ef%bc%8fpasswd',
    '/index.html/../../../../etc/passwd', '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/.%2e/.%2e/.%2e/.%2e/etc/passwd', '/%2e./%2e./%2e./%2e./etc/passwd',
    '/../../../../proc/self/environ', '/../../../../proc/self/cmdline', '/..%2f..%2f..%2f..%2fproc%2fself%2fenviron', `/../../../../${home}/warden.db`,
    `/..%2f..%2f..%2f..%2f${home.replaceAll('/', '%2f')}%2fwarden.db`, '/../../../../root/.ssh/id_rsa', '/../package.json', '/..%2fpackage.json',
    '/../../package.json', '/%2e%2e/%2e%2e/package.json', '/../../core/store/database.ts', '/../main/index.js',
  ];
  assert.ok(attempts.length >= 46, `${attempts.length} attempts`);
  for (const path of attempts) {
    const r = await rawRequest(served.url, { path });
    assert.doesNotMatch(r.text, /root:x?:0:0|SQLite format 3|"name": "mcp-warden"|MCP_WARDEN_HOME=|PRIVATE KEY|app\.whenReady|openStore/, `${path} (${r.status}) read a file outside the UI folder`);
    assert.ok([200, 301, 302, 303, 308, 400, 403, 404].includes(r.status), `${path}: ${r.status}`);
    if (r.status === 200) assert.match(String(r.headers['content-type']), /^text\/html/, `${path}: only the app shell answers 200`);
  }
  assert.equal(served.output().stderr, '', 'no traversal attempt was an internal error');
});

test('prototype pollution: 34 hostile bodies are answered without a 500, pollute nothing, and leave the data as it was', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  assert.equal((await api(served, { method: 'POST', path: '/mcp-servers', body: registration('target'), headers: { 'content-type': 'application/json' } })).status, 201);
  const proto = (payload: string): string => payload;
  const bodies: [string, string, string][] = [];
  const objects = ['{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"__proto__":{"isAdmin":true,"polluted":"yes"}}', '{"prototype":{"polluted":"yes"}}'];
  for (const o of objects) {
    bodies.push(['POST', '/mcp-servers', `{"name":"p${bodies.length}","server_url":"https://p.example.com/mcp","__proto__":{"polluted":"yes"}}`]);
    bodies.push(['POST', '/mcp-servers', `{"name":"p${bodies.length}","server_url":"https://p.example.com/mcp","headers":${o}}`]);
    bodies.push(['POST', '/mcp-servers', `{"name":"p${bodies.length}","server_url":"stdio://p","command":"/bin/true","env_template":${o}}`]);
    bodies.push(['PATCH', '/mcp-servers/target', proto(o)]);
    bodies.push(['PATCH', '/mcp-servers/target', `{"headers":${o}}`]);
    bodies.push(['POST', '/agents', `{"name":"a${bodies.length}","metadata":${o}}`]);
    bodies.push(['POST', '/scan', o]);
  }
  bodies.push(['PUT', '/settings/theme', '{"value":{"__proto__":{"polluted":"yes"}}}']);
  bodies.push(['PUT', '/settings/theme', '{"__proto__":{"value":"dark"}}']);
  bodies.push(['POST', '/mcp-servers', '{"__proto__":{"name":"viaproto","server_url":"https://x.example.com/mcp"}}']);
  bodies.push(['POST', '/mcp-servers', '{"name":"deep","server_url":"https://d.example.com/mcp","capabilities":[{"__proto__":{"polluted":"yes"}}]}']);
  bodies.push(['POST', '/mcp-servers', `{"name":"nested","server_url":"https://n.example.com/mcp","headers":{"a":{"b":{"__proto__":{"polluted":"yes"}}}}}`]);
  bodies.push(['POST', '/mcp-servers', '{"name":"ctor","server_url":"https://c.example.com/mcp","constructor":{"name":"polluted"}}']);
  assert.equal(bodies.length, 34);
  for (const [method, path, body] of bodies) {
    const r = await api(served, { method, path, body, headers: { 'content-type': 'application/json' } });
    assert.ok(r.status < 500, `${method} ${path} ${body}: ${r.status} ${r.text}`);
  }
  // Nothing the server answers afterwards carries a key that came from a prototype.
  for (const path of ['/mcp-servers?limit=500', '/mcp-servers/target', '/settings', '/agents', '/alerts', '/health']) {
    const r = await api(served, { path });
    assert.equal(r.status, 200, path);
    assert.doesNotMatch(r.text, /polluted|isAdmin/, `${path} shows a polluted key`);
  }
  assert.equal((JSON.parse((await api(served, { path: '/mcp-servers?q=viaproto' })).text) as { items: unknown[] }).items.length, 0, 'fields under __proto__ are not read as the body');
});

test('limits: oversized headers and bodies are refused, and a crowd of slow connections does not stop the API answering', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const port = portOf(served);
  const data = ['servers', 'alerts', 'audit_events', 'agents', 'settings'];
  const before = databaseChecksum(served.home, data);
  // A 1 MB header: the HTTP layer refuses it (431) rather than buffering it.
  const huge = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET /api/v1/mcp-servers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
  });
  assert.match(huge, /^HTTP\/1\.1 431 /);
  const body = await api(served, { method: 'POST', path: '/mcp-servers', body: JSON.stringify({ name: 'big', server_url: 'https://b.example.com/mcp', description: 'x'.repeat(3 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
  assert.equal(body.status, 413);

  // Slowloris: many connections that send half a request header and then a byte now and then.
  const crowd: net.Socket[] = [];
  t.after(() => {
    for (const s of crowd) s.destroy();
  });
  await Promise.all(
    Array.from({ length: 1500 }, () =>
      new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write(`GET /api/v1/mcp-servers HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
          resolve();
        });
        socket.on('error', () => resolve());
        crowd.push(socket);
      })),
  );
  const drip = setInterval(() => {
    for (const s of crowd) if (!s.destroyed) s.write('a');
  }, 1000);
  t.after(() => clearInterval(drip));
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const r = await api(served, { path: '/mcp-servers' });
    assert.equal(r.status, 200, 'the API answers with 1,500 slow connections open');
    assert.ok(Date.now() - started < 5_000, 'and answers in time');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  clearInterval(drip);
  assert.equal(databaseChecksum(served.home, data), before, 'the refused and the slow requests changed no data');
});
