import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ServerDefinition } from '../../core/api/server.ts';
import { cli, tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';

const DEFINITION_FIELDS = [
  'id', 'name', 'display_name', 'description', 'transport', 'command', 'args', 'cwd', 'url', 'headers',
  'env_template', 'capabilities', 'server_url', 'source', 'fingerprint', 'status', 'command_sha256', 'allowed_rules', 'created_at', 'updated_at',
].sort();

function ok(args: string[], env?: Record<string, string>) {
  const result = cli(args, { env });
  assert.equal(result.code, 0, `mcp-warden ${args.join(' ')} failed: ${result.stderr}`);
  assert.equal(result.stderr, '');
  return result.stdout;
}

test('stdio and http servers round-trip through add, list, show and remove', (t) => {
  const home = tempDir(t);
  const h = ['--home', home];
  const work = tempDir(t, 'mcp-warden-cwd-');
  const bin = tempDir(t, 'mcp-warden-path-');
  const server = path.join(bin, 'mcp-files');
  writeFileSync(server, '#!/bin/sh\n');
  chmodSync(server, 0o755);
  const onPath = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };

  ok([...h, 'mcp', 'add', 'files', 'stdio', '--command', 'mcp-files', '--args', 'server.js,--root', '--arg', 'a,b', '--cwd', work,
    '--env', 'LOG_LEVEL=debug', '--env', 'EMPTY=', '--display-name', 'File server', '--description', 'Reads files', '--capabilities', 'read_file, list_dir'], onPath);
  ok([...h, 'mcp', 'add', 'remote', 'http', '--url', 'https://mcp.example.com/mcp?x=1', '--header', 'X-Team=core', '--header', 'Accept=application/json, text/event-stream']);
  ok([...h, 'mcp', 'add', 'legacy', 'sse', '--url', 'http://127.0.0.1:9000/sse']);

  const listed = JSON.parse(ok([...h, 'mcp', 'list', '--json'])) as { servers: (ServerDefinition & { trust_score: number | null })[] };
  assert.deepEqual(listed.servers.map((s) => s.name), ['files', 'legacy', 'remote']);
  for (const server of listed.servers) assert.deepEqual(Object.keys(server).sort(), [...DEFINITION_FIELDS, 'trust_score'].sort());
  for (const server of listed.servers) assert.ok(Number.isInteger(server.trust_score) && (server.trust_score as number) >= 0 && (server.trust_score as number) <= 100, 'a registered server has a trust score');

  const files = listed.servers[0] as ServerDefinition & { trust_score: number | null };
  assert.equal(files.transport, 'stdio');
  assert.equal(files.command, server, 'a bare command name is resolved on PATH to an absolute path');
  assert.deepEqual(files.args, ['server.js', '--root', 'a,b']);
  assert.equal(files.cwd, work);
  assert.deepEqual(files.env_template, [{ key: 'LOG_LEVEL', value: 'debug' }, { key: 'EMPTY', value: '' }]);
  assert.deepEqual(files.capabilities, ['read_file', 'list_dir']);
  assert.equal(files.display_name, 'File server');
  assert.equal(files.description, 'Reads files');
  assert.equal(files.server_url, 'stdio://files');
  assert.deepEqual(files.source, { kind: 'manual' });
  assert.match(files.id, /^srv_[0-9a-f]{24}$/);
  assert.match(files.fingerprint, /^[0-9a-f]{64}$/);
  assert.equal(files.url, null);

  const remote = listed.servers[2] as ServerDefinition;
  assert.equal(remote.url, 'https://mcp.example.com/mcp?x=1');
  assert.equal(remote.server_url, 'https://mcp.example.com/mcp?x=1');
  assert.deepEqual(remote.headers, { 'X-Team': 'core', Accept: 'application/json, text/event-stream' });
  assert.equal(remote.command, null);
  assert.equal(remote.display_name, 'remote');

  const { trust_score: _score, ...definition } = files;
  const shown = JSON.parse(ok([...h, 'mcp', 'show', 'files', '--json'])) as { server: ServerDefinition };
  assert.deepEqual(shown.server, definition);
  assert.deepEqual((JSON.parse(ok([...h, 'mcp', 'show', files.id, '--json'])) as { server: ServerDefinition }).server, definition, 'show also takes the id');

  const table = ok([...h, 'mcp', 'list']);
  assert.match(table.split('\n')[0] as string, /^NAME\s+STATUS\s+TRUST\s+TRANSPORT\s+COMMAND\/URL\s+DESCRIPTION\s+ENV$/);
  assert.match(table, new RegExp(`files\\s+approved\\s+\\S+\\s+stdio\\s+${escape(server)} server\\.js --root a,b\\s+Reads files\\s+LOG_LEVEL,EMPTY`));
  assert.doesNotMatch(table, /debug/, 'the table shows env key names only');
  const human = ok([...h, 'mcp', 'show', 'remote']);
  assert.match(human, /Header X-Team:\s+core/);

  assert.match(ok([...h, 'mcp', 'remove', 'files']), /Removed server "files"/);
  ok([...h, 'mcp', 'remove', 'remote']);
  const after = JSON.parse(ok([...h, 'mcp', 'list', '--json'])) as { servers: ServerDefinition[] };
  assert.deepEqual(after.servers.map((s) => s.name), ['legacy']);
  const missing = cli([...h, 'mcp', 'show', 'files']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'mcp-warden: No server named "files" is registered.\n');
});

test('the data directory comes from --home anywhere on the line, else MCP_WARDEN_HOME', (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  ok(['mcp', 'add', 'one', 'http', '--url', 'https://a.example/mcp', '--home', a]);
  ok(['mcp', 'add', 'two', 'http', '--url', 'https://b.example/mcp'], { MCP_WARDEN_HOME: b });
  const inA = JSON.parse(ok(['--home', a, 'mcp', 'list', '--json'])) as { servers: ServerDefinition[] };
  const inB = JSON.parse(ok(['mcp', 'list', '--json'], { MCP_WARDEN_HOME: b })) as { servers: ServerDefinition[] };
  assert.deepEqual(inA.servers.map((s) => s.name), ['one']);
  assert.deepEqual(inB.servers.map((s) => s.name), ['two']);
});

test('every bad input is refused with one sentence naming the field, the right exit code, and no stored change', (t) => {
  const home = tempDir(t);
  const h = ['--home', home];
  const dir = tempDir(t, 'mcp-warden-bin-');
  const notExecutable = path.join(dir, 'server.sh');
  writeFileSync(notExecutable, '#!/bin/sh\n');
  chmodSync(notExecutable, 0o644);
  const subdir = path.join(dir, 'subdir');
  mkdirSync(subdir);
  ok([...h, 'mcp', 'add', 'taken', 'stdio', '--command', 'node']);
  const before = databaseChecksum(home);

  const cases: { name: string; args: string[]; code: 1 | 2; message: RegExp }[] = [
    { name: 'duplicate name', args: ['taken', 'stdio', '--command', 'node'], code: 1, message: /^A server named "taken" is already registered\.$/ },
    { name: 'duplicate name in another case', args: ['TAKEN', 'http', '--url', 'https://x.example'], code: 1, message: /^A server named "taken" is already registered\.$/ },
    { name: 'bad name', args: ['bad name!', 'stdio', '--command', 'node'], code: 2, message: /^The server name "bad name!" is invalid: use 1 to 64 letters, digits, '-', '_' or '\.'\.$/ },
    { name: 'name too long', args: ['x'.repeat(65), 'stdio', '--command', 'node'], code: 2, message: /^The server name "x+" is invalid/ },
    { name: 'missing command', args: ['nocmd', 'stdio'], code: 2, message: /^A stdio server needs a command\.$/ },
    { name: 'command not found', args: ['ghost', 'stdio', '--command', 'no-such-binary-mcp-warden'], code: 1, message: /^The command "no-such-binary-mcp-warden" was not found on PATH\.$/ },
    { name: 'command path missing', args: ['ghost', 'stdio', '--command', path.join(dir, 'nope')], code: 1, message: new RegExp(`^The command ${escape(path.join(dir, 'nope'))} does not exist\\.$`) },
    { name: 'command not executable', args: ['noexec', 'stdio', '--command', notExecutable], code: 1, message: new RegExp(`^The command ${escape(notExecutable)} is not executable\\.$`) },
    { name: 'command is a directory', args: ['dir', 'stdio', '--command', subdir], code: 1, message: /is a directory, not an executable file\.$/ },
    { name: 'relative URL', args: ['rel', 'http', '--url', '/mcp'], code: 2, message: /^The URL "\/mcp" is not an absolute http\(s\) URL\.$/ },
    { name: 'non-http URL', args: ['ftp', 'http', '--url', 'ftp://files.example/mcp'], code: 2, message: /^The URL "ftp:\/\/files\.example\/mcp" must start with http:\/\/ or https:\/\/\.$/ },
    { name: 'missing URL', args: ['nourl', 'sse'], code: 2, message: /^An sse server needs a URL\.$/ },
    { name: 'bad env key', args: ['badenv', 'stdio', '--command', 'node', '--env', '1BAD=x'], code: 2, message: /^The environment variable name "1BAD" is invalid/ },
    { name: 'env without =', args: ['badenv', 'stdio', '--command', 'node', '--env', 'NOVALUE'], code: 2, message: /^--env expects KEY=VALUE, but got "NOVALUE"\.$/ },
    { name: 'duplicate env key', args: ['dupenv', 'stdio', '--command', 'node', '--env', 'A=1', '--env', 'A=2'], code: 2, message: /^The environment variable A is given twice\.$/ },
    { name: 'handle to a missing secret', args: ['gh', 'stdio', '--command', 'node', '--env', 'GITHUB_TOKEN={{secret:gh-token}}'], code: 1, message: /^The secret "gh-token" used in environment variable GITHUB_TOKEN does not exist: add it first with `mcp-warden secrets add gh-token`\.$/ },
    { name: 'handle to a missing secret in a header', args: ['api', 'http', '--url', 'https://x.example', '--header', 'Authorization=Bearer {{secret:api-key}}'], code: 1, message: /^The secret "api-key" used in header Authorization does not exist/ },
    { name: 'malformed handle', args: ['mal', 'stdio', '--command', 'node', '--env', 'T={{secret:bad name}}'], code: 2, message: /^The value of T holds a malformed secret handle/ },
    { name: 'handle in args', args: ['argsecret', 'stdio', '--command', 'node', '--arg', '{{secret:x}}'], code: 2, message: /^Argument 1 holds a \{\{secret:\.\.\.\}\} handle, but process arguments are visible to other users/ },
    { name: 'unknown transport', args: ['ws', 'websocket', '--url', 'https://x.example'], code: 2, message: /^Unknown transport "websocket": use stdio, http or sse\.$/ },
    { name: 'URL on a stdio server', args: ['mixed', 'stdio', '--command', 'node', '--url', 'https://x.example'], code: 2, message: /^A URL is only for http and sse servers/ },
    { name: 'command on an http server', args: ['mixed', 'http', '--url', 'https://x.example', '--command', 'node'], code: 2, message: /^A command is only for stdio servers/ },
    { name: 'missing working directory', args: ['cwd', 'stdio', '--command', 'node', '--cwd', path.join(dir, 'gone')], code: 1, message: /^The working directory .* does not exist or is not a directory\.$/ },
    { name: 'credentials in the URL', args: ['creds', 'http', '--url', 'https://user:pw@x.example/mcp'], code: 2, message: /^The URL cannot carry a user name or password/ },
    { name: 'bad header name', args: ['hdr', 'http', '--url', 'https://x.example', '--header', 'Bad Header=1'], code: 2, message: /^The header name "Bad Header" is invalid\.$/ },
    { name: 'duplicate capability', args: ['caps', 'stdio', '--command', 'node', '--capabilities', 'a,a'], code: 2, message: /^The capability a is listed twice\.$/ },
    { name: 'unknown option', args: ['opt', 'stdio', '--command', 'node', '--bogus'], code: 2, message: /unknown option '--bogus'/ },
    { name: 'missing argument', args: ['onlyname'], code: 2, message: /missing required argument 'transport'/ },
  ];
  for (const c of cases) {
    const result = cli([...h, 'mcp', 'add', ...c.args]);
    assert.equal(result.code, c.code, `${c.name}: exit code (stderr: ${result.stderr})`);
    assert.equal(result.stdout, '', `${c.name}: nothing on stdout`);
    const firstLine = (result.stderr.split('\n')[0] ?? '').replace(/^mcp-warden: /, '');
    assert.match(firstLine, c.message, `${c.name}: message`);
    assert.equal(databaseChecksum(home), before, `${c.name}: the database is unchanged`);
  }
  const badRemove = cli([...h, 'mcp', 'remove', 'nobody']);
  assert.equal(badRemove.code, 1);
  assert.equal(badRemove.stderr, 'mcp-warden: No server named "nobody" is registered.\n');
  assert.equal(databaseChecksum(home), before);
});

test('every command answers --help, and --version prints the package version', async () => {
  const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
  const version = cli(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), pkg.version);
  const commands = [[], ['mcp'], ['mcp', 'add'], ['mcp', 'list'], ['mcp', 'show'], ['mcp', 'remove'], ['secrets'], ['secrets', 'add'], ['secrets', 'list'], ['secrets', 'remove'], ['secrets', 'status']];
  for (const command of commands) {
    const result = cli([...command, '--help']);
    assert.equal(result.code, 0, `${command.join(' ')} --help`);
    assert.match(result.stdout, new RegExp(`^Usage: mcp-warden${command.map((c) => ` ${c}`).join('')}`), `${command.join(' ')} --help prints its usage`);
  }
  const unknown = cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
