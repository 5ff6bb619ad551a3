/**
 * Live updates in Chromium, with no reload: the user's editor rewrites the Claude Desktop config
 * (a discovered server now launches differently) while the Alerts screen is open. Within 2 s a high
 * alert is listed and the nav badge counts it; the server's detail shows the before/after diff;
 * acknowledging it lowers the count. Then the audit screen verifies the hash chain as intact.
 * One serve and one Chromium for the file.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Page as ApiPage, ServerView } from '../../core/api/rest.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { fileScope, goto, openPage, poll, pollValue, sharedBrowser, signIn, type PageWindow, type SignedIn } from './helpers/browser.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');

sharedBrowser();
const scope = fileScope();
let served: Served;
let ui: SignedIn;
let config: string;

before(async () => {
  const fake = fakeHome(scope);
  config = fake.claudeDesktop;
  writeByRename(config, claudeDesktopConfig({ notes: { command: process.execPath, args: [WELL_BEHAVED] } }));
  served = await startServe(scope, { fake });
  await pollValue('the discovered server in the API', async () => (await served.request<ApiPage<ServerView>>('GET', '/mcp-servers')).json.total, (n) => n === 1);
  ui = await signIn(served);
});

/** The nav badge's number (0 when hidden or absent). */
async function badgeCount(page: import('playwright-core').Page): Promise<number> {
  const badge = page.getByRole('navigation', { name: 'Main' }).getByTestId('open-alert-count');
  if ((await badge.count()) === 0 || !(await badge.isVisible())) return 0;
  return Number((await badge.innerText()).trim());
}

test('a config edit raises a high alert live: listed within 2 s, badge counts it, detail shows the diff, acknowledging lowers the count; no reload', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/alerts', 'Alerts');
  await poll('the alerts screen to load', async () => (await page.getByRole('status').filter({ hasText: 'Loading' }).count()) === 0);
  const countBefore = await badgeCount(page);
  const alertsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Alerts/ });
  await page.evaluate(() => {
    (globalThis as unknown as PageWindow).__marker = 1;
  });

  const edited = Date.now();
  writeByRename(config, claudeDesktopConfig({ notes: { command: process.execPath, args: [WELL_BEHAVED, '--exfiltrate'] } }));

  const row = page.getByTestId('alert-row').filter({ hasText: /high/i }).filter({ hasText: /notes/ });
  await row.first().waitFor({ state: 'visible', timeout: 2_000 });
  const seenAfter = Date.now() - edited;
  await poll('the badge to count the new alert', async () => (await badgeCount(page)) > countBefore, 2_000 - Math.min(seenAfter, 1_900));
  const countRaised = await badgeCount(page);
  assert.equal(await page.getByRole('link', { name: `Alerts, ${countRaised} open` }).count(), 1, 'the Alerts link is named "Alerts, N open"');

  // The row links to its server; the detail's Findings show the launch diff (args before/after).
  await row.first().getByRole('link', { name: /notes/ }).click();
  await page.getByRole('heading', { level: 1, name: 'notes' }).waitFor({ timeout: 10_000 });
  const findings = page.getByRole('region', { name: 'Findings' }).or(page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Findings' }) }));
  const diff = findings.first().getByTestId('diff').first();
  await diff.waitFor({ state: 'visible', timeout: 10_000 });
  const diffText = await diff.innerText();
  assert.match(diffText, /Before/);
  assert.match(diffText, /After/);
  assert.match(diffText, /--exfiltrate/, 'the new argument is in the After column');

  // Back to Alerts through the nav (a hash change), acknowledge: the badge count drops.
  await alertsLink.click();
  await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
  const openRow = page.getByTestId('alert-row').filter({ hasText: /notes/ }).filter({ hasText: /high/i }).first();
  await openRow.getByRole('button', { name: 'Acknowledge', exact: true }).click();
  await poll('the badge count to drop', async () => (await badgeCount(page)) === countRaised - 1, 5_000);
  const api = await served.request<{ items: { state: string; type: string }[] }>('GET', '/alerts?state=acknowledged');
  assert.ok(api.json.items.some((a) => a.type === 'launch_changed'), 'the API holds the acknowledgement');

  assert.equal(await page.evaluate(() => (globalThis as unknown as PageWindow).__marker), 1, 'no page reload happened');
});

test('the audit screen verifies the hash chain as intact', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/audit', 'Audit trail');
  const expected = await served.request<{ ok: boolean; events: number }>('GET', '/audit/verify');
  await page.getByRole('button', { name: 'Verify chain', exact: true }).click();
  const verdict = page.getByTestId('audit-verdict');
  await verdict.waitFor({ state: 'visible', timeout: 10_000 });
  const text = await pollValue('the verdict', async () => (await verdict.innerText()).trim(), (v) => /^Chain (intact|broken)/.test(v));
  assert.equal(expected.json.ok, true, 'the API agrees the chain is intact');
  const match = /^Chain intact: (\d+) events?$/.exec(text);
  assert.ok(match !== null, `verdict: ${text}`);
  assert.ok(Number(match[1]) > 0);
  assert.ok(Number(match[1]) >= expected.json.events, 'at least the events the API counted just before');
});
