/**
 * Finding 7 of issue 11: any web page could lock the API out. `<img src="http://127.0.0.1:PORT/
 * login?token=x">` sends no Origin, and each one drained the shared failure bucket, so valid keys
 * got 429 for as long as the page kept loading images; and another 127/8 source address got a
 * fresh bucket (30,000 guesses, no lockout).
 *
 * Replayed with a real `serve`, Debian's Chromium on a page served from another port of 127.0.0.1,
 * and clients bound to 127.0.0.2 and up. On the old code the valid key got 429 while the page ran,
 * and a wrong key from 127.0.0.1 right after 127.0.0.2 spent its attempts got 401 (a fresh bucket).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { clientKey } from '../../server/rate-limit.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { poll, sharedBrowser } from '../e2e/helpers/browser.ts';

sharedBrowser();

/** GET /api/v1/mcp-servers with `key`, from the local address given (any of 127/8). */
function fromAddress(served: Served, localAddress: string, key: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(served.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: hostname, port, path: '/api/v1/mcp-servers', localAddress, headers: { authorization: `Bearer ${key}` }, agent: false }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
  });
}

/** A page on another port that keeps asking serve for images: the login URL with a bad token, and API URLs. */
async function hostilePage(t: TestContext, target: string): Promise<string> {
  const html = `<!doctype html><title>hostile</title><script>
    let n = 0;
    setInterval(() => {
      for (const path of ['/login?token=x', '/api/v1/mcp-servers?token=x', '/login?token=' + n]) {
        const img = new Image();
        img.src = ${JSON.stringify(target)} + path + '&n=' + n++;
      }
      document.title = 'sent ' + n;
    }, 30);
  </script>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

test('a page on another port loading images from serve cannot lock a valid key out, during or after', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const url = await hostilePage(t, served.url);
  const browser = await sharedBrowser();
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(url);
  // Well past the burst of ten failures the old bucket allowed.
  await poll('the page to send 150 image requests', async () => Number((await page.title()).replace('sent ', '')) >= 150, 15_000);

  const during: number[] = [];
  for (let i = 0; i < 20; i++) {
    during.push((await served.request('GET', '/mcp-servers')).status);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(during, Array(20).fill(200), 'the valid key answers 200 while the page runs');
  await page.close();
  assert.equal((await served.request('GET', '/mcp-servers')).status, 200, 'and after');
});

test('every loopback source address is one client: guesses from 127.0.0.2 and up spend one bucket, and a valid key still passes', async (t) => {
  const served = await startServe(t, { args: ['--no-monitor'] });
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await fromAddress(served, '127.0.0.2', `mcpw_guess${i}`)).status);
  assert.deepEqual(statuses, Array(10).fill(401), 'the burst');
  let drained = false;
  for (let i = 0; i < 30 && !drained; i++) drained = (await fromAddress(served, '127.0.0.2', `mcpw_more${i}`)).status === 429;
  assert.ok(drained, '127.0.0.2 spent its attempts');
  // Spent from 127.0.0.2, the bucket is 127.0.0.1's too. (One attempt a second comes back; the next
  // request follows within milliseconds, so a 401 here means a bucket of its own, as on the old code.)
  const next = await fromAddress(served, '127.0.0.1', 'mcpw_guess-from-another-address');
  assert.equal(next.status, 429, `127.0.0.1 shares 127.0.0.2's bucket: ${next.text}`);
  assert.match(next.text, /Too many failed authentication attempts from this machine/);
  const started = Date.now();
  const spread = [];
  for (let i = 3; i < 30; i++) spread.push((await fromAddress(served, `127.0.0.${i}`, `mcpw_guess${i}`)).status);
  // At most one attempt per second elapsed may have come back; the old code answered all 27 with 401.
  const allowed = Math.floor((Date.now() - started) / 1000) + 1;
  assert.ok(spread.filter((s) => s === 401).length <= allowed && spread.every((s) => s === 401 || s === 429), `a new 127/8 address is no fresh bucket: ${spread.join(',')}`);
  // The real key, from any of those addresses, is never locked out.
  for (const address of ['127.0.0.1', '127.0.0.2', '127.0.0.29']) assert.equal((await fromAddress(served, address, served.key)).status, 200, address);
});

test('client keys: 127.0.0.0/8, ::1 and ::ffff:127.x are one loopback client; IPv6 counts by /64', () => {
  for (const address of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.9', '::FFFF:127.1.2.3']) assert.equal(clientKey(address), 'loopback', address);
  assert.equal(clientKey('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(clientKey('2001:db8::1'), clientKey('2001:db8:0:0:ffff::2'));
  assert.notEqual(clientKey('2001:db8::1'), clientKey('2001:db8:0:1::1'));
  assert.equal(clientKey('192.168.1.4'), '192.168.1.4');
});
