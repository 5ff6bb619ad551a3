// Finding 11 of issue 11: server names that read as options (`--home`, `-h`), path steps (`.`, `..`)
// or Windows devices (`NUL`, `con.json`) were accepted, and the launcher entry attach wrote for them
// (`... run --home`) exited 2 in the client. Replayed with the built CLI on a real data directory,
// a fake HOME holding a real Claude Desktop config, and a real MCP server started through the entry.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import { nameProblem } from '../../core/api/names.ts';
import { DATABASE_FILE } from '../../core/store/database.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

const SERVER = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');
const BAD_NAMES = ['--home', '-h', '-leading', '.', '..', 'CON', 'nul', 'Aux', 'prn.txt', 'COM1', 'lpt9.json', 'com7.tar.gz'];

function setup(t: TestContext) {
  const fake = fakeHome(t);
  const home = tempDir(t, 'mcp-warden-home-');
  const run = (...args: string[]) => cli(['--home', home, ...args], { env: fake.env });
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({}));
  assert.equal(run('scan').code, 0);
  return { ...fake, home, run };
}

interface Entry { command: string; args: string[]; env?: Record<string, string> }
const entriesOf = (file: string): Record<string, Entry> => (JSON.parse(readFileSync(file, 'utf8')) as { mcpServers: Record<string, Entry> }).mcpServers;

/** Starts a config entry the way the client does and lists its tools. */
async function startEntry(t: TestContext, entry: Entry, env: Record<string, string | undefined>): Promise<string[]> {
  const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...(process.env as Record<string, string>), ...(entry.env ?? {}), ...(env as Record<string, string>) }, stderr: 'pipe' });
  const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
  t.after(() => client.close().catch(() => {}));
  await client.connect(transport);
  return (await client.listTools()).tools.map((tool) => tool.name);
}

test('a manifest naming a server like an option, a path step or a Windows device is refused: exit 2, one sentence, nothing stored, no entry written', (t) => {
  const s = setup(t);
  const manifest = path.join(tempDir(t, 'mcp-warden-manifest-'), 'servers.yaml');
  for (const name of BAD_NAMES) {
    writeFileSync(manifest, `version: 1\nservers:\n  - name: ${JSON.stringify(name)}\n    transport: stdio\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(SERVER)}]\n    attach: [claude-desktop]\n`);
    const before = databaseChecksum(s.home);
    const config = readFileSync(s.claudeDesktop);
    const applied = s.run('apply', '-f', manifest);
    assert.equal(applied.code, 2, `${name}: ${applied.stdout}${applied.stderr}`);
    assert.match(applied.stderr, /^mcp-warden: .*servers\[0\]\.name.*The server name ".+" is invalid: (it starts with '-'|".+" is a folder in a path|[A-Z]+\d? is a Windows device name)/m, name);
    assert.equal(applied.stderr.trim().split('\n').length, 1, `one sentence for ${name}: ${applied.stderr}`);
    assert.equal(applied.stdout, '');
    assert.equal(databaseChecksum(s.home), before, `${name}: nothing stored`);
    assert.deepEqual(readFileSync(s.claudeDesktop), config, `${name}: the client config is untouched`);
  }
  // The same rule guards secret names (a secret named --home could not be removed from the CLI either).
  const secret = cli(['--home', s.home, 'secrets', 'add', '--', '--home'], { env: s.env, input: 'a-value-never-stored' });
  assert.equal(secret.code, 2, secret.stderr);
  assert.match(secret.stderr, /^mcp-warden: The secret name "--home" is invalid: it starts with '-', so command lines would read it as an option\.$/m);
});

test('a server stored under an option-like name before the rule is attached as `run -- <name>`, and the client starts it; an entry in the older `run <name>` form is still ours', async (t) => {
  const s = setup(t);
  assert.equal(s.run('mcp', 'add', 'legacy', 'stdio', '--command', process.execPath, '--arg', SERVER).code, 0);
  // What an older MCP Warden let through: the name is changed in the real database file.
  const db = new Database(path.join(s.home, DATABASE_FILE));
  db.prepare("UPDATE servers SET name = '--home' WHERE name = 'legacy'").run();
  db.close();

  const attached = s.run('mcp', 'attach', '--client', 'claude-desktop', '--key', 'legacy', '--', '--home');
  assert.equal(attached.code, 0, attached.stderr);
  const entry = entriesOf(s.claudeDesktop)['legacy'] as Entry;
  assert.deepEqual(entry.args.slice(-3), ['run', '--', '--home'], 'the options end before the name');
  // On the old form (`run --home`) the CLI took --home for its own option and exited 2 before starting anything.
  assert.ok((await startEntry(t, entry, s.env)).length > 0, 'the client reached the server through the launcher');

  // An entry written by an earlier version (`run <name>`, no `--`) is still recognised as attached.
  assert.equal(s.run('mcp', 'add', 'notes', 'stdio', '--command', process.execPath, '--arg', SERVER).code, 0);
  assert.equal(s.run('mcp', 'attach', 'notes', '--client', 'claude-desktop').code, 0);
  const config = JSON.parse(readFileSync(s.claudeDesktop, 'utf8')) as { mcpServers: Record<string, Entry> };
  const notes = config.mcpServers['notes'] as Entry;
  notes.args = [...notes.args.slice(0, -3), 'run', 'notes'];
  writeByRename(s.claudeDesktop, config);
  assert.equal(s.run('scan').code, 0);
  const clients = JSON.parse(s.run('clients', '--json').stdout) as { clients: { client: string; attached: { name: string }[] }[] };
  const desktop = clients.clients.find((c) => c.client === 'claude-desktop');
  assert.deepEqual(desktop?.attached.map((a) => a.name).sort(), ['--home', 'notes']);
});

test('config keys that break the rule are still registered: the key is the display name, the registry name is derived and valid, and the entry attaches and runs', async (t) => {
  const s = setup(t);
  const keys = ['--home', '-h', '..', '.', 'NUL', 'con.json'];
  writeByRename(s.claudeDesktop, claudeDesktopConfig(Object.fromEntries(keys.map((k) => [k, { command: process.execPath, args: [SERVER] }]))));
  // Exit 3: new servers after the baseline are high findings (unapproved), which is not what this checks.
  const scanned = s.run('scan');
  assert.ok([0, 3].includes(scanned.code), scanned.stderr);
  const servers = (JSON.parse(s.run('mcp', 'list', '--json').stdout) as { servers: { name: string; display_name: string }[] }).servers;
  assert.deepEqual(servers.map((x) => x.display_name).sort(), [...keys].sort(), 'every key the client runs is registered');
  for (const server of servers) assert.equal(nameProblem(server.name), null, `${server.display_name} -> ${server.name}`);
  const byKey = new Map(servers.map((x) => [x.display_name, x.name]));
  assert.equal(byKey.get('--home'), 'home');
  assert.equal(byKey.get('NUL'), 'NUL-server');
  assert.equal(byKey.get('con.json'), 'con-server.json');

  const name = byKey.get('--home') as string;
  assert.equal(s.run('mcp', 'approve', name).code, 0);
  const attached = s.run('mcp', 'attach', name, '--client', 'claude-desktop');
  assert.equal(attached.code, 0, attached.stderr);
  const entry = entriesOf(s.claudeDesktop)['--home'] as Entry;
  assert.deepEqual(entry.args.slice(-3), ['run', '--', 'home'], 'the entry keeps its key and runs the derived name');
  assert.ok((await startEntry(t, entry, s.env)).length > 0);
});
