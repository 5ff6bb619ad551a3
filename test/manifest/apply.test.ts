import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { AuditEvent } from '../../core/api/audit.ts';
import type { ApplyResult } from '../../core/api/launcher.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { getServerPolicies } from '../../core/launcher/policy.ts';
import { openStore } from '../../core/store/database.ts';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

const ECHO_ENV = path.join(ROOT, 'test', 'fixtures', 'servers', 'echo-env.mjs');

function setup(t: TestContext) {
  const fake = fakeHome(t);
  const home = tempDir(t, 'mcp-warden-home-');
  const dir = tempDir(t, 'mcp-warden-manifest-');
  const manifest = path.join(dir, 'servers.yaml');
  const run = (...args: string[]) => cli(['--home', home, ...args], { env: fake.env, input: args[0] === 'secrets' ? 'ghp_R8kW2mXq7Lp4Zt9Yb3Nc6Vd1Hs5Jf0Ga8UeT' : '' });
  const ok = (...args: string[]): string => {
    const r = run(...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({}));
  ok('secrets', 'add', 'gh-token');
  return { ...fake, home, manifest, run, ok, write: (text: string) => writeFileSync(manifest, text) };
}

const MANIFEST = (extra: { args?: string; description?: string } = {}): string => `# Team MCP servers
version: 1
servers:
  - name: github
    transport: stdio
    command: ${JSON.stringify(process.execPath)}
    args: ${extra.args ?? JSON.stringify([ECHO_ENV])}
${extra.description !== undefined ? `    description: ${extra.description}\n` : ''}    env_template:
      GITHUB_TOKEN: "{{secret:gh-token}}"
      LOG_LEVEL: info
    capabilities: [env]
    policy:
      attestation: block
      undeclared_tools: warn
    attach: [claude-desktop]
  - name: docs
    transport: http
    url: https://docs.example/mcp
    headers:
      Authorization: "Bearer {{secret:gh-token}}"
`;

test('apply registers and attaches, is idempotent, plans with --dry-run, and updates only the fields that changed', (t) => {
  const s = setup(t);
  s.write(MANIFEST());

  // Dry run first: the plan, and nothing written.
  const before = databaseChecksum(s.home);
  const configBefore = readFileSync(s.claudeDesktop);
  assert.equal(s.ok('apply', '-f', s.manifest, '--dry-run'), 'Dry run: nothing was changed. The plan:\n+ register github\n→ attach github to claude-desktop\n+ register docs\n');
  assert.equal(databaseChecksum(s.home), before);
  assert.deepEqual(readFileSync(s.claudeDesktop), configBefore);

  assert.equal(s.ok('apply', '-f', s.manifest), '+ register github\n→ attach github to claude-desktop\n+ register docs\n');
  const github = (JSON.parse(s.ok('mcp', 'show', 'github', '--json')) as { server: ServerDefinition }).server;
  assert.equal(github.status, 'approved');
  assert.equal(github.command, process.execPath);
  assert.deepEqual(github.args, [ECHO_ENV]);
  assert.deepEqual(github.env_template, [{ key: 'GITHUB_TOKEN', value: '{{secret:gh-token}}' }, { key: 'LOG_LEVEL', value: 'info' }]);
  assert.deepEqual(github.capabilities, ['env']);
  const docs = (JSON.parse(s.ok('mcp', 'show', 'docs', '--json')) as { server: ServerDefinition }).server;
  assert.deepEqual([docs.transport, docs.url, docs.headers], ['http', 'https://docs.example/mcp', { Authorization: 'Bearer {{secret:gh-token}}' }]);
  const store = openStore(s.home);
  try {
    const policies = getServerPolicies(store.db, github.id);
    assert.deepEqual([policies.attestation, policies.undeclared], ['block', 'warn']);
  } finally {
    store.close();
  }
  const config = JSON.parse(readFileSync(s.claudeDesktop, 'utf8')) as { globalShortcut: string; mcpServers: Record<string, { args: string[] }> };
  assert.equal(config.globalShortcut, 'Alt+Space');
  assert.deepEqual(config.mcpServers.github?.args.slice(-3), ['run', '--', 'github']);

  // The second run changes nothing at all: every server unchanged, not a byte written.
  const settled = databaseChecksum(s.home);
  const configSettled = readFileSync(s.claudeDesktop);
  const again = JSON.parse(s.ok('apply', '-f', s.manifest, '--json')) as ApplyResult;
  assert.deepEqual(again, { dry_run: false, changes: [{ action: 'unchanged', server: 'github', detail: '' }, { action: 'unchanged', server: 'docs', detail: '' }] });
  assert.equal(s.ok('apply', '-f', s.manifest), '= github unchanged\n= docs unchanged\n');
  assert.equal(databaseChecksum(s.home), settled);
  assert.deepEqual(readFileSync(s.claudeDesktop), configSettled);

  // A changed manifest: the dry run names just the changed fields, the apply changes just those.
  s.write(MANIFEST({ args: JSON.stringify([ECHO_ENV, '--verbose']), description: 'GitHub for the team' }));
  assert.equal(s.ok('apply', '-f', s.manifest, '--dry-run'), 'Dry run: nothing was changed. The plan:\n~ update github: description, args\n= docs unchanged\n');
  assert.equal(databaseChecksum(s.home), settled);
  assert.equal(s.ok('apply', '-f', s.manifest), '~ update github: description, args\n= docs unchanged\n');
  const updated = (JSON.parse(s.ok('mcp', 'show', 'github', '--json')) as { server: ServerDefinition }).server;
  assert.deepEqual(updated.args, [ECHO_ENV, '--verbose']);
  assert.equal(updated.description, 'GitHub for the team');
  assert.deepEqual(updated.env_template, github.env_template);
  const events = (JSON.parse(s.ok('audit', '--json', '--type', 'server.updated')) as { events: AuditEvent[] }).events;
  assert.deepEqual(events.map((e) => (e.details as { fields: string[] }).fields), [['description', 'args']]);
  assert.equal(s.ok('apply', '-f', s.manifest), '= github unchanged\n= docs unchanged\n');
});

test('an invalid manifest is rejected whole, naming the field path and its line; nothing changes', (t) => {
  const s = setup(t);
  const before = databaseChecksum(s.home);
  const configBefore = readFileSync(s.claudeDesktop);
  const valid = MANIFEST();
  const withHandle = valid.replace(JSON.stringify([ECHO_ENV]), JSON.stringify([ECHO_ENV, '{{secret:gh-token}}']));
  const cases: [string, string, RegExp][] = [
    ['unknown field', valid.replace('    capabilities: [env]\n', '    capabilities: [env]\n    colour: blue\n'), /\(line 12, column 5\): servers\[0\]\.colour: Unknown field "colour" in a server\.$/],
    ['bad transport', valid.replace('transport: http', 'transport: tcp'), /\(line 17, column 5\): servers\[1\]\.transport: Unknown transport "tcp": use stdio, http or sse\.$/],
    // The item itself: in a flow list, the column of the second element.
    ['handle in args', withHandle, new RegExp(`\\(line 7, column ${(withHandle.split('\n')[6] ?? '').indexOf('"{{secret') + 1}\\): servers\\[0\\]\\.args\\[1\\]: Argument 2 holds a \\{\\{secret:\\.\\.\\.\\}\\} handle`)],
    ['missing secret', valid.replace('LOG_LEVEL: info', 'LOG_LEVEL: "{{secret:log-level}}"'), /\(line 10, column 7\): servers\[0\]\.env_template\.LOG_LEVEL: The secret "log-level" does not exist: add it first with `mcp-warden secrets add log-level`\.$/],
    ['not YAML', 'version: 1\nservers: [\n', /\(line 3, column 1\): the file is not valid YAML/],
  ];
  for (const [what, text, expected] of cases) {
    s.write(text);
    const r = s.run('apply', '-f', s.manifest);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, '', what);
    assert.equal(r.stderr.split('\n').length, 2, `${what}: one line`);
    assert.match(r.stderr.trim(), expected, what);
    assert.ok(r.stderr.startsWith(`mcp-warden: ${s.manifest} (line `), what);
  }
  // The valid server before the invalid one was not registered either.
  assert.equal(databaseChecksum(s.home), before);
  assert.deepEqual(readFileSync(s.claudeDesktop), configBefore);
});
