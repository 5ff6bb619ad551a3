import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ClientId, ConfigFormat, DiscoveredServer, ParseResult } from '../../core/api/discovery.ts';
import { TRANSPORTS } from '../../core/api/server.ts';
import { MAX_DEPTH } from '../../core/discovery/read-json.ts';
import { jsonPointer } from '../../core/discovery/json-pointer.ts';
import { parseConfig } from '../../core/discovery/parse.ts';
import { splitCommandLine } from '../../core/discovery/split-command.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'clients');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** A server as parsed, with the contract's defaults for fields the case does not set. */
function server(fields: Partial<DiscoveredServer> & Pick<DiscoveredServer, 'key' | 'transport'>): DiscoveredServer {
  return { pointer: jsonPointer('mcpServers', fields.key), command: null, args: [], cwd: null, url: null, headers: {}, env: {}, disabled: false, ...fields };
}

function ok(result: ParseResult): Extract<ParseResult, { ok: true }> {
  if (!result.ok) assert.fail(`expected a parsed config, got: ${result.error.message} at ${result.error.line}:${result.error.column}`);
  return result;
}

function failed(result: ParseResult): { message: string; line: number; column: number } {
  if (result.ok) assert.fail('expected a parse failure');
  return result.error;
}

/** Parses `{"mcpServers": {...entries}}` written as a JS object. */
function parseEntries(entries: Record<string, unknown>, client: ClientId = 'claude-desktop'): Extract<ParseResult, { ok: true }> {
  return ok(parseConfig(JSON.stringify({ mcpServers: entries }), { client, format: 'mcpServers' }));
}

// ---------------------------------------------------------------------------------------------
// Fixtures: each parsed to the exact server list.

test('Claude Desktop: servers next to UI preferences, a remote with headers, args: null and a one-string command', () => {
  const result = ok(parseConfig(fixture('claude-desktop/claude_desktop_config.json'), { client: 'claude-desktop', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'filesystem', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/ada/Desktop', '/Users/ada/Downloads'] }),
    server({
      key: 'github',
      transport: 'stdio',
      command: 'docker',
      args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_example0000000000000000000000000000' },
    }),
    server({ key: 'memory', transport: 'stdio', command: 'npx', env: { MEMORY_FILE_PATH: '/Users/ada/.mcp/memory.json', MAX_ENTRIES: '500', DEBUG: 'false' } }),
    server({ key: 'tmp-files', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }),
    server({ key: 'linear', transport: 'http', url: 'https://mcp.linear.app/mcp', headers: { Authorization: 'Bearer ${env:TOKEN}' } }),
  ]);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.projectPaths, []);
});

test('Claude Desktop on Windows: backslash paths in command, args and cwd survive untouched', () => {
  const result = ok(parseConfig(fixture('claude-desktop/claude_desktop_config.windows.json'), { client: 'claude-desktop', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({
      key: 'notes',
      transport: 'stdio',
      command: 'C:\\Program Files\\nodejs\\node.exe',
      args: ['C:\\Users\\me\\mcp\\notes-server\\dist\\index.js', '--root', 'C:\\Users\\me\\file.txt'],
      cwd: 'C:\\Users\\me\\mcp\\notes-server',
    }),
    server({
      key: 'python-tools',
      transport: 'stdio',
      command: 'C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python312\\python.exe',
      args: ['-m', 'mcp_tools', '--port', '8765', '--verbose', 'true'],
    }),
  ]);
});

test('Claude Code ~/.claude.json: top-level servers, two projects, and their paths', () => {
  const result = ok(parseConfig(fixture('claude-code/claude.json'), { client: 'claude-code', format: 'claude-code' }));
  assert.deepEqual(result.servers, [
    server({ key: 'sentry', transport: 'http', url: 'https://mcp.sentry.dev/mcp', headers: { Authorization: 'Bearer ${SENTRY_TOKEN}' } }),
    server({ key: 'everything', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] }),
    server({
      key: 'postgres',
      pointer: '/projects/~1home~1ada~1code~1web-app/mcpServers/postgres',
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-postgres', 'postgresql://localhost/webapp'],
    }),
    server({
      key: 'playwright',
      pointer: '/projects/~1home~1ada~1code~1api/mcpServers/playwright',
      transport: 'stdio',
      command: 'npx',
      args: ['@playwright/mcp@latest'],
      cwd: '/home/ada/code/api',
    }),
    server({ key: 'docs', pointer: '/projects/~1home~1ada~1code~1api/mcpServers/docs', transport: 'sse', url: 'http://localhost:8931/sse' }),
  ]);
  assert.deepEqual(result.projectPaths, ['/home/ada/code/web-app', '/home/ada/code/api']);
  assert.deepEqual(result.problems, []);
});

test('Claude Code project .mcp.json', () => {
  const result = ok(parseConfig(fixture('claude-code/project.mcp.json'), { client: 'claude-code', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'shared-db', transport: 'stdio', command: 'uvx', args: ['mcp-server-sqlite', '--db-path', './data/app.db'] }),
    server({ key: 'team-search', transport: 'http', url: 'https://search.example.com/mcp' }),
  ]);
  assert.deepEqual(result.projectPaths, [], 'only ~/.claude.json names projects');
});

test('Cursor mcp.json', () => {
  const result = ok(parseConfig(fixture('cursor/mcp.json'), { client: 'cursor', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'context7', transport: 'http', url: 'https://mcp.context7.com/mcp', headers: { CONTEXT7_API_KEY: '${env:CONTEXT7_API_KEY}' } }),
    server({ key: 'browser-tools', transport: 'stdio', command: 'npx', args: ['-y', '@agentdeskai/browser-tools-mcp@1.2.0'], env: { PORT: '3025' } }),
  ]);
});

test('VS Code mcp.json: inputs ignored, ${input:x} and ${env:X} kept verbatim', () => {
  const result = ok(parseConfig(fixture('vscode/mcp.json'), { client: 'vscode', format: 'vscode-mcp' }));
  assert.deepEqual(result.servers, [
    server({ key: 'github', pointer: '/servers/github', transport: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${input:github-token}' } }),
    server({ key: 'fetch', pointer: '/servers/fetch', transport: 'stdio', command: 'uvx', args: ['mcp-server-fetch'], env: { HTTP_PROXY: '${env:HTTP_PROXY}' } }),
  ]);
  assert.deepEqual(result.problems, [], 'the inputs array is not mistaken for servers');
});

test('VS Code settings.json: comments and trailing commas, nested "mcp" and flat "mcp.servers"', () => {
  const nested = ok(parseConfig(fixture('vscode/settings.json'), { client: 'vscode', format: 'vscode-settings' }));
  assert.deepEqual(nested.servers, [
    server({ key: 'time', pointer: '/mcp/servers/time', transport: 'stdio', command: 'uvx', args: ['mcp-server-time', '--local-timezone=Europe/Paris'] }),
    server({ key: 'legacy-sse', pointer: '/mcp/servers/legacy-sse', transport: 'sse', url: 'http://127.0.0.1:3001/sse' }),
  ]);
  const flat = ok(parseConfig(fixture('vscode/settings.flat.json'), { client: 'vscode', format: 'vscode-settings' }));
  assert.deepEqual(flat.servers, [
    server({ key: 'sequential-thinking', pointer: '/mcp.servers/sequential-thinking', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-sequential-thinking'] }),
  ]);
  const both = ok(parseConfig('{"mcp": {"servers": {"a": {"command": "x"}}}, "mcp.servers": {"a": {"command": "y"}}}', { client: 'vscode', format: 'vscode-settings' }));
  assert.deepEqual(
    both.servers.map((s) => [s.pointer, s.command]),
    [
      ['/mcp/servers/a', 'x'],
      ['/mcp.servers/a', 'y'],
    ],
  );
});

test('Windsurf serverUrl', () => {
  const result = ok(parseConfig(fixture('windsurf/mcp_config.json'), { client: 'windsurf', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'stripe', transport: 'http', url: 'https://mcp.stripe.com', headers: { Authorization: 'Bearer ${env:STRIPE_SECRET_KEY}' } }),
    server({ key: 'git', transport: 'stdio', command: 'uvx', args: ['mcp-server-git', '--repository', '/home/ada/code/web-app'] }),
  ]);
});

test('Gemini CLI: url is SSE, httpUrl is Streamable HTTP', () => {
  const result = ok(parseConfig(fixture('gemini-cli/settings.json'), { client: 'gemini-cli', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'events', transport: 'sse', url: 'http://localhost:8080/sse' }),
    server({ key: 'remote-tools', transport: 'http', url: 'https://tools.example.com/mcp', headers: { Authorization: 'Bearer $GEMINI_TOOLS_TOKEN' } }),
    server({ key: 'local-python', transport: 'stdio', command: 'python', args: ['-m', 'my_mcp_server', '--port', '8080'], cwd: './mcp-servers/python', env: { API_KEY: '$MY_API_TOKEN' } }),
  ]);
});

test('Cline: disabled: true, enabled: false, autoApprove ignored, streamableHttp', () => {
  const result = ok(parseConfig(fixture('cline/cline_mcp_settings.json'), { client: 'cline', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [
    server({ key: 'brave-search', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-brave-search'], env: { BRAVE_API_KEY: 'BSA-example-key' }, disabled: true }),
    server({ key: 'weather', transport: 'http', url: 'https://weather.example.com/mcp' }),
    server({ key: 'notes', transport: 'stdio', command: 'node', args: ['/home/ada/mcp/notes/build/index.js'], disabled: true }),
  ]);
});

// ---------------------------------------------------------------------------------------------
// Normalisation rules, one at a time.

test('type and transport values, with their aliases', () => {
  const entry = (field: string, value: string) => ({ [field]: value, url: 'https://x.test/mcp', command: 'run' });
  const cases: [string, string, string][] = [
    ['type', 'stdio', 'stdio'],
    ['type', 'http', 'http'],
    ['type', 'sse', 'sse'],
    ['type', 'streamable-http', 'http'],
    ['type', 'streamableHttp', 'http'],
    ['transport', 'sse', 'sse'],
    ['transport', 'streamable-http', 'http'],
    ['transportType', 'sse', 'sse'],
  ];
  for (const [field, value, expected] of cases) {
    assert.equal(parseEntries({ s: entry(field, value) }).servers[0]?.transport, expected, `${field}: ${value}`);
  }
  const both = parseEntries({ s: { type: 'sse', transport: 'stdio', url: 'https://x.test/sse', command: 'run' } });
  assert.equal(both.servers[0]?.transport, 'sse', 'type wins over transport');
  const unknown = parseEntries({ ws: { type: 'websocket', url: 'wss://x.test' }, fine: { command: 'run' } });
  assert.deepEqual(unknown.servers.map((s) => s.key), ['fine']);
  assert.deepEqual(unknown.problems, [{ pointer: '/mcpServers/ws/type', message: 'Server "ws" was skipped: its type "websocket" is not one of stdio, http, sse, streamable-http.' }]);
  const wrongType = parseEntries({ n: { type: 3, command: 'run' } });
  assert.deepEqual(wrongType.problems, [{ pointer: '/mcpServers/n/type', message: 'Server "n" was skipped: its type is a number, not a string.' }]);
});

test('without a type, the transport is inferred from the fields, as each client does', () => {
  const transportOf = (entry: Record<string, unknown>, client: ClientId): [string | undefined, string | null | undefined] => {
    const s = parseEntries({ s: entry }, client).servers[0];
    return [s?.transport, s?.url];
  };
  assert.deepEqual(transportOf({ command: 'run' }, 'cursor'), ['stdio', null]);
  assert.deepEqual(transportOf({ url: 'https://a.test' }, 'cursor'), ['http', 'https://a.test']);
  assert.deepEqual(transportOf({ serverUrl: 'https://b.test' }, 'windsurf'), ['http', 'https://b.test']);
  assert.deepEqual(transportOf({ httpUrl: 'https://c.test' }, 'cursor'), ['http', 'https://c.test']);
  assert.deepEqual(transportOf({ url: 'https://a.test' }, 'gemini-cli'), ['sse', 'https://a.test']);
  assert.deepEqual(transportOf({ httpUrl: 'https://c.test' }, 'gemini-cli'), ['http', 'https://c.test']);
  assert.deepEqual(transportOf({ url: 'https://a.test', httpUrl: 'https://c.test' }, 'gemini-cli'), ['http', 'https://c.test'], 'Gemini: httpUrl first');
  assert.deepEqual(transportOf({ url: 'https://a.test', command: 'run' }, 'gemini-cli'), ['sse', 'https://a.test'], 'Gemini: a url before the command');
  assert.deepEqual(transportOf({ url: 'https://a.test', command: 'run' }, 'claude-desktop'), ['stdio', 'https://a.test'], 'elsewhere: a command means stdio');
  assert.deepEqual(transportOf({ type: 'http', url: 'https://a.test' }, 'gemini-cli'), ['http', 'https://a.test'], 'an explicit type wins over inference');
});

test('a type with the field it needs missing is a problem', () => {
  const result = parseEntries({ a: { type: 'stdio', url: 'https://a.test' }, b: { type: 'http', command: 'run' }, c: { command: 'run' } });
  assert.deepEqual(result.servers.map((s) => s.key), ['c']);
  assert.deepEqual(result.problems, [
    { pointer: '/mcpServers/a', message: 'Server "a" was skipped: its type is stdio but it has no command.' },
    { pointer: '/mcpServers/b', message: 'Server "b" was skipped: its type is http but it has no url.' },
  ]);
});

test('args: null or missing is [], numbers and booleans become strings, objects are problems', () => {
  const result = parseEntries({
    nullArgs: { command: 'run', args: null },
    noArgs: { command: 'run' },
    scalars: { command: 'run', args: ['--port', 8080, true, false, -1.5, 0] },
    object: { command: 'run', args: ['--x', { nested: 1 }] },
    nullItem: { command: 'run', args: [null] },
    list: { command: 'run', args: [['a']] },
    text: { command: 'run', args: '--port 8080' },
  });
  assert.deepEqual(
    result.servers.map((s) => [s.key, s.args]),
    [
      ['nullArgs', []],
      ['noArgs', []],
      ['scalars', ['--port', '8080', 'true', 'false', '-1.5', '0']],
    ],
  );
  assert.deepEqual(result.problems, [
    { pointer: '/mcpServers/object/args/1', message: 'Server "object" was skipped: args[1] is an object, but arguments must be strings, numbers or booleans.' },
    { pointer: '/mcpServers/nullItem/args/0', message: 'Server "nullItem" was skipped: args[0] is null, but arguments must be strings, numbers or booleans.' },
    { pointer: '/mcpServers/list/args/0', message: 'Server "list" was skipped: args[0] is a list, but arguments must be strings, numbers or booleans.' },
    { pointer: '/mcpServers/text/args', message: 'Server "text" was skipped: its args are a string, not a list.' },
  ]);
});

test('a one-string command is split as a shell would, only when there are no args', () => {
  const parsed = (entry: Record<string, unknown>) => {
    const s = parseEntries({ s: entry }).servers[0];
    return [s?.command, s?.args];
  };
  assert.deepEqual(parsed({ command: 'npx -y @scope/pkg@1.2' }), ['npx', ['-y', '@scope/pkg@1.2']]);
  assert.deepEqual(parsed({ command: 'npx -y @scope/pkg@1.2', args: [] }), ['npx', ['-y', '@scope/pkg@1.2']], 'empty args count as none');
  assert.deepEqual(parsed({ command: 'npx -y @scope/pkg@1.2', args: null }), ['npx', ['-y', '@scope/pkg@1.2']]);
  assert.deepEqual(parsed({ command: 'my tool', args: ['--x'] }), ['my tool', ['--x']], 'with args, the command is taken as written');
  assert.deepEqual(parsed({ command: 'C:\\Program Files\\nodejs\\node.exe' }), ['C:\\Program Files\\nodejs\\node.exe', []]);
  assert.deepEqual(parsed({ command: 'npx pkg | sh' }), ['npx pkg | sh', []], 'shell operators: kept as written');
});

test('splitCommandLine: quotes, paths with spaces, operators and verbatim $, # and backslashes', () => {
  const cases: [string, { command: string; args: string[] } | undefined][] = [
    ['npx -y @modelcontextprotocol/server-filesystem /tmp', { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] }],
    ['node "/opt/my app/server.js" --name \'a b\'', { command: 'node', args: ['/opt/my app/server.js', '--name', 'a b'] }],
    ['"C:\\Program Files\\nodejs\\node.exe" server.js', { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['server.js'] }],
    ['node C:\\Users\\me\\server.js', { command: 'node', args: ['C:\\Users\\me\\server.js'] }],
    ['uvx srv --token ${env:TOKEN} $HOME ${input:key}', { command: 'uvx', args: ['srv', '--token', '${env:TOKEN}', '$HOME', '${input:key}'] }],
    ['npx pkg https://x.test/y?a=1#frag *.js', { command: 'npx', args: ['pkg', 'https://x.test/y?a=1#frag', '*.js'] }],
    ['docker run -i --rm -e X=1 img:tag', { command: 'docker', args: ['run', '-i', '--rm', '-e', 'X=1', 'img:tag'] }],
    ["python -c 'print(1)'", { command: 'python', args: ['-c', 'print(1)'] }],
    // absolute paths with spaces
    ['C:\\Program Files\\nodejs\\node.exe', undefined],
    ['/Applications/My App/bin/x', undefined],
    ['C:\\Program Files\\My Tool.exe', undefined],
    ['C:\\Program Files\\nodejs\\node.exe C:\\srv\\index.js --port 3', { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\srv\\index.js', '--port', '3'] }],
    ['/Applications/My App/bin/x --stdio', { command: '/Applications/My App/bin/x', args: ['--stdio'] }],
    ['/usr/bin/node lib/server.js', { command: '/usr/bin/node', args: ['lib/server.js'] }],
    ['/usr/bin/node /srv/server.js', { command: '/usr/bin/node', args: ['/srv/server.js'] }],
    // shell operators: a script, kept as written
    ['npx -y pkg | tee log', undefined],
    ['npx pkg && rm -rf /', undefined],
    ['npx pkg; echo done', undefined],
    ['npx pkg > out.txt', undefined],
    ['run (sub)', undefined],
    // nothing to split
    ['npx', undefined],
    ['npx ', undefined],
    ['"/opt/my app/x"', undefined],
    ['x'.repeat(20000) + ' y', undefined],
  ];
  for (const [line, expected] of cases) assert.deepEqual(splitCommandLine(line), expected, line);
});

test('env and headers: strings kept, numbers and booleans stringified, others are problems', () => {
  const result = parseEntries({
    ok: { url: 'https://a.test', headers: { 'X-Retry': 3, 'X-Debug': true, Authorization: 'Bearer ${env:TOKEN}' }, env: { A: '1', B: 2, C: false }, type: 'http' },
    nullEnv: { command: 'run', env: null, headers: null },
    badEnv: { command: 'run', env: { GOOD: 'x', BAD: { nested: true } } },
    badHeaders: { url: 'https://a.test', headers: ['Authorization: x'] },
    nullValue: { command: 'run', env: { K: null } },
  });
  assert.deepEqual(
    result.servers.map((s) => [s.key, s.headers, s.env]),
    [
      ['ok', { 'X-Retry': '3', 'X-Debug': 'true', Authorization: 'Bearer ${env:TOKEN}' }, { A: '1', B: '2', C: 'false' }],
      ['nullEnv', {}, {}],
    ],
  );
  assert.deepEqual(result.problems, [
    { pointer: '/mcpServers/badEnv/env/BAD', message: 'Server "badEnv" was skipped: env "BAD" is an object, but values must be strings, numbers or booleans.' },
    { pointer: '/mcpServers/badHeaders/headers', message: 'Server "badHeaders" was skipped: its headers is a list, not an object.' },
    { pointer: '/mcpServers/nullValue/env/K', message: 'Server "nullValue" was skipped: env "K" is null, but values must be strings, numbers or booleans.' },
  ]);
});

test('cwd: a string or null; disabled: true or enabled: false', () => {
  const result = parseEntries({
    a: { command: 'run', cwd: '/srv/a' },
    b: { command: 'run', cwd: null },
    c: { command: 'run', cwd: '' },
    d: { command: 'run', cwd: 42 },
    e: { command: 'run', disabled: true },
    f: { command: 'run', enabled: false },
    g: { command: 'run', disabled: false, enabled: true },
    h: { command: 'run', disabled: 'true' },
  });
  assert.deepEqual(
    result.servers.map((s) => [s.key, s.cwd, s.disabled]),
    [
      ['a', '/srv/a', false],
      ['b', null, false],
      ['c', null, false],
      ['e', null, true],
      ['f', null, true],
      ['g', null, false],
      ['h', null, false],
    ],
  );
  assert.deepEqual(result.problems, [{ pointer: '/mcpServers/d/cwd', message: 'Server "d" was skipped: its cwd is a number, not a string.' }]);
});

test('entries that are not objects, or have neither command nor url, are skipped; the rest survive', () => {
  const text = `{
    "mcpServers": {
      "text": "npx server",
      "list": ["npx", "server"],
      "nothing": null,
      "empty": {},
      "blank": { "command": "", "url": "" },
      "numberCommand": { "command": 7 },
      "good": { "command": "npx", "args": ["-y", "server"] }
    }
  }`;
  const result = ok(parseConfig(text, { client: 'cursor', format: 'mcpServers' }));
  assert.deepEqual(result.servers, [server({ key: 'good', transport: 'stdio', command: 'npx', args: ['-y', 'server'] })]);
  assert.deepEqual(result.problems, [
    { pointer: '/mcpServers/text', message: 'Server "text" was skipped: its entry is a string, not an object.' },
    { pointer: '/mcpServers/list', message: 'Server "list" was skipped: its entry is a list, not an object.' },
    { pointer: '/mcpServers/nothing', message: 'Server "nothing" was skipped: its entry is null, not an object.' },
    { pointer: '/mcpServers/empty', message: 'Server "empty" was skipped: it has neither a command nor a url.' },
    { pointer: '/mcpServers/blank', message: 'Server "blank" was skipped: it has neither a command nor a url.' },
    { pointer: '/mcpServers/numberCommand/command', message: 'Server "numberCommand" was skipped: its command is a number, not a string.' },
  ]);
});

test('a servers container of the wrong type is one problem; null or missing means no servers', () => {
  const wrong = ok(parseConfig('{"mcpServers": [{"command": "x"}]}', { client: 'cursor', format: 'mcpServers' }));
  assert.deepEqual(wrong.servers, []);
  assert.deepEqual(wrong.problems, [{ pointer: '/mcpServers', message: 'The servers under /mcpServers were skipped: they should be an object of named servers, but it is a list.' }]);
  for (const text of ['{"mcpServers": null}', '{}', '{"other": {"command": "x"}}']) {
    const none = ok(parseConfig(text, { client: 'cursor', format: 'mcpServers' }));
    assert.deepEqual([none.servers, none.problems], [[], []], text);
  }
});

test('JSON pointers escape ~ and / (RFC 6901); odd keys such as __proto__ stay ordinary names', () => {
  const result = ok(
    parseConfig('{"mcpServers": {"a/b~c": {"command": "x"}, "__proto__": {"command": "evil", "env": {"__proto__": "y"}}, "": {"command": "z"}}}', {
      client: 'cursor',
      format: 'mcpServers',
    }),
  );
  assert.deepEqual(
    result.servers.map((s) => [s.key, s.pointer, s.command]),
    [
      ['a/b~c', '/mcpServers/a~1b~0c', 'x'],
      ['__proto__', '/mcpServers/__proto__', 'evil'],
      ['', '/mcpServers/', 'z'],
    ],
  );
  assert.deepEqual(Object.keys(result.servers[1]?.env ?? {}), ['__proto__'], 'an env key named __proto__ is data, not a prototype');
  assert.equal(jsonPointer('projects', '/home/~me/x', 'mcpServers'), '/projects/~1home~1~0me~1x/mcpServers');
});

test('a key written twice keeps its last value, as JSON.parse does', () => {
  const result = ok(parseConfig('{"mcpServers": {"a": {"command": "first"}, "a": {"command": "second"}}}', { client: 'cursor', format: 'mcpServers' }));
  assert.deepEqual(result.servers.map((s) => s.command), ['second']);
});

test('Claude Code: projectPaths holds only absolute project keys; odd project values are ignored', () => {
  const text = JSON.stringify({
    projects: {
      '/home/ada/a': { mcpServers: { s: { command: 'x' } } },
      'C:/Users/ada/b': {},
      'D:\\work\\c': null,
      'relative/d': { mcpServers: { r: { command: 'y' } } },
      '~/e': {},
    },
  });
  const result = ok(parseConfig(text, { client: 'claude-code', format: 'claude-code' }));
  assert.deepEqual(result.projectPaths, ['/home/ada/a', 'C:/Users/ada/b', 'D:\\work\\c']);
  assert.deepEqual(
    result.servers.map((s) => s.pointer),
    ['/projects/~1home~1ada~1a/mcpServers/s', '/projects/relative~1d/mcpServers/r'],
    'servers of every project are found, even when its key is not an absolute path',
  );
  const noProjects = ok(parseConfig('{"projects": "none", "mcpServers": {}}', { client: 'claude-code', format: 'claude-code' }));
  assert.deepEqual([noProjects.servers, noProjects.problems, noProjects.projectPaths], [[], [], []]);
});

// ---------------------------------------------------------------------------------------------
// Syntax: JSONC accepted, broken files located.

test('comments and trailing commas are accepted, even for clients that write strict JSON', () => {
  const text = '// user config\n{\n  /* block */ "mcpServers": {\n    "a": { "command": "x", "args": ["1",], }, // trailing\n  },\n}\n';
  for (const [client, format] of [
    ['claude-desktop', 'mcpServers'],
    ['claude-code', 'claude-code'],
  ] as const) {
    assert.deepEqual(ok(parseConfig(text, { client, format })).servers, [server({ key: 'a', transport: 'stdio', command: 'x', args: ['1'] })], format);
  }
});

test('a broken file gives a plain message with the 1-based line and column of the first error', () => {
  const at = (text: string) => failed(parseConfig(text, { client: 'cursor', format: 'mcpServers' }));
  assert.deepEqual(at('{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n  }\n}'), { message: 'Comma expected', line: 4, column: 5 });
  assert.deepEqual(at('{\n  "mcpServers": {\n    "a": { "command": "x" }'), { message: 'Unexpected end of file: closing brace } expected', line: 3, column: 28 });
  assert.deepEqual(at('{\n  mcpServers: {}\n}'), { message: 'Unexpected character "m"', line: 2, column: 3 });
  assert.deepEqual(at('{\n  "mcpServers": {\n    "a": {}, 5: {}\n  }\n}'), { message: 'Property name expected', line: 3, column: 14 });
  assert.deepEqual(at('{\n  "mcpServers": {\n    "a": \n  }\n}'), { message: 'Value expected', line: 4, column: 3 });
  assert.deepEqual(at('{"mcpServers": {"a": {"command": "x\ny"}}}'), { message: 'Unexpected end of string: closing quote expected', line: 1, column: 34 });
  assert.deepEqual(at('{"mcpServers": [1, 2}'), { message: 'Comma expected', line: 1, column: 21 }, 'jsonc-parser reads the wrong closer as a missing comma');
  assert.deepEqual(at('{"mcpServers": {"a": {"args": ["x"'), { message: 'Unexpected end of file: closing bracket ] expected', line: 1, column: 35 });
  assert.deepEqual(at('{"a": 1\r\n, "b" 2}'), { message: 'Colon expected', line: 2, column: 7 }, 'CRLF counts as one line break');
  assert.deepEqual(at('{"a": 1} {"b": 2}'), { message: 'End of file expected: more content follows the JSON value', line: 1, column: 10 });
  assert.deepEqual(at('{"a": 1} x'), { message: 'Unexpected character "x"', line: 1, column: 10 });
  assert.deepEqual(at('{"a": 1 /* never closed'), { message: 'Unexpected end of comment: */ expected', line: 1, column: 9 });
});

test('truncating a real fixture is reported at the end of the file', () => {
  const text = fixture('claude-desktop/claude_desktop_config.json');
  const cut = text.slice(0, text.indexOf('"memory"') + 3);
  const error = failed(parseConfig(cut, { client: 'claude-desktop', format: 'mcpServers' }));
  const lines = cut.split('\n');
  assert.match(error.message, /^Unexpected end of (file|string)/);
  assert.deepEqual([error.line, error.column], [lines.length, (lines.at(-1)?.length ?? 0) - 2], 'points at the cut-off string');
});

test('empty files, non-object top levels, BOMs and deep nesting', () => {
  const parse = (text: string) => parseConfig(text, { client: 'cursor', format: 'mcpServers' });
  assert.deepEqual(failed(parse('')), { message: 'The file is empty', line: 1, column: 1 });
  assert.deepEqual(failed(parse(' \n\t ')), { message: 'The file is empty', line: 1, column: 1 });
  assert.deepEqual(failed(parse('// only a comment\n')), { message: 'Unexpected end of file: value expected', line: 2, column: 1 });
  assert.deepEqual(failed(parse('\n  [{"command": "x"}]')), { message: 'The file holds a list, but a client config is a JSON object', line: 2, column: 3 });
  assert.deepEqual(failed(parse('"mcpServers"')), { message: 'The file holds a string, but a client config is a JSON object', line: 1, column: 1 });
  assert.deepEqual(failed(parse('null')), { message: 'The file holds null, but a client config is a JSON object', line: 1, column: 1 });
  assert.deepEqual(failed(parse('\uFEFF// settings\n/* none */ 42')), { message: 'The file holds a number, but a client config is a JSON object', line: 2, column: 12 }, 'comments and a BOM before the value');
  assert.deepEqual(ok(parse('\uFEFF{"mcpServers": {"a": {"command": "x"}}}')).servers.map((s) => s.key), ['a'], 'a byte-order mark is skipped');
  const prefix = '{"mcpServers": {"a": {"command": "x", "args": ';
  const deep = prefix + '['.repeat(100_000);
  // Three objects are open before the brackets: the bracket that opens level MAX_DEPTH + 1 is number MAX_DEPTH - 2.
  assert.deepEqual(failed(parse(deep)), { message: `Nesting is deeper than ${MAX_DEPTH} levels`, line: 1, column: prefix.length + MAX_DEPTH - 2 });
  const brackets = `{"mcpServers": {"a": {"command": "${'['.repeat(5000)}"}}}`;
  assert.equal(ok(parse(brackets)).servers[0]?.command, '['.repeat(5000), 'brackets inside strings are not nesting');
  const nested = `{"mcpServers": {"a": {"command": "x", "meta": ${'['.repeat(MAX_DEPTH - 4)}${']'.repeat(MAX_DEPTH - 4)}}}}`;
  assert.equal(ok(parse(nested)).servers.length, 1, 'nesting up to the limit is fine');
});

// ---------------------------------------------------------------------------------------------
// Robustness: parseConfig never throws, whatever it is fed.

/** mulberry32: a tiny seeded PRNG, so every run mutates the same way. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SNIPPETS = ['null', '[]', '{}', '"', '{', '}', '[', ']', ',', ':', '1e999', '-', 'true', '"\\u12"', '/*', '//', '\u0000', '\uFEFF', '"__proto__"', '{"command": 1}', '"a b | c"', '"C:\\\\x y\\\\z.exe -q"', '"$(rm -rf /)"', '"${}"'];

function mutate(text: string, random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  let out = text;
  const steps = 1 + pick(4);
  for (let i = 0; i < steps; i++) {
    const at = pick(out.length + 1);
    switch (pick(8)) {
      case 0: // flip a bit of one character
        out = out.slice(0, at) + String.fromCharCode((out.charCodeAt(at) || 32) ^ (1 << pick(8))) + out.slice(at + 1);
        break;
      case 1: // truncate
        out = out.slice(0, at);
        break;
      case 2: // delete a run
        out = out.slice(0, at) + out.slice(at + 1 + pick(20));
        break;
      case 3: // insert a snippet of JSON or a wrong-typed value
        out = out.slice(0, at) + (SNIPPETS[pick(SNIPPETS.length)] ?? '') + out.slice(at);
        break;
      case 4: // duplicate a chunk
        out = out.slice(0, at) + out.slice(at, at + pick(200)) + out.slice(at);
        break;
      case 5: // a huge string
        out = out.slice(0, at) + `"${'x '.repeat(50_000 + pick(50_000))}"` + out.slice(at);
        break;
      case 6: // deep nesting
        out = out.slice(0, at) + (random() < 0.5 ? '[' : '{"a":').repeat(100 + pick(20_000)) + out.slice(at);
        break;
      default: // replace a string value with another type
        out = out.replace(/"[^"]*"(?=\s*[,}\]])/, () => ['1', 'null', '[]', '{}', 'true', '"x y"'][pick(6)] ?? '0');
    }
  }
  return out;
}

/** What every result must satisfy, whatever the input. */
function assertWellFormed(result: ParseResult | undefined, label: string): void {
  if (result === undefined) assert.fail(`${label}: no result`);
  if (!result.ok) {
    // parseConfig's last-resort catch would hide a crash from these properties: its message means one happened.
    assert.notEqual(result.error.message, 'The file could not be read as a client config', `${label}: crashed inside parseConfig`);
    assert.ok(result.error.message.length > 0 && Number.isInteger(result.error.line) && result.error.line >= 1 && result.error.column >= 1, `${label}: error position`);
    return;
  }
  for (const s of result.servers) {
    assert.ok((TRANSPORTS as readonly string[]).includes(s.transport), `${label}: transport ${s.transport}`);
    assert.ok(s.args.every((a) => typeof a === 'string'), `${label}: args are strings`);
    assert.ok(Object.values(s.env).every((v) => typeof v === 'string') && Object.values(s.headers).every((v) => typeof v === 'string'), `${label}: env and headers`);
    assert.ok(s.transport === 'stdio' ? s.command !== null : s.url !== null, `${label}: ${s.transport} without its command or url`);
  }
  const pointers = result.servers.map((s) => s.pointer);
  assert.equal(new Set(pointers).size, pointers.length, `${label}: pointers are unique`);
  for (const p of result.problems) assert.ok(p.pointer.startsWith('/') && p.message.length > 0 && p.message.length < 400, `${label}: problem ${p.message.slice(0, 100)}`);
}

const FUZZ_INPUTS: [string, ClientId, ConfigFormat][] = [
  ['claude-desktop/claude_desktop_config.json', 'claude-desktop', 'mcpServers'],
  ['claude-desktop/claude_desktop_config.windows.json', 'claude-desktop', 'mcpServers'],
  ['claude-code/claude.json', 'claude-code', 'claude-code'],
  ['vscode/mcp.json', 'vscode', 'vscode-mcp'],
  ['vscode/settings.json', 'vscode', 'vscode-settings'],
  ['gemini-cli/settings.json', 'gemini-cli', 'mcpServers'],
  ['cline/cline_mcp_settings.json', 'cline', 'mcpServers'],
];

test('parseConfig never throws on randomly mutated fixture texts (seeded, deterministic)', () => {
  const inputs = FUZZ_INPUTS.map(([name, client, format]) => [fixture(name), client, format] as const);
  const random = prng(0x5eed);
  let parsed = 0;
  for (let i = 0; i < 400; i++) {
    const [text, client, format] = inputs[i % inputs.length] ?? assert.fail('no input');
    let result: ParseResult | undefined;
    const mutated = mutate(text, random);
    assert.doesNotThrow(() => {
      result = parseConfig(mutated, { client, format });
    }, `mutation ${i}`);
    assertWellFormed(result, `mutation ${i}`);
    if (result?.ok) parsed++;
  }
  // Both branches must really be exercised, or the property says little.
  assert.ok(parsed > 20 && parsed < 380, `${parsed} of 400 mutated texts parsed`);
});

/** A random JSON value of any type, sometimes large or deep. */
function randomValue(random: () => number, depth = 0): unknown {
  const pick = (n: number) => Math.floor(random() * n);
  switch (pick(depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return [0, -1, 1.5, 1e308, 8080][pick(5)];
    case 3: return ['', 'x', 'npx -y pkg', 'a | b', 'C:\\Program Files\\x.exe', '${input:x}', 'https://x.test/mcp', 'stdio', 'sse', 'http'][pick(10)];
    case 4: return 'y '.repeat(pick(30_000));
    case 5: return '__proto__';
    case 6: return Array.from({ length: pick(4) }, () => randomValue(random, depth + 1));
    default: return Object.fromEntries(Array.from({ length: pick(4) }, () => [['command', 'args', 'env', 'url', 'type', 'headers', 'cwd', 'mcpServers', '__proto__', 'a/b~'][pick(10)] ?? 'k', randomValue(random, depth + 1)]));
  }
}

/** Replaces one randomly chosen value somewhere in the tree (the text stays valid JSON, so the normaliser is what gets tested). */
function mutateTree(tree: unknown, random: () => number): unknown {
  if (tree === null || typeof tree !== 'object' || random() < 0.15) return randomValue(random);
  const entries = Object.entries(tree);
  if (entries.length === 0) return randomValue(random);
  const index = Math.floor(random() * entries.length);
  const copy = entries.map(([k, v], i) => [k, i === index ? mutateTree(v, random) : v] as const);
  return Array.isArray(tree) ? copy.map(([, v]) => v) : Object.fromEntries(copy);
}

test('parseConfig never throws on valid JSON with randomly wrong-typed values (seeded, deterministic)', () => {
  const strict = FUZZ_INPUTS.filter(([name]) => !name.startsWith('vscode/settings'));
  const trees = strict.map(([name, client, format]) => [JSON.parse(fixture(name)) as unknown, client, format] as const);
  const random = prng(0xc0ffee);
  let withServers = 0;
  let withProblems = 0;
  for (let i = 0; i < 300; i++) {
    const [tree, client, format] = trees[i % trees.length] ?? assert.fail('no input');
    let mutated = tree;
    for (let step = 0; step < 1 + Math.floor(random() * 3); step++) mutated = mutateTree(mutated, random);
    const text = JSON.stringify(mutated);
    let result: ParseResult | undefined;
    assert.doesNotThrow(() => {
      result = parseConfig(text, { client, format });
    }, `tree mutation ${i}`);
    assertWellFormed(result, `tree mutation ${i}`);
    if (result?.ok && result.servers.length > 0) withServers++;
    if (result?.ok && result.problems.length > 0) withProblems++;
  }
  assert.ok(withServers > 100 && withProblems > 30, `${withServers} results with servers, ${withProblems} with problems`);
});
