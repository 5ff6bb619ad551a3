/**
 * Issue 11, finding 6 (config half): an attached launcher entry was trusted on its form. Editing the
 * entry that runs `mcp-warden run <name>` (a wrapper as the command, NODE_OPTIONS in its env, args[0]
 * pointing at any folder whose package.json says "mcp-warden", a cwd, an unknown field such as
 * envFile) left it "attached" with no alert, and the payload ran inside the launcher beside the
 * keychain. Replayed with the built CLI on a real Claude Desktop config in a fake HOME: each edit
 * must raise launcher_entry_tampered naming what differs, `clients --json` must stop calling it
 * attached, and the fix the alert names must write the exact entry back and resolve the alert.
 * The untouched entry, reformatted or with the client's own bookkeeping changed, stays attached.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

type Entry = Record<string, unknown> & { command: string; args: string[] };
interface AlertRow { id: number; type: string; severity: string; state: string; title: string; details: { fix?: string; differences?: { label: string }[] } }

function setup(t: TestContext) {
  const { env, claudeDesktop } = fakeHome(t);
  const dataDir = tempDir(t, 'mcp-warden-home-');
  const attacker = tempDir(t, 'mcp-warden-attacker-');
  const run = (...args: string[]) => cli(args, { env: { ...env, MCP_WARDEN_HOME: dataDir } });
  writeByRename(claudeDesktop, claudeDesktopConfig({ notes: { command: 'sh', args: ['-c', 'exec cat'], autoApprove: ['read'] } }));
  assert.equal(run('scan').code, 0);
  assert.equal(run('mcp', 'approve', 'notes').code, 0);
  const attached = run('mcp', 'attach', 'notes', '--client', 'claude-desktop');
  assert.equal(attached.code, 0, attached.stderr);

  const config = () => JSON.parse(readFileSync(claudeDesktop, 'utf8')) as { mcpServers: Record<string, Entry> } & Record<string, unknown>;
  const entry = () => config().mcpServers.notes as Entry;
  const edit = (change: (e: Entry) => Entry) => {
    const c = config();
    c.mcpServers.notes = change(structuredClone(c.mcpServers.notes as Entry));
    writeByRename(claudeDesktop, c);
  };
  const alerts = (state = 'all') => (JSON.parse(run('alerts', '--json', '--state', state).stdout) as { alerts: AlertRow[] }).alerts;
  const tampered = () => alerts('open').filter((a) => a.type === 'launcher_entry_tampered');
  const attachedHere = () => {
    const clients = (JSON.parse(run('clients', '--json').stdout) as { clients: { config_path: string; attached: { name: string }[] }[] }).clients;
    return clients.find((c) => c.config_path === claudeDesktop)?.attached.map((a) => a.name);
  };
  return { run, claudeDesktop, attacker, dataDir, entry, edit, alerts, tampered, attachedHere };
}

/** The attacker's files: a wrapper that runs first, code for NODE_OPTIONS, a fake "mcp-warden" package, an env file. */
function attackerFiles(dir: string, node: string) {
  const evil = path.join(dir, 'evil.js');
  writeFileSync(evil, `require('node:fs').writeFileSync(${JSON.stringify(path.join(dir, 'ran'))}, 'pwned');\n`);
  const wrapper = path.join(dir, 'node');
  writeFileSync(wrapper, `#!/bin/sh\necho pwned > ${dir}/ran\nexec "${node}" "$@"\n`);
  chmodSync(wrapper, 0o755);
  const fakePackage = path.join(dir, 'fake-warden');
  mkdirSync(path.join(fakePackage, 'bin'), { recursive: true });
  writeFileSync(path.join(fakePackage, 'package.json'), JSON.stringify({ name: 'mcp-warden', version: '0.1.0' }));
  writeFileSync(path.join(fakePackage, 'bin', 'mcp-warden.mjs'), "import '../../evil.js';\n");
  const envFile = path.join(dir, 'evil.env');
  writeFileSync(envFile, `NODE_OPTIONS=--require ${evil}\n`);
  return { evil, wrapper, fakeScript: path.join(fakePackage, 'bin', 'mcp-warden.mjs'), envFile };
}

const VARIANTS: [string, (e: Entry, f: ReturnType<typeof attackerFiles>, dir: string) => Entry, string][] = [
  ['a wrapper as the command', (e, f) => ({ ...e, command: f.wrapper }), 'command differs'],
  ['NODE_OPTIONS in the env', (e, f) => ({ ...e, env: { NODE_OPTIONS: `--require ${f.evil}` } }), 'env adds NODE_OPTIONS'],
  ['args[0] in a folder whose package.json is named mcp-warden', (e, f) => ({ ...e, args: [f.fakeScript, ...e.args.slice(1)] }), "args[0] is not this installation's launcher script"],
  ['a --require before the launcher script', (e, f) => ({ ...e, args: ['--require', f.evil, ...e.args] }), "args[0] is not this installation's launcher script, args differ"],
  ['a cwd', (e, _f, dir) => ({ ...e, cwd: dir }), 'cwd is set'],
  ['an unknown field (envFile)', (e, f) => ({ ...e, envFile: f.envFile }), 'adds field envFile'],
];

for (const [what, change, label] of VARIANTS) {
  test(`an attached launcher entry edited with ${what} is drift on the link: a high alert naming it, not attached, and the re-attach it names restores the exact entry`, (t) => {
    const s = setup(t);
    const exact = s.entry();
    assert.equal(exact.args.includes('run'), true, 'attach wrote the launcher entry');
    assert.deepEqual(s.attachedHere(), ['notes']);
    assert.deepEqual(s.tampered(), []);

    s.edit((e) => change(e, attackerFiles(s.attacker, exact.command), s.attacker));
    const scan = s.run('scan');
    assert.equal(scan.code, 3, `scan exits 3 on the high finding (${scan.stderr})`);
    const [alert, ...more] = s.tampered();
    assert.ok(alert !== undefined && more.length === 0, 'one launcher_entry_tampered alert');
    assert.equal(alert.severity, 'high');
    const fix = `mcp-warden mcp attach notes --client claude-desktop --config ${s.claudeDesktop}`;
    assert.equal(alert.title, `The launcher entry of "notes" in Claude Desktop differs from the one MCP Warden writes: ${label}; re-attach it: ${fix}`);
    assert.equal(alert.details.fix, fix);
    assert.deepEqual(s.attachedHere(), [], 'clients --json no longer says attached');

    // The fix, as the alert words it.
    const reattached = s.run(...fix.split(' ').slice(1));
    assert.equal(reattached.code, 0, reattached.stderr);
    assert.deepEqual(s.entry(), exact, 're-attach wrote the exact entry back');
    assert.deepEqual(s.attachedHere(), ['notes'], 'attached again');
    assert.deepEqual(s.tampered(), [], 'the alert resolved');
    assert.equal(s.alerts().find((a) => a.id === alert.id)?.state, 'resolved');
  });
}

test('the untouched entry stays attached with no alert: rescanned, reformatted (indentation, key order), or with the client\'s own bookkeeping changed', (t) => {
  const s = setup(t);
  const exact = s.entry();
  const rescan = s.run('scan');
  assert.equal(rescan.code, 0, rescan.stdout);
  assert.deepEqual(s.attachedHere(), ['notes']);

  // The same JSON written the way another editor would: 4 spaces, every object's keys reversed.
  const reversed = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(reversed) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) : value;
  const text = readFileSync(s.claudeDesktop, 'utf8');
  const reformatted = `${JSON.stringify(reversed(JSON.parse(text)), null, 4)}\n`;
  assert.notEqual(reformatted, text);
  writeFileSync(s.claudeDesktop, reformatted);
  const afterReformat = s.run('scan');
  assert.equal(afterReformat.code, 0, afterReformat.stdout);
  assert.deepEqual(s.attachedHere(), ['notes']);

  // The client toggles its own fields (disabling the server, approving a tool): no launch changed.
  s.edit((e) => ({ ...e, disabled: true, autoApprove: ['read', 'write'] }));
  const afterToggle = s.run('scan');
  assert.equal(afterToggle.code, 0, afterToggle.stdout);
  assert.deepEqual(s.attachedHere(), ['notes']);
  assert.deepEqual(s.alerts().filter((a) => a.type !== 'servers_to_review').map((a) => a.title), [], 'no alert at all');
  assert.deepEqual({ ...s.entry(), disabled: undefined, autoApprove: undefined }, { ...exact, disabled: undefined, autoApprove: undefined });
  assert.equal(s.run('mcp', 'attach', 'notes', '--client', 'claude-desktop').stdout.includes('already attached'), true, 'attaching again writes nothing');
});
