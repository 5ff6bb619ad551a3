/**
 * The web UI in Debian's Chromium against a real `serve` (temp data directory, fake HOME with a
 * Claude Desktop config): the registry lists what was discovered with trust badges; registering a
 * stdio server through the form, fixing a validation error on the way; one-click Attest of a real
 * npm MCP server (@modelcontextprotocol/server-memory) measuring its script and raising its score.
 * One serve and one Chromium for the file; each test has its own browser context.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Page as ApiPage, ServerView } from '../../core/api/rest.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { fileScope, goto, openPage, poll, pollValue, sharedBrowser, signIn, type SignedIn } from './helpers/browser.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
const MEMORY_SCRIPT = path.join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');

sharedBrowser();
const scope = fileScope();
let served: Served;
let ui: SignedIn;

// One serve watching a Claude Desktop config with two servers, for every test of the file.
before(async () => {
  const fake = fakeHome(scope);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ 'desk-notes': { command: process.execPath, args: [WELL_BEHAVED] }, 'desk-search': { command: process.execPath, args: [WELL_BEHAVED, '--search'] } }));
  served = await startServe(scope, { fake });
  await pollValue('the discovered servers in the API', async () => (await served.request<ApiPage<ServerView>>('GET', '/mcp-servers')).json.total, (n) => n === 2);
  ui = await signIn(served);
});

test('the registry lists the discovered servers, each with a trust badge', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/', 'Registry');
  const rows = page.getByTestId('server-row');
  await poll('two server rows', async () => (await rows.count()) === 2);
  const table = page.getByRole('table');
  assert.equal(await table.getAttribute('aria-rowcount'), '2');
  for (const name of ['desk-notes', 'desk-search']) {
    const row = rows.filter({ has: page.getByRole('link', { name, exact: true }) });
    assert.equal(await row.count(), 1, `one row for ${name}`);
    assert.match(await row.getByRole('link', { name, exact: true }).getAttribute('href') ?? '', /#\/servers\/[^/]+$/);
    assert.match(await row.innerText(), /discovered/, `${name} shows its status`);
    assert.match(await row.innerText(), /claude-desktop|Claude Desktop/, `${name} shows its client`);
    const badge = row.getByTestId('trust-badge');
    assert.equal(await badge.count(), 1, `${name} has a trust badge`);
    const label = (await badge.getAttribute('aria-label')) ?? '';
    assert.match(label, /^(Trust score \d{1,3} of 100|Not scored yet)$/);
    if (label === 'Not scored yet') assert.equal((await badge.innerText()).trim(), '—');
    else {
      assert.match((await badge.getAttribute('data-band')) ?? '', /^(green|amber|red)$/);
      assert.equal(label, `Trust score ${(await badge.innerText()).trim()} of 100`);
    }
  }
});

test('registering a stdio server: an invalid name is refused beside "Name", fixed, then its detail opens', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/register', 'Register a server');
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('bad name!');
  await page.getByLabel('Transport', { exact: true }).selectOption('stdio');
  await page.getByLabel('Command', { exact: true }).fill(process.execPath);
  await page.getByLabel('Arguments', { exact: true }).fill(`${WELL_BEHAVED}\n--verbose`);
  await page.getByRole('button', { name: 'Register', exact: true }).click();

  const error = page.locator('p#name-error.field-error');
  await error.waitFor({ state: 'visible', timeout: 5_000 });
  assert.ok((await error.innerText()).trim().length > 5, 'the message says what is wrong');
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  assert.ok(((await name.getAttribute('aria-describedby')) ?? '').split(/\s+/).includes('name-error'), 'the input is described by its error');
  assert.equal((await served.request<ApiPage<ServerView>>('GET', '/mcp-servers?q=bad')).json.total, 0, 'nothing was registered');
  assert.match(page.url(), /#\/register$/, 'still on the form');

  await name.fill('notes-e2e');
  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await page.waitForURL(/#\/servers\/[^/?]+$/, { timeout: 10_000 });
  await page.getByRole('heading', { level: 1, name: 'notes-e2e' }).waitFor({ timeout: 10_000 });
  const id = decodeURIComponent(/#\/servers\/([^/?]+)$/.exec(page.url())?.[1] ?? '');
  const stored = (await served.request<ServerView>('GET', `/mcp-servers/${encodeURIComponent(id)}`)).json;
  assert.deepEqual([stored.name, stored.transport, stored.command, stored.args], ['notes-e2e', 'stdio', process.execPath, [WELL_BEHAVED, '--verbose']]);
  assert.equal(await page.locator('#name-error').count(), 0, 'no error left behind');
});

test('register with a secret: the Add secret dialog sends the value to the keychain, the picker inserts its handle, and only the handle is stored or shown', async (t) => {
  const value = `ghp_${'Kx7'.repeat(12)}`;
  const page = await openPage(t, ui);
  await goto(page, ui, '#/register', 'Register a server');
  await page.getByLabel('Name', { exact: true }).fill('gh-e2e');
  await page.getByLabel('Transport', { exact: true }).selectOption('stdio');
  await page.getByLabel('Command', { exact: true }).fill(process.execPath);
  await page.getByLabel('Arguments', { exact: true }).fill(WELL_BEHAVED);
  await page.getByLabel('Variable name', { exact: true }).first().fill('GITHUB_TOKEN');

  await page.getByRole('button', { name: 'Add secret', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a secret' });
  await dialog.waitFor({ timeout: 5_000 });
  await dialog.getByLabel('Secret name', { exact: true }).fill('gh-e2e-token');
  await dialog.getByLabel('Secret value', { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'Save to keychain', exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
  const secrets = served.cli('secrets', 'list', '--json');
  assert.equal(secrets.code, 0, secrets.stderr);
  assert.match(secrets.stdout, /"gh-e2e-token"/, 'the secret is in the keychain, by name');

  // A second row, then the picker on the first: it inserts the handle, never the value.
  await page.getByRole('button', { name: 'Add variable', exact: true }).click();
  assert.equal(await page.getByLabel('Variable name', { exact: true }).count(), 2);
  await page.getByRole('button', { name: 'Remove variable 2', exact: true }).click();
  assert.equal(await page.getByLabel('Variable name', { exact: true }).count(), 1);
  await page.getByRole('button', { name: 'Insert secret', exact: true }).first().click();
  await page.getByRole('listbox', { name: 'Secrets for GITHUB_TOKEN' }).getByRole('option', { name: /gh-e2e-token/ }).click();
  assert.equal(await page.getByLabel('Value', { exact: true }).first().inputValue(), '{{secret:gh-e2e-token}}');

  await page.getByRole('button', { name: 'Register', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'gh-e2e' }).waitFor({ timeout: 10_000 });
  const stored = (await served.request<ServerView>('GET', '/mcp-servers/gh-e2e')).json;
  assert.deepEqual(stored.env_template, [{ key: 'GITHUB_TOKEN', value: '{{secret:gh-e2e-token}}' }]);
  assert.ok((await page.content()).includes('{{secret:gh-e2e-token}}') || (await page.getByText('gh-e2e-token').count()) > 0, 'the detail shows the handle');
  assert.equal((await page.content()).includes(value), false, 'the value is nowhere on the page');
});

test('one-click Attest on a real npm MCP server: the measured hash is its script\'s, and the score rises', async (t) => {
  const scriptSha = createHash('sha256').update(readFileSync(MEMORY_SCRIPT)).digest('hex');
  const registered = await served.request<ServerView>('POST', '/mcp-servers', { name: 'memory-e2e', server_url: 'stdio://memory-e2e', command: process.execPath, args: [MEMORY_SCRIPT], description: 'the reference memory server' });
  assert.equal(registered.status, 201, registered.text);
  // A command line from the API starts once a person confirmed it; an API key's consent is not that (issue 11, finding 5).
  assert.equal(served.cli('mcp', 'approve', 'memory-e2e').code, 0);
  const probed = await served.request<{ ok: boolean; pinned: boolean }>('POST', `/mcp-servers/${registered.json.id}/probe`, { timeout_seconds: 30 });
  assert.equal(probed.status, 200, probed.text);
  assert.equal(probed.json.ok, true, probed.text);

  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${encodeURIComponent(registered.json.id)}`, 'memory-e2e');
  const score = page.getByTestId('trust-score');
  const before = await pollValue('a trust score', async () => Number((await score.first().innerText().catch(() => '')).trim()), (n) => Number.isFinite(n) && n > 0);
  const panel = page.getByTestId('attestation-panel');
  assert.equal(await panel.getByTestId('measured-sha256').count(), 0, 'not attested yet');

  await page.getByRole('button', { name: 'Attest', exact: true }).click();
  const measured = panel.getByTestId('measured-sha256');
  await measured.waitFor({ state: 'visible', timeout: 20_000 });
  assert.match(await measured.innerText(), new RegExp(scriptSha), 'the panel shows the sha256 of dist/index.js');
  assert.match(await panel.innerText(), /index\.js/, 'and what was measured');
  const after = await pollValue('the trust score to rise', async () => Number((await score.first().innerText()).trim()), (n) => n > before);
  assert.ok(after > before, `${after} > ${before}`);
  const view = (await served.request<ServerView>('GET', `/mcp-servers/${registered.json.id}`)).json;
  assert.deepEqual([view.attestation, view.trust?.score], ['valid', after], 'the page shows what the API holds');
});
