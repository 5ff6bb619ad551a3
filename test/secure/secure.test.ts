import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import type { AuditEvent } from '../../core/api/audit.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import type { SecureOutcome } from '../../core/secure/secure.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { envThroughEntry, filesContaining, keychainOf } from '../helpers/secrets.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

const ECHO_ENV = path.join(ROOT, 'test', 'fixtures', 'servers', 'echo-env.mjs');
/** A realistic GitHub token shape: ghp_ + 36 letters and digits. */
const TOKEN = 'ghp_R8kW2mXq7Lp4Zt9Yb3Nc6Vd1Hs5Jf0Ga8UeT';
const OTHER = 'ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8';

function setup(t: TestContext) {
  const fake = fakeHome(t);
  const home = tempDir(t, 'mcp-warden-home-');
  const run = (...args: string[]) => cli(['--home', home, ...args], { env: fake.env });
  const ok = (...args: string[]): string => {
    const r = run(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  return { ...fake, home, run, ok };
}

/** Starts a config entry exactly as a client does (its command, args and env) and asks the echo tool for one variable. */

test('secure moves a GITHUB_TOKEN from a Claude Desktop config to the keychain; the rewritten entry starts the server with it', async (t) => {
  const s = setup(t);
  writeByRename(s.claudeDesktop, claudeDesktopConfig({
    github: { command: process.execPath, args: [ECHO_ENV], env: { GITHUB_TOKEN: TOKEN, LOG_LEVEL: 'debug' } },
    other: { command: process.execPath, args: [ECHO_ENV] },
  }));
  const first = s.run('scan', '--json');
  assert.equal(first.code, 3, 'the plaintext token is a high finding');

  const results = (JSON.parse(s.ok('mcp', 'secure', 'github', '--json')) as { items: SecureOutcome[] }).items;
  assert.equal(results.length, 1);
  const [result] = results as [SecureOutcome];
  assert.equal(result.config_path, s.claudeDesktop);
  assert.equal(result.key, 'github');
  assert.deepEqual(result.moved, [
    { location: 'env.GITHUB_TOKEN', secret: 'github-github_token' },
    { location: 'env.LOG_LEVEL', secret: 'github-log_level' },
  ]);
  assert.deepEqual(result.not_moved, []);

  // The keychain holds the values; the config, the database and every data-dir file do not.
  const keychain = keychainOf(s.home);
  assert.equal(keychain.get('github-github_token'), TOKEN);
  assert.equal(keychain.get('github-log_level'), 'debug');
  const configBytes = readFileSync(s.claudeDesktop);
  assert.equal(configBytes.includes(Buffer.from(TOKEN)), false, 'the config no longer holds the token');
  assert.deepEqual(filesContaining(s.home, TOKEN), [], 'no file of the data directory holds the token');

  // The backup is the file as it was (it still holds the token: the user deletes it once satisfied).
  assert.ok(result.backup !== null && existsSync(result.backup));
  assert.ok(readFileSync(result.backup).includes(Buffer.from(TOKEN)));

  // Everything else of the file is kept; the entry runs the launcher.
  const config = JSON.parse(configBytes.toString('utf8')) as Record<string, unknown> & { mcpServers: Record<string, { command: string; args: string[]; env?: Record<string, string> }> };
  assert.equal(config.globalShortcut, 'Alt+Space');
  assert.deepEqual(config.preferences, { menuBarEnabled: false, quickEntryShortcut: 'off' });
  assert.deepEqual(config.mcpServers.other, { command: process.execPath, args: [ECHO_ENV] });
  const entry = config.mcpServers.github as { command: string; args: string[]; env?: Record<string, string> };
  assert.equal(entry.command, process.execPath);
  assert.deepEqual(entry.args, [path.join(ROOT, 'bin', 'mcp-warden.mjs'), '--home', s.home, 'run', '--', 'github']);
  assert.equal(entry.env, undefined, 'no env value is left in the entry');

  // The definition names the secrets by handle; the scan links the entry as attached.
  const server = (JSON.parse(s.ok('mcp', 'show', 'github', '--json')) as { server: ServerDefinition }).server;
  assert.deepEqual(server.env_template, [{ key: 'GITHUB_TOKEN', value: '{{secret:github-github_token}}' }, { key: 'LOG_LEVEL', value: '{{secret:github-log_level}}' }]);
  const clients = JSON.parse(s.ok('clients', '--json')) as { clients: { config_path: string; attached: { name: string; key: string }[] }[] };
  assert.deepEqual(clients.clients.map((c) => [c.config_path, c.attached]), [[s.claudeDesktop, [{ name: 'github', key: 'github' }]]]);
  const secretAlerts = (JSON.parse(s.ok('alerts', '--json')) as { alerts: Alert[] }).alerts.filter((a) => a.type === 'plaintext_secret');
  assert.deepEqual(secretAlerts, [], 'the plaintext-secret alert is resolved');

  // Audited by name and location, never by value.
  const events = (JSON.parse(s.ok('audit', '--json', '--type', 'secrets.moved')) as { events: AuditEvent[] }).events;
  assert.equal(events.length, 1);
  assert.deepEqual((events[0]?.details as { moved: unknown }).moved, result.moved);
  assert.equal(s.ok('audit', 'export').includes(TOKEN), false);

  // The client's way to start it: the launcher resolves the handle, the server sees the token.
  assert.equal(await envThroughEntry(entry, s.env, 'GITHUB_TOKEN'), TOKEN);
  assert.equal(await envThroughEntry(entry, s.env, 'LOG_LEVEL'), 'debug');
  assert.deepEqual(filesContaining(s.home, TOKEN), [], 'launching wrote the token nowhere in the data directory');

  // A second run has nothing left to move, and says so.
  const again = s.run('mcp', 'secure', 'github');
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'mcp-warden: "github" has no plaintext secret in any client config: there is nothing to move.\n');
});

test('scan --fix-secrets moves the secrets of two configs; a secret in args is left with the reason', (t) => {
  const s = setup(t);
  const cursorConfig = path.join(s.where.homedir, '.cursor', 'mcp.json');
  writeByRename(s.claudeDesktop, claudeDesktopConfig({ github: { command: process.execPath, args: [ECHO_ENV], env: { GITHUB_TOKEN: TOKEN } } }));
  writeByRename(cursorConfig, { mcpServers: {
    gh2: { command: process.execPath, args: [ECHO_ENV], env: { GITHUB_PERSONAL_ACCESS_TOKEN: OTHER } },
    cli: { command: process.execPath, args: [ECHO_ENV, '--token', OTHER.replace('Q1', 'Z9')] },
  } });
  const cursorBefore = readFileSync(cursorConfig, 'utf8');

  const fixed = s.run('scan', '--fix-secrets');
  assert.match(fixed.stdout, /Moved env\.GITHUB_TOKEN of "github" \(github in .+claude_desktop_config\.json\) to the keychain as github-github_token\./);
  assert.match(fixed.stdout, /Moved env\.GITHUB_PERSONAL_ACCESS_TOKEN of "gh2" \(gh2 in .+mcp\.json\) to the keychain as gh2-github_personal_access_token\./);
  assert.match(fixed.stdout, /Left args\[2\] of "cli" \(cli in .+mcp\.json\): The server reads this secret from its command line/);

  const keychain = keychainOf(s.home);
  assert.equal(keychain.get('github-github_token'), TOKEN);
  assert.equal(keychain.get('gh2-github_personal_access_token'), OTHER);
  assert.equal(readFileSync(s.claudeDesktop).includes(Buffer.from(TOKEN)), false);
  const cursorAfter = JSON.parse(readFileSync(cursorConfig, 'utf8')) as { mcpServers: Record<string, { args: string[] }> };
  assert.equal(readFileSync(cursorConfig).includes(Buffer.from(OTHER)), false);
  assert.deepEqual(cursorAfter.mcpServers.cli, (JSON.parse(cursorBefore) as typeof cursorAfter).mcpServers.cli, 'the args entry is untouched');
  assert.deepEqual(cursorAfter.mcpServers.gh2?.args.slice(-3), ['run', '--', 'gh2']);

  // The findings printed after the move are the configs as they are now: only the args secret is left.
  const report = JSON.parse(s.run('scan', '--json').stdout) as { findings: { type: string; details: { location?: string } }[] };
  assert.deepEqual(report.findings.filter((f) => f.type === 'plaintext_secret').map((f) => f.details.location), ['args[2]']);

  // secure on the args-only server moves nothing, changes nothing, and says why.
  const registry = ['servers', 'secrets', 'server_secret_refs'];
  const before = databaseChecksum(s.home, registry);
  const cursorBytes = readFileSync(cursorConfig, 'utf8');
  const refused = s.run('mcp', 'secure', 'cli');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^mcp-warden: Nothing was moved for "cli": .+mcp\.json args\[2\]: The server reads this secret from its command line/);
  assert.equal(databaseChecksum(s.home, registry), before, 'no server, secret or reference changed');
  assert.equal(readFileSync(cursorConfig, 'utf8'), cursorBytes, 'the config is byte-identical');
});
