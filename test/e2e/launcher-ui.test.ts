/**
 * The launcher in the web UI, in Debian's Chromium against a real `serve` (temp data directory, fake
 * HOME with a real-looking Claude Desktop config): Attach/Detach on the server detail rewrite the
 * file on disk and the page follows; Move to keychain on the Clients screen takes a GitHub token out
 * of the file into the OS keychain and the finding goes; the per-server and global policies save;
 * the latest tool calls appear as the launcher writes them; axe passes on the new sections.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { ClientView, SettingsResponse } from '../../core/api/client.ts';
import { TOOL_CALL_EVENT, type ServerPolicies, type ToolCallDetails } from '../../core/api/launcher.ts';
import type { Page as ApiPage, ServerView } from '../../core/api/rest.ts';
import { appendAudit } from '../../core/audit/audit-log.ts';
import { openStore } from '../../core/store/database.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe, type Served } from '../helpers/serve.ts';
import { assertAccessible, fileScope, goto, openPage, poll, pollValue, screenshot, settled, sharedBrowser, signIn, type SignedIn } from './helpers/browser.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
/** A GitHub personal access token's shape: `ghp_` and 36 letters and digits. */
const TOKEN = `ghp_${'Hn5Yc8Qs2Jw6Bv3Xk9'.repeat(2)}`;

type Config = { mcpServers: Record<string, { command?: string; args?: string[]; env?: Record<string, string> }> } & Record<string, unknown>;
const uiKeys = (config: Config): Record<string, unknown> => Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'mcpServers'));

sharedBrowser();
const scope = fileScope();
let served: Served;
let ui: SignedIn;
let configFile: string;
let original: Config;

before(async () => {
  const fake = fakeHome(scope);
  configFile = fake.claudeDesktop;
  original = claudeDesktopConfig({
    'desk-notes': { command: process.execPath, args: [WELL_BEHAVED] },
    'desk-gh': { command: process.execPath, args: [WELL_BEHAVED, '--search'], env: { GITHUB_TOKEN: TOKEN, LOG_LEVEL: 'info' } },
  }) as Config;
  writeByRename(configFile, original);
  served = await startServe(scope, { fake });
  await pollValue('the discovered servers in the API', async () => (await served.request<ApiPage<ServerView>>('GET', '/mcp-servers')).json.total, (n) => n === 2);
  ui = await signIn(served);
});

const readConfig = (): Config => JSON.parse(readFileSync(configFile, 'utf8')) as Config;

async function register(name: string): Promise<ServerView> {
  const r = await served.request<ServerView>('POST', '/mcp-servers', { name, server_url: `stdio://${name}`, command: process.execPath, args: [WELL_BEHAVED] });
  assert.equal(r.status, 201, r.text);
  // A command line from the API is attached only once a person confirmed it (issue 11, finding 5).
  assert.equal(served.cli('mcp', 'approve', name).code, 0);
  return r.json;
}

test('Attach and Detach on the server detail rewrite the Claude Desktop config and the page follows', async (t) => {
  const server = await register('hand-notes');
  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${encodeURIComponent(server.id)}`, 'hand-notes');
  const section = page.getByRole('region', { name: 'Clients and launcher' });
  const attach = section.getByRole('button', { name: 'Attach to Claude Desktop', exact: true });
  await attach.waitFor({ timeout: 10_000 });
  assert.match(await section.getByTestId('launcher-client').innerText(), /not listed/);

  await attach.click();
  const status = section.getByRole('status').filter({ hasText: 'Attached to Claude Desktop' });
  await status.waitFor({ timeout: 15_000 });
  const entry = readConfig().mcpServers['hand-notes'];
  assert.ok(entry !== undefined, 'the entry is in the file');
  assert.equal(entry.command, process.execPath);
  assert.deepEqual(entry.args?.slice(-3), ['run', '--', 'hand-notes'], 'the entry runs the launcher (`run -- <name>`, issue 11 finding 11)');
  assert.ok(entry.args?.[0]?.endsWith(path.join('bin', 'mcp-warden.mjs')), `the CLI entry by absolute path: ${entry.args?.[0]}`);
  assert.deepEqual(uiKeys(readConfig()), uiKeys(original), 'the UI preferences are untouched');
  const backup = /kept at (\S+?)\.?$/.exec((await status.innerText()).trim())?.[1];
  assert.ok(backup !== undefined && readFileSync(backup, 'utf8').length > 0, `the status names the backup: ${await status.innerText()}`);

  const detach = section.getByRole('button', { name: 'Detach from Claude Desktop', exact: true });
  await detach.waitFor({ timeout: 15_000 });
  await assertAccessible(page, 'server detail with an attached client');
  await detach.click();
  await section.getByRole('status').filter({ hasText: 'Detached from Claude Desktop' }).waitFor({ timeout: 15_000 });
  await pollValue('the plain entry back in the file', async () => readConfig().mcpServers['hand-notes'], (e) => e !== undefined && e.command === process.execPath && e.args?.[0] === WELL_BEHAVED && !(e.args ?? []).includes('run'));
  await section.getByRole('button', { name: 'Attach to Claude Desktop', exact: true }).waitFor({ timeout: 15_000 });
  assert.deepEqual(uiKeys(readConfig()), uiKeys(original), 'still untouched after the round trip');
});

test('Move to keychain on the Clients screen: the finding goes, the token leaves the file for the keychain', async (t) => {
  const page = await openPage(t, ui);
  await goto(page, ui, '#/clients', 'Clients');
  const button = page.getByRole('button', { name: 'Move env.GITHUB_TOKEN of desk-gh to the keychain', exact: true });
  await button.waitFor({ timeout: 10_000 });
  await assertAccessible(page, 'clients with a plaintext secret');
  await button.click();
  const dialog = page.getByRole('dialog', { name: 'Move to keychain' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /OS keychain/);
  assert.match(await dialog.innerText(), /backup|copy of the file/i);
  await dialog.getByRole('button', { name: 'Move to keychain', exact: true }).click();

  const outcome = page.getByRole('status').filter({ hasText: /^Moved .+ of desk-gh to the keychain/ }).or(page.getByRole('alert'));
  await outcome.first().waitFor({ timeout: 20_000 });
  const said = await outcome.first().innerText();
  assert.match(said, /^Moved \S+ values? of desk-gh to the keychain \(.*env\.GITHUB_TOKEN as [^,)]+.*\); the file as it was is kept at \S+/, said);
  await poll('the finding to leave the list', async () => (await button.count()) === 0, 15_000);
  const bytes = readFileSync(configFile, 'utf8');
  assert.ok(!bytes.includes(TOKEN), 'the token is gone from the config file');
  assert.deepEqual(uiKeys(JSON.parse(bytes) as Config), uiKeys(original));
  const secrets = served.cli('secrets', 'list', '--json');
  assert.equal(secrets.code, 0, secrets.stderr);
  const names = (JSON.parse(secrets.stdout) as { secrets: { name: string }[] }).secrets.map((s) => s.name);
  assert.ok(names.some((n) => /github/i.test(n)), `a generated secret name: ${names.join(', ')}`);
  const clients = (await served.request<{ items: ClientView[] }>('GET', '/clients')).json.items;
  assert.ok(!clients.some((c) => c.configs.some((f) => f.findings.some((x) => x.type === 'plaintext_secret' && x.server_name === 'desk-gh'))), 'no open plaintext finding for desk-gh');
  await screenshot(page, 'clients-after-move-to-keychain');
});

test('policies: the per-server selects and the global settings save', async (t) => {
  const server = await register('policy-notes');
  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${encodeURIComponent(server.id)}`, 'policy-notes');
  const section = page.getByRole('region', { name: 'Launcher policy' });
  const attestation = section.getByLabel('Attestation policy', { exact: true });
  await attestation.waitFor({ timeout: 10_000 });
  assert.deepEqual(await attestation.locator('option').allInnerTexts(), ['Use global default (Warn)', 'Warn', 'Block']);
  await attestation.selectOption('block');
  await pollValue('the server policy in the API', async () => (await served.request<ServerPolicies>('GET', `/mcp-servers/${server.id}/policy`)).json, (p) => p.attestation === 'block' && p.effective.attestation === 'block');
  const undeclared = section.getByLabel('Undeclared-tool policy', { exact: true });
  await undeclared.selectOption('warn');
  await pollValue('the undeclared policy in the API', async () => (await served.request<ServerPolicies>('GET', `/mcp-servers/${server.id}/policy`)).json.undeclared, (v) => v === 'warn');
  await attestation.selectOption('');
  await pollValue('back to the global default', async () => (await served.request<ServerPolicies>('GET', `/mcp-servers/${server.id}/policy`)).json.attestation, (v) => v === null);
  await assertAccessible(page, 'server detail launcher policy');

  await goto(page, ui, '#/settings', 'Settings');
  const global = page.getByLabel('Undeclared-tool policy', { exact: true });
  await global.waitFor({ timeout: 10_000 });
  await global.selectOption('block');
  await pollValue('the global setting in the API', async () => (await served.request<SettingsResponse>('GET', '/settings')).json.values['undeclared-tool-policy'], (v) => v === 'block');
  assert.ok((await page.getByLabel('Attestation policy', { exact: true }).count()) === 1, 'the attestation policy is offered too');
  await goto(page, ui, `#/servers/${encodeURIComponent(server.id)}`, 'policy-notes');
  await pollValue('the per-server select naming the new default', async () => (await page.getByRole('region', { name: 'Launcher policy' }).getByLabel('Undeclared-tool policy', { exact: true }).locator('option').first().innerText().catch(() => '')), (text) => text === 'Use global default (Block)');
  await served.request('PUT', '/settings/undeclared-tool-policy', { value: 'warn' });
});

test('the latest tool calls: empty first, then the launcher\'s calls appear without a reload', async (t) => {
  const server = await register('calls-notes');
  const page = await openPage(t, ui);
  await goto(page, ui, `#/servers/${encodeURIComponent(server.id)}`, 'calls-notes');
  const section = page.getByRole('region', { name: 'Latest tool calls' });
  await section.getByText('No tool calls recorded yet: attach the server to a client to see them.').waitFor({ timeout: 10_000 });

  // What the launcher writes for a call, appended by another process as the launcher would.
  const details: ToolCallDetails = { name: 'calls-notes', tool: 'search_notes', duration_ms: 42, error: false, outcome: 'ok', argument_keys: ['query', 'limit'], arguments: { query: 'x', limit: 3 }, undeclared: true, blocked: true, client: 'claude-ai' };
  const store = openStore(served.home);
  try {
    store.db.transaction(() => appendAudit(store.db, { actor: 'system', type: TOOL_CALL_EVENT, server_id: server.id, details: { ...details } })).immediate();
  } finally {
    store.close();
  }
  const row = section.getByTestId('tool-call');
  await row.first().waitFor({ timeout: 15_000 });
  const cells = await row.first().getByRole('cell').allInnerTexts();
  assert.deepEqual(cells.slice(1).map((c) => c.trim()), ['search_notes', '42 ms', 'no', 'yes', 'yes', 'query, limit']);
  await settled(page);
  await assertAccessible(page, 'server detail with tool calls');
  await screenshot(page, 'server-detail-launcher');
});
