/**
 * Finding 5 of issue 11, second half: registering a stdio command through the API (an API key, or
 * a session someone replays) must not make it run without a person confirming it in the UI or the
 * CLI. Replayed against a real `serve`, the real CLI and Chromium, with a command that leaves a
 * marker file when it runs: `/bin/sh -c 'touch <marker>'`.
 *
 * On the old code the registration was `approved` at once and `POST …/probe` ran it (the marker
 * appeared at the first probe below).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commandLineOf } from '../../core/api/command-line.ts';
import type { ServerView } from '../../core/api/rest.ts';
import { tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { openPage, poll, sharedBrowser, signIn, goto } from '../e2e/helpers/browser.ts';
import { startServe } from '../helpers/serve.ts';

sharedBrowser();

type ErrorBody = { error: { code: string; message: string; field?: string } };

test('a command line registered or changed with an API key waits for a person: probe, consent, approve, attach and the allow setting start nothing', async (t) => {
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({}));
  const served = await startServe(t, { fake });
  const dir = tempDir(t, 'mcp-warden-marker-');
  const marker = path.join(dir, 'ran');
  const ran = () => existsSync(marker);

  const registered = await served.request<ServerView>('POST', '/mcp-servers', { name: 'touchy', server_url: 'stdio://touchy', command: '/bin/sh', args: ['-c', `touch ${marker}`] });
  assert.equal(registered.status, 201, registered.text);
  assert.equal(registered.json.status, 'pending');
  const line = commandLineOf(registered.json);
  assert.equal(line, `/bin/sh -c 'touch ${marker}'`);

  const refused = async (method: string, urlPath: string, body: unknown, words: RegExp, field: string) => {
    const r = await served.request<ErrorBody>(method, urlPath, body);
    assert.equal(r.status, 409, `${method} ${urlPath}: ${r.text}`);
    assert.equal(r.json.error.field, field);
    assert.ok(r.json.error.message.includes(line), `the sentence names the exact command line: ${r.json.error.message}`);
    assert.match(r.json.error.message, words);
    assert.equal(ran(), false, `${method} ${urlPath} ran the command`);
  };
  await refused('POST', '/mcp-servers/touchy/probe', undefined, /no person has confirmed, so MCP Warden will not start it: confirm it in the web UI/, 'consent');
  await refused('POST', '/mcp-servers/touchy/probe', { consent: true }, /an API key cannot\.$/, 'consent');
  await refused('POST', '/mcp-servers/touchy/approve', undefined, /an API key cannot\.$/, 'id');
  await refused('POST', '/mcp-servers/touchy/attach', { client: 'claude-desktop' }, /confirm it first/, 'name');
  // The setting that lets discovered servers start without asking does not cover a command from the API.
  assert.equal((await served.request('PUT', '/settings/probe-consent', { value: 'allow' })).status, 200);
  await refused('POST', '/mcp-servers/touchy/probe', undefined, /no person has confirmed/, 'consent');
  assert.equal((await served.request('PUT', '/settings/probe-consent', { value: 'ask' })).status, 200);

  // A server a person added with the CLI is approved; a new command line for it through the API is not.
  assert.equal(served.cli('mcp', 'add', 'by-hand', 'stdio', '--command', '/bin/true').code, 0);
  assert.equal((await served.request<ServerView>('GET', '/mcp-servers/by-hand')).json.status, 'approved');
  const second = path.join(dir, 'ran-too');
  const patched = await served.request<ServerView>('PATCH', '/mcp-servers/by-hand', { command: '/bin/sh', args: ['-c', `touch ${second}`] });
  assert.equal(patched.json.status, 'pending', patched.text);
  const probeChanged = await served.request<ErrorBody>('POST', '/mcp-servers/by-hand/probe', { consent: true });
  assert.equal(probeChanged.status, 409, probeChanged.text);
  assert.equal(existsSync(second), false);

  // The CLI without --yes refuses with the same command line; the probe-all path too.
  const cli = served.cli('mcp', 'probe', 'touchy');
  assert.equal(cli.code, 1);
  assert.ok(cli.stdout.includes(`✗ touchy: consent_required: Server "touchy" was registered through the API with the command line ${line}, which no person has confirmed`), cli.stdout);
  const all = served.cli('mcp', 'probe', '--all');
  assert.match(all.stdout, /✗ touchy: consent_required/);
  assert.equal(ran(), false);
  assert.equal(existsSync(second), false);

  // A person at the CLI: --yes confirms and probes (the command runs), as the issue asks.
  const yes = served.cli('mcp', 'probe', 'by-hand', '--yes');
  assert.equal(existsSync(second), true, `probe --yes ran the confirmed command: ${yes.stdout}${yes.stderr}`);
  assert.ok(yes.stderr.includes(`Confirmed server "by-hand": MCP Warden may now start /bin/sh -c 'touch ${second}'.`), yes.stderr);
  assert.equal((await served.request<ServerView>('GET', '/mcp-servers/by-hand')).json.status, 'approved');

  // A person in the web UI: the server's page asks for confirmation, naming the exact command line,
  // where it runs and its environment; what it showed is what is confirmed.
  const ui = await signIn(served);
  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${registered.json.id}`, 'touchy');
  assert.equal(await page.getByRole('button', { name: 'Approve', exact: true }).count(), 0, 'a pending server is confirmed, not approved blindly');
  await page.getByRole('button', { name: 'Confirm…', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Confirm this command line?' });
  await dialog.waitFor({ timeout: 10_000 });
  assert.equal(await dialog.locator('pre.command').innerText(), line);
  assert.match(await dialog.locator('.confirm-launch').innerText(), /Working directory\s+not set\s+Environment\s+nothing added/);
  // While the dialog is open, a program changes the launch through the API: the click confirms nothing.
  const sneaky = path.join(dir, 'sneaky');
  assert.equal((await served.request('PATCH', '/mcp-servers/touchy', { args: ['-c', `touch ${sneaky}`], env_template: { HELPER_FLAGS: '--require /tmp/x.js' } })).status, 200);
  await dialog.getByRole('button', { name: 'Confirm and probe', exact: true }).click();
  await page.getByText(/changed since it was shown/).waitFor({ timeout: 10_000 });
  // Chromium logs the one refusal expected here (409) as a failed resource: not a page problem.
  const expected = page.problems.findIndex((p) => /status of 409/.test(p));
  assert.ok(expected !== -1, `the refusal reached the page: ${page.problems.join('; ')}`);
  page.problems.splice(expected, 1);
  assert.equal(ran() || existsSync(sneaky), false, 'a launch changed after it was shown is not confirmed');
  assert.equal((await served.request<ServerView>('GET', '/mcp-servers/touchy')).json.status, 'pending');
  // Shown again, with what it is now, it can be confirmed.
  await goto(page, ui, `#/servers/${registered.json.id}`, 'touchy');
  await page.getByRole('button', { name: 'Confirm…', exact: true }).click();
  dialog = page.getByRole('dialog', { name: 'Confirm this command line?' });
  await dialog.waitFor({ timeout: 10_000 });
  assert.equal(await dialog.locator('pre.command').innerText(), `/bin/sh -c 'touch ${sneaky}'`);
  assert.match(await dialog.locator('.confirm-launch').innerText(), /HELPER_FLAGS=--require \/tmp\/x\.js/);
  assert.equal(existsSync(sneaky), false, 'opening the dialog runs nothing');
  await dialog.getByRole('button', { name: 'Confirm and probe', exact: true }).click();
  await poll('the confirmed command to run', () => existsSync(sneaky), 15_000);
  assert.equal(ran(), false, 'the first command line, never confirmed, never ran');
  const after = await served.request<ServerView>('GET', '/mcp-servers/touchy');
  assert.equal(after.json.status, 'approved');
  const audit = await served.request<{ items: { type: string; server_id: string | null; details: Record<string, unknown> }[] }>('GET', '/audit?type=server.approved');
  assert.ok(audit.json.items.some((e) => e.server_id === registered.json.id && e.details.was === 'pending'), 'the confirmation is audited');
  await page.close(); // before serve stops, so the page reports no failed call
});
