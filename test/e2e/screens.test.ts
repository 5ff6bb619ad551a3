/**
 * Every screen of the web UI in Chromium, light and dark: axe-core finds no serious or critical
 * accessibility violation, and a full-page screenshot is kept as a test artifact
 * (test-results/screenshots/<screen>-<theme>.png). The data makes each screen show real content:
 * discovered servers, a probed registered server with pins, an open high alert with its diff, a
 * plaintext-secret finding, an API key, and the audit events all of that wrote.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Page as ApiPage, ServerView } from '../../core/api/rest.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { assertAccessible, fileScope, goto, openPage, pollValue, screenshot, settled, sharedBrowser, signIn, type SignedIn } from './helpers/browser.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');

sharedBrowser();
const scope = fileScope();
let served: Served;
let ui: SignedIn;
let registeredId = '';

before(async () => {
  const fake = fakeHome(scope);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ notes: { command: process.execPath, args: [WELL_BEHAVED] }, tickets: { command: process.execPath, args: [WELL_BEHAVED, '--tickets'], env: { API_TOKEN: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' } } }));
  served = await startServe(scope, { fake });
  await pollValue('the discovered servers', async () => (await served.request<ApiPage<ServerView>>('GET', '/mcp-servers')).json.total, (n) => n === 2);
  const registered = await served.request<ServerView>('POST', '/mcp-servers', { name: 'well-behaved', display_name: 'Well behaved', server_url: 'stdio://well-behaved', command: process.execPath, args: [WELL_BEHAVED], capabilities: ['echo'], description: 'A registered stdio server' });
  assert.equal(registered.status, 201, registered.text);
  registeredId = registered.json.id;
  // A command line from the API starts once a person confirmed it; an API key's consent is not that (issue 11, finding 5).
  assert.equal(served.cli('mcp', 'approve', 'well-behaved').code, 0);
  const probed = await served.request('POST', `/mcp-servers/${registeredId}/probe`);
  assert.equal(probed.status, 200, probed.text);
  // A launch change on a discovered server: an open high alert with a before/after diff.
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ notes: { command: process.execPath, args: [WELL_BEHAVED, '--changed'] }, tickets: { command: process.execPath, args: [WELL_BEHAVED, '--tickets'], env: { API_TOKEN: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB' } } }));
  await pollValue('the launch_changed alert', async () => (await served.request<{ items: { type: string }[] }>('GET', '/alerts')).json.items.map((a) => a.type), (types) => types.includes('launch_changed'));
  assert.equal(served.cli('api-key', 'create', '--name', 'ci-bot').code, 0);
  ui = await signIn(served);
});

const screens: { name: string; hash: () => string; h1: string | RegExp }[] = [
  { name: 'registry', hash: () => '#/', h1: 'Registry' },
  { name: 'server-detail', hash: () => `#/servers/${encodeURIComponent(registeredId)}`, h1: 'Well behaved' },
  { name: 'register', hash: () => '#/register', h1: 'Register a server' },
  { name: 'alerts', hash: () => '#/alerts', h1: 'Alerts' },
  { name: 'audit', hash: () => '#/audit', h1: 'Audit trail' },
  { name: 'clients', hash: () => '#/clients', h1: 'Clients' },
  { name: 'settings', hash: () => '#/settings', h1: 'Settings' },
];

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen in ${colorScheme}: no serious or critical axe violation, and a screenshot`, async (t) => {
    const page = await openPage(t, ui, { colorScheme });
    const failures: string[] = [];
    for (const screen of screens) {
      await goto(page, ui, screen.hash(), screen.h1);
      await settled(page);
      assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, `${screen.name}: exactly one h1`);
      assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 1, `${screen.name}: the Main nav`);
      const file = await screenshot(page, `${screen.name}-${colorScheme}`);
      assert.ok(statSync(file).size > 5_000, `${file} holds a picture`);
      // Every screen is checked even when one fails, so one run lists them all.
      await assertAccessible(page, `${screen.name} (${colorScheme})`).catch((error: Error) => failures.push(error.message));
    }
    assert.deepEqual(failures, []);
  });
}

test('the screens show their data: the alert diff expands, the clients list the secret finding', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/alerts', 'Alerts');
  const row = page.getByTestId('alert-row').filter({ hasText: /notes/ }).first();
  await row.waitFor();
  await row.getByRole('button', { name: 'Show details' }).click();
  const diff = row.getByTestId('diff').or(page.getByTestId('diff')).first();
  await diff.waitFor({ timeout: 5_000 });
  assert.match(await diff.innerText(), /--changed/);
  await screenshot(page, 'alerts-expanded-light');
  await assertAccessible(page, 'alerts with a row expanded');

  await goto(page, ui, '#/clients', 'Clients');
  await settled(page);
  const main = page.getByRole('main');
  assert.match(await main.innerText(), /claude_desktop_config\.json/, 'the config path');
  assert.match(await main.innerText(), /tickets/, 'its servers');
  assert.doesNotMatch(await page.content(), /ghp_0123456789abcdef/, 'the plaintext secret value is never shown');
});
