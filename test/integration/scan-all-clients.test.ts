/**
 * Every supported client's config at its real path in one fake home, scanned by the built CLI as a
 * user runs it (`mcp-warden scan`), then checked through `mcp list`, `mcp show`, `clients` and
 * `alerts`. Expected server counts come from parseConfig on the fixtures, so the test follows the
 * parser's rules rather than restating them.
 */
import assert from 'node:assert/strict';
import { createSecretKey } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { Alert } from '../../core/api/alert.ts';
import { CLIENT_IDS, type ClientId, type ConfigFormat, type ConfigLocation, type DiscoveredServer, type PlatformEnv } from '../../core/api/discovery.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { allLocations, claudeCodeProjectLocations } from '../../core/discovery/clients/index.ts';
import { parseConfig } from '../../core/discovery/parse.ts';
import { digestValue } from '../../core/discovery/redact.ts';
import { DIGEST_KEY_ENTRY } from '../../core/secrets/digest-key.ts';
import { scanAll } from '../../core/discovery/scan-all.ts';
import { DATABASE_FILE, openStore } from '../../core/store/database.ts';
import { cli, ROOT, tempDir, type CliResult } from '../helpers/cli.ts';
import { fakeHome } from '../helpers/fake-home.ts';
import { keychainOf } from '../helpers/secrets.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'clients');
const fixture = (file: string): string => readFileSync(path.join(FIXTURES, file), 'utf8');

/** A pure reference (`${env:X}`, `$X`, `{{secret:X}}`, `%X%`) is not a value: the scanner keeps it as written. */
const REFERENCE = /^(\$\{[^}]+\}|\{\{secret:[^}]+\}\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$/;
const DIGEST = /^\[redacted:[0-9a-f]{16}\]$/;

interface Placed {
  location: ConfigLocation;
  text: string;
  /** What the parser reads in the fixture: the servers this config must show. */
  servers: DiscoveredServer[];
}

interface ScanReport {
  configs: { client: ClientId; path: string; scope: string; state: string; servers: { key: string; pointer: string; name: string | null; status: string | null; transport: string; disabled: boolean }[]; problems: unknown[] }[];
  findings: { type: string; severity: string; dedup_key: string }[];
}

/** Writes `text` at `file`, creating its folders. */
function place(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * The Linux layout: each fixture at the path its client reads. Claude Desktop's two Linux folders
 * (`Claude`, `claude`) hold the ordinary fixture and the one with Windows paths; ~/.claude.json names
 * two project folders in the fake home, each with the project fixture as its .mcp.json.
 */
function linuxLayout(home: string, where: PlatformEnv): Placed[] {
  const user = allLocations(where);
  const userConfig = (relative: string, format: ConfigFormat, text: string): Placed => {
    const file = path.join(home, relative);
    const location = user.find((l) => l.path === file && l.format === format);
    assert.ok(location !== undefined, `${file} (${format}) is not a path any client reads on Linux`);
    return { location, text, servers: [] };
  };
  const projects = [path.join(home, 'code', 'web-app'), path.join(home, 'code', 'api')];
  const claudeJson = fixture('claude-code/claude.json').replaceAll('/home/ada/code/web-app', projects[0] as string).replaceAll('/home/ada/code/api', projects[1] as string);
  assert.notEqual(claudeJson, fixture('claude-code/claude.json'), 'the Claude Code fixture names project folders to move');
  const placed = [
    userConfig('.config/Claude/claude_desktop_config.json', 'mcpServers', fixture('claude-desktop/claude_desktop_config.json')),
    userConfig('.config/claude/claude_desktop_config.json', 'mcpServers', fixture('claude-desktop/claude_desktop_config.windows.json')),
    userConfig('.claude.json', 'claude-code', claudeJson),
    userConfig('.cursor/mcp.json', 'mcpServers', fixture('cursor/mcp.json')),
    userConfig('.config/Code/User/mcp.json', 'vscode-mcp', fixture('vscode/mcp.json')),
    userConfig('.config/Code/User/settings.json', 'vscode-settings', fixture('vscode/settings.json')),
    userConfig('.codeium/windsurf/mcp_config.json', 'mcpServers', fixture('windsurf/mcp_config.json')),
    userConfig('.gemini/settings.json', 'mcpServers', fixture('gemini-cli/settings.json')),
    userConfig('.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json', 'mcpServers', fixture('cline/cline_mcp_settings.json')),
    ...claudeCodeProjectLocations(projects).map((location) => ({ location, text: fixture('claude-code/project.mcp.json'), servers: [] })),
  ];
  for (const p of placed) {
    const parsed = parseConfig(p.text, p.location);
    assert.ok(parsed.ok && parsed.problems.length === 0, `the fixture for ${p.location.path} parses cleanly`);
    p.servers = parsed.servers;
    place(p.location.path, p.text);
  }
  return placed;
}

test('scan finds every client at its real Linux path, follows Claude Code projects, and registers each server once', (t) => {
  const { home, where, env } = fakeHome(t);
  const dataDir = tempDir(t, 'mcp-warden-home-');
  const outputs: CliResult[] = [];
  const run = (...args: string[]): CliResult => {
    const r = cli(['--home', dataDir, ...args], { env });
    outputs.push(r);
    return r;
  };
  const json = <T>(...args: string[]): T => {
    const r = run(...args, '--json');
    assert.equal(r.code, 0, `${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const placed = linuxLayout(home, where);
  const byPath = new Map(placed.map((p) => [p.location.path, p]));

  // --- The first scan: every config, in full -------------------------------------------------
  const first = run('scan', '--json');
  assert.equal(first.stderr, '');
  const report = JSON.parse(first.stdout) as ScanReport;
  assert.deepEqual(
    report.configs.map((c) => [c.client, c.path, c.scope, c.state]).sort(),
    placed.map((p) => [p.location.client, p.location.path, p.location.scope, 'ok']).sort(),
    'exactly the placed configs are found, each at its own path, none broken',
  );
  assert.deepEqual([...new Set(report.configs.map((c) => c.client))].sort(), [...CLIENT_IDS].sort(), 'every supported client appears');
  for (const config of report.configs) {
    const expected = byPath.get(config.path) as Placed;
    assert.equal(config.servers.length, expected.servers.length, `${config.path}: server count`);
    assert.deepEqual(config.servers.map((s) => [s.key, s.pointer, s.transport, s.disabled]), expected.servers.map((s) => [s.key, s.pointer, s.transport, s.disabled]), `${config.path}: servers as parsed`);
    assert.deepEqual(config.problems, [], `${config.path}: no entry skipped`);
    for (const s of config.servers) assert.equal(s.status, 'discovered', `${config.path} ${s.key}: registered as discovered (first scan = baseline)`);
  }

  // Claude Code's projects are followed to their .mcp.json files.
  const projectFiles = placed.filter((p) => p.location.scope === 'project').map((p) => p.location.path);
  assert.equal(projectFiles.length, 2);
  for (const file of projectFiles) {
    const config = report.configs.find((c) => c.path === file);
    assert.deepEqual(config?.servers.map((s) => s.key), ['shared-db', 'team-search'], `${file} was followed from ~/.claude.json`);
  }

  // Names: unique, the key itself for the first config that uses it, `<key>.<client>` after that.
  const taken = new Set<string>();
  const expectedNames = report.configs.flatMap((c) =>
    c.servers.map((s) => {
      const name = taken.has(s.key) ? `${s.key}.${c.client}` : s.key;
      assert.ok(!taken.has(name), `the fixtures need a third use of ${s.key}: extend the expectation`);
      taken.add(name);
      return name;
    }),
  );
  const scannedNames = report.configs.flatMap((c) => c.servers.map((s) => s.name));
  assert.deepEqual(scannedNames, expectedNames, 'registry names in scan order');
  for (const collision of ['github.vscode', 'notes.cline', 'shared-db.claude-code', 'team-search.claude-code']) assert.ok(scannedNames.includes(collision), `${collision} shows a key used twice`);
  const servers = json<{ servers: ServerDefinition[] }>('mcp', 'list').servers;
  assert.deepEqual(servers.map((s) => s.name).sort(), [...expectedNames].sort(), 'mcp list holds each server once, under its unique name');
  const serverNamed = (name: string): ServerDefinition => {
    const found = servers.find((s) => s.name === name);
    assert.ok(found !== undefined, `${name} is registered`);
    return found;
  };

  // Disabled entries are registered, and their links marked disabled.
  const cline = placed.find((p) => p.location.client === 'cline') as Placed;
  assert.deepEqual(cline.servers.filter((s) => s.disabled).map((s) => s.key), ['brave-search', 'notes'], 'the Cline fixture disables two entries (disabled: true, enabled: false)');
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  t.after(() => db.close());
  const disabledLinks = db
    .prepare<[], { name: string; disabled: number }>('SELECT s.name, l.disabled FROM agent_servers l JOIN servers s ON s.id = l.server_id ORDER BY s.name')
    .all()
    .filter((r) => r.disabled === 1)
    .map((r) => r.name);
  const expectedDisabled = report.configs.flatMap((c) => c.servers.filter((s) => (byPath.get(c.path) as Placed).servers.find((p) => p.pointer === s.pointer)?.disabled === true).map((s) => s.name as string));
  assert.deepEqual(disabledLinks, expectedDisabled.sort(), 'exactly the disabled entries are linked as disabled');
  assert.deepEqual(expectedDisabled, ['brave-search', 'notes.cline']);
  for (const name of expectedDisabled) assert.equal(serverNamed(name).status, 'discovered', `${name} is registered although disabled`);

  // Remote servers with headers: http/sse, header names kept, values only as keyed digests.
  // The digest key is in the OS keychain, not in the database.
  const key = createSecretKey(Buffer.from(keychainOf(dataDir).get(DIGEST_KEY_ENTRY) ?? '', 'hex'));
  const remote = report.configs.flatMap((c) =>
    c.servers.map((s) => ({ name: s.name as string, entry: (byPath.get(c.path) as Placed).servers.find((p) => p.pointer === s.pointer) as DiscoveredServer })),
  ).filter((r) => r.entry.transport !== 'stdio' && Object.keys(r.entry.headers).length > 0);
  assert.deepEqual(remote.map((r) => r.name).sort(), ['context7', 'github.vscode', 'linear', 'remote-tools', 'sentry', 'stripe']);
  let digests = 0;
  for (const { name, entry } of remote) {
    const shown = run('mcp', 'show', name, '--json');
    assert.equal(shown.code, 0, shown.stderr);
    const server = (JSON.parse(shown.stdout) as { server: ServerDefinition }).server;
    assert.ok(server.transport === 'http' || server.transport === 'sse', `${name} is remote`);
    assert.equal(server.transport, entry.transport, `${name}: transport`);
    assert.equal(server.command, null, `${name}: no command`);
    assert.equal(new URL(server.url ?? '').href, new URL(entry.url ?? '').href, `${name}: URL`);
    assert.deepEqual(Object.keys(server.headers), Object.keys(entry.headers), `${name}: header names kept`);
    for (const [header, value] of Object.entries(entry.headers)) {
      const stored = server.headers[header] as string;
      if (REFERENCE.test(value.trim())) {
        assert.equal(stored, value, `${name}: header ${header} is a reference (${value}), kept as written`);
      } else {
        assert.match(stored, DIGEST, `${name}: header ${header} stored as a digest`);
        assert.equal(stored, digestValue(key, value), `${name}: header ${header} is the keyed digest of the config's value`);
        assert.ok(!shown.stdout.includes(value), `${name}: mcp show does not print the header value`);
        digests++;
      }
    }
  }
  assert.ok(digests >= 5, `most fixture header values are literal and digested (${digests})`);

  // Windows paths in a config survive byte for byte (as written: they are not files on Linux).
  const windows = JSON.parse(fixture('claude-desktop/claude_desktop_config.windows.json')) as { mcpServers: Record<string, { command: string; args: unknown[]; cwd?: string }> };
  for (const [entryKey, entry] of Object.entries(windows.mcpServers)) {
    const server = serverNamed(entryKey);
    assert.equal(server.command, entry.command, `${entryKey}: command as written`);
    assert.deepEqual(server.args, entry.args.map(String), `${entryKey}: args as written`);
    assert.equal(server.cwd, entry.cwd ?? null, `${entryKey}: cwd as written`);
  }
  assert.ok(serverNamed('notes').args.includes('C:\\Users\\me\\file.txt'));

  // No literal env or header value from the configs reaches the data directory.
  const literals = placed.flatMap((p) => p.servers.flatMap((s) => [...Object.values(s.env), ...Object.values(s.headers)])).filter((v) => v.length >= 12 && !REFERENCE.test(v.trim()));
  assert.ok(literals.includes('ghp_example0000000000000000000000000000') && literals.includes('Bearer ${SENTRY_TOKEN}'), 'the literals to look for');
  for (const entry of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dataDir, entry);
    if (!statSync(file).isFile()) continue;
    const bytes = readFileSync(file);
    for (const literal of literals) assert.ok(!bytes.includes(literal), `${entry} holds the config value ${JSON.stringify(literal)}`);
  }

  // Exit code 3 if and only if a finding is high or critical.
  const high = (r: ScanReport) => r.findings.some((f) => f.severity === 'high' || f.severity === 'critical');
  assert.equal(first.code, high(report) ? 3 : 0, `exit code ${first.code} for findings ${JSON.stringify(report.findings.map((f) => f.severity))}`);

  // `clients` lists every config with its server count.
  const clients = json<{ clients: { client: string; config_path: string; scope: string; state: string; servers: number }[] }>('clients').clients;
  assert.deepEqual(
    clients.map((c) => [c.client, c.config_path, c.scope, c.state, c.servers]).sort(),
    placed.map((p) => [p.location.client, p.location.path, p.location.scope, 'ok', p.servers.length]).sort(),
  );

  // --- A second scan: the same conditions, so no new alert -----------------------------------
  const alertIds = () => json<{ alerts: Alert[] }>('alerts', '--state', 'all').alerts.map((a) => a.id).sort((a, b) => a - b);
  const before = alertIds();
  assert.ok(before.length >= placed.length, 'the first scan raised its alerts (one review alert per config at least)');
  const second = run('scan', '--json');
  const secondReport = JSON.parse(second.stdout) as ScanReport;
  assert.deepEqual(alertIds(), before, 'a second scan raises no new alert');
  assert.deepEqual(secondReport.configs.flatMap((c) => c.servers.map((s) => s.name)).sort(), [...expectedNames].sort(), 'and registers nothing new');
  assert.equal(second.code, high(secondReport) ? 3 : 0);
  assert.equal(json<{ servers: ServerDefinition[] }>('mcp', 'list').servers.length, servers.length);

  // --- A high finding: exit code 3 ------------------------------------------------------------
  const cursor = placed.find((p) => p.location.client === 'cursor') as Placed;
  const token = `ghp_${'Zx8Vb2Nm4Lk6Jh8Gf0Ds2Aq4Wr6Ty8Ui0Op2'}`;
  const withSecret = JSON.parse(cursor.text) as { mcpServers: Record<string, { env?: Record<string, unknown> }> };
  (withSecret.mcpServers['browser-tools'] as { env: Record<string, unknown> }).env.GITHUB_TOKEN = token;
  place(cursor.location.path, JSON.stringify(withSecret, null, 2));
  const third = run('scan', '--json');
  const thirdReport = JSON.parse(third.stdout) as ScanReport;
  assert.ok(thirdReport.findings.some((f) => f.type === 'plaintext_secret' && f.severity === 'high'), 'the token is a high finding');
  assert.equal(third.code, 3, third.stderr);
  assert.equal(third.code, high(thirdReport) ? 3 : 0);
  for (const output of outputs) assert.ok(!output.stdout.includes(token) && !output.stderr.includes(token), 'no output holds the token');
});

test('macOS layout: scanAll reads the Library/Application Support paths (darwin PlatformEnv, real files)', (t) => {
  const { home } = fakeHome(t);
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const support = path.join(home, 'Library', 'Application Support');
  const placedFiles: [ClientId, string, string][] = [
    ['claude-desktop', path.join(support, 'Claude', 'claude_desktop_config.json'), fixture('claude-desktop/claude_desktop_config.json')],
    ['vscode', path.join(support, 'Code', 'User', 'mcp.json'), fixture('vscode/mcp.json')],
    ['cline', path.join(support, 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'), fixture('cline/cline_mcp_settings.json')],
    ['cursor', path.join(home, '.cursor', 'mcp.json'), fixture('cursor/mcp.json')],
  ];
  for (const [, file, text] of placedFiles) place(file, text);
  // A Linux-only path holding a config: a darwin scan must not read it.
  place(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), fixture('claude-desktop/claude_desktop_config.windows.json'));

  const darwin: PlatformEnv = { platform: 'darwin', homedir: home, env: {} };
  const results = scanAll({ store, env: { PATH: process.env.PATH } }, darwin);
  const found = results.filter((r) => r.state !== 'absent');
  assert.deepEqual(
    found.map((r) => [r.location.client, r.location.path, r.state]).sort(),
    placedFiles.map(([client, file]) => [client, file, 'ok']).sort(),
    'the darwin locations, and only those, are read',
  );
  for (const result of found) {
    const location = result.location;
    const text = (placedFiles.find(([, file]) => file === location.path) as [ClientId, string, string])[2];
    const parsed = parseConfig(text, location);
    assert.ok(parsed.ok);
    assert.deepEqual(result.servers.map((s) => s.key), parsed.servers.map((s) => s.key), `${location.path}: the fixture's servers`);
  }
  assert.deepEqual(
    results.filter((r) => r.state === 'absent').map((r) => r.location.path).sort(),
    allLocations(darwin).map((l) => l.path).filter((p) => !placedFiles.some(([, file]) => file === p)).sort(),
    'every other darwin location was looked at and found absent',
  );
  // Windows (win32) locations are pure path computations, covered by test/unit/discovery-paths.test.ts.
});
