/**
 * Finding 5 of issue 11: cookies are not isolated by port, so after logging in to the web UI every
 * other web server on 127.0.0.1 that the browser visited received the session cookie, and a script
 * replaying it (with a forged Origin) registered `/bin/sh -c …` and probed it: the command ran.
 *
 * Replayed with a real `serve`, Debian's Chromium and a second HTTP server on another port of
 * 127.0.0.1 that records every request it receives: after logging in through the printed link, the
 * same browser visits it; it must receive no MCP Warden credential, and replaying anything it
 * received registers and runs nothing (the command would leave a marker file).
 *
 * On the old code the second server received `Cookie: mcp_warden_session=…`, and the replay
 * answered 201 and then ran the command.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { tempDir } from '../helpers/cli.ts';
import { rawRequest, startServe, type Served } from '../helpers/serve.ts';
import { poll, SESSION_STORAGE_KEY, sharedBrowser, type PageWindow } from '../e2e/helpers/browser.ts';

sharedBrowser();

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** Another local web server (another app, a hostile HTTP MCP server): serves a page that calls back to itself, and records every request. */
async function otherServer(t: TestContext): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if ((req.url ?? '').split('?')[0] === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>other</title><img src="/pixel.gif"><script>fetch("/beacon", { credentials: "include" }).then(() => (document.title = "done"));</script>');
      return;
    }
    res.writeHead(204);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** Replays a recorded request's headers against serve's API, with serve's own Origin forged in: register the marker command, then probe it. */
async function replay(served: Served, headers: http.IncomingHttpHeaders, marker: string): Promise<number[]> {
  const copied: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (['host', 'content-length', 'connection', 'origin', 'referer'].includes(name) || value === undefined) continue;
    copied[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const forged = { ...copied, origin: served.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };
  const register = await rawRequest(served.url, { method: 'POST', path: '/api/v1/mcp-servers', headers: forged, body: JSON.stringify({ name: 'replayed', server_url: 'stdio://replayed', command: '/bin/sh', args: ['-c', `touch ${marker}`] }) });
  const probe = await rawRequest(served.url, { method: 'POST', path: '/api/v1/mcp-servers/replayed/probe', headers: forged, body: JSON.stringify({ consent: true }) });
  return [register.status, probe.status];
}

const credentialIn = (r: Received, secrets: readonly string[]): string | undefined => {
  for (const [name, value] of Object.entries(r.headers)) {
    const text = String(value);
    if (name === 'cookie' || name === 'authorization') return `${name}: ${text}`;
    if (text.includes('mcp_warden') || text.includes('mcpws_') || secrets.some((s) => s !== '' && text.includes(s))) return `${name}: ${text}`;
  }
  return undefined;
};

test('after logging in, another port of 127.0.0.1 receives no credential, and replaying what it received runs nothing', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const other = await otherServer(t);
  const marker = path.join(tempDir(t, 'mcp-warden-marker-'), 'ran');
  const token = new URL(served.loginUrl).hash.replace(/^#token=/, '');

  const browser = await sharedBrowser();
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(served.loginUrl);
  await page.getByRole('heading', { level: 1, name: 'Registry' }).waitFor({ timeout: 15_000 });
  const state = await page.evaluate((key) => {
    const w = globalThis as unknown as PageWindow & { sessionStorage: { getItem(k: string): string | null } };
    return { hash: w.location.hash, session: w.sessionStorage.getItem(key) };
  }, SESSION_STORAGE_KEY);

  // The same browser, signed in, visits the other server: top-level page, an image, a fetch with credentials.
  const visit = await context.newPage();
  await visit.goto(other.url);
  await poll('the other page to call back', async () => (await visit.title()) === 'done');
  await page.goto(`${other.url}/?again`);
  assert.ok(other.received.length >= 4, `the other server was visited: ${other.received.map((r) => r.url).join(', ')}`);
  for (const r of other.received) assert.equal(credentialIn(r, [state.session ?? '', token]), undefined, `${r.method} ${r.url} carried a credential`);

  // Whatever it received, replayed as a script would (with our Origin forged), registers and runs nothing.
  for (const r of other.received) assert.deepEqual(await replay(served, r.headers, marker), [401, 401], `replaying ${r.url}`);
  assert.equal(existsSync(marker), false, 'the command never ran');
  assert.equal((await served.request<{ total: number }>('GET', '/mcp-servers')).json.total, 0, 'nothing was registered');

  // The token left the address bar, the session is in the tab that logged in, and there is no cookie at all.
  assert.equal(state.hash, '#/', 'the token left the address bar');
  assert.match(state.session ?? '', /^mcpws_/, 'signed in: the session is in this tab');
  assert.deepEqual(await context.cookies(), [], 'no cookie at all');

  // The session survives a reload of its own tab (sessionStorage), and no other tab has it.
  await page.goto(`${served.url}/#/`);
  await page.getByRole('heading', { level: 1, name: 'Registry' }).waitFor({ timeout: 15_000 });
  const fresh = await context.newPage();
  await fresh.goto(`${served.url}/#/`);
  await fresh.getByText('Not signed in: open the login link').waitFor({ timeout: 15_000 });
});

test('a session cookie left by an older version is cleared on the next visit and no longer reaches other ports', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const other = await otherServer(t);
  const browser = await sharedBrowser();
  const context = await browser.newContext();
  t.after(() => context.close());
  await context.addCookies([{ name: 'mcp_warden_session', value: 'left-by-an-older-version', domain: '127.0.0.1', path: '/', httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(served.loginUrl);
  await page.getByRole('heading', { level: 1, name: 'Registry' }).waitFor({ timeout: 15_000 });
  assert.deepEqual((await context.cookies()).map((c) => c.name), [], 'serve cleared it');
  await page.goto(other.url);
  await poll('the other page to call back', async () => (await page.title()) === 'done');
  for (const r of other.received) assert.equal(r.headers.cookie, undefined, `${r.url} still received a cookie`);
  // And serve never took a cookie for a credential.
  const withCookie = await rawRequest(served.url, { path: '/api/v1/mcp-servers', headers: { cookie: 'mcp_warden_session=left-by-an-older-version' } });
  assert.equal(withCookie.status, 401);
});
