/**
 * Probing real MCP servers: the three reference servers from npm, the SDK-built fixtures in
 * test/fixtures/servers (well-behaved, paginated, hostile), and HTTP servers started in-process.
 * Hostile servers get short timeouts so the file stays well under 90 s on two cores.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ProbeResult } from '../../core/api/probe.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { consentRefusalMessage, needsConsent, probeMany, probeServer, type ProbeOptions, type ProbeProgress } from '../../core/probe/index.ts';
import { SAFE_ENV_KEYS } from '../../core/process/index.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { startFloodServer, startHangingServer, startSseServer, startStatusServer, startStreamableHttpServer } from '../fixtures/servers/http-servers.mjs';
import { HIDDEN, POISONED_DESCRIPTION } from '../fixtures/servers/poisoned.mjs';
import { INSTRUCTIONS, PROMPTS, RESOURCE_TEMPLATES, RESOURCES, SERVER_INFO, TOOLS } from '../fixtures/servers/well-behaved-server.mjs';
import { assertAllGone, binOf, failure, fixture, httpServer, LOGIN_PATH, nodeServer, processGone, readPids, success, tempDir } from './helpers.ts';

/** The default timeouts (a server that should answer gets every chance on a busy machine), a short kill grace. */
const BASE: ProbeOptions = { loginPath: LOGIN_PATH, killGraceMs: 300 };
/** For servers that are meant to time out: short enough to keep the file fast, long enough for a busy machine to start them. */
const HANG: ProbeOptions = { ...BASE, connectTimeoutMs: 2000, requestTimeoutMs: 2000 };
/** Real npm servers start in well under a second, but the machine may be busy. */
const REAL: ProbeOptions = { ...BASE, connectTimeoutMs: 20_000, requestTimeoutMs: 10_000 };

const names = (list: Array<{ name?: string }>): string[] => list.map((entry) => entry.name ?? '');

/**
 * A fresh PID_FILE path for a fixture. Its cleanup kills whatever the fixture started (should an
 * assertion fail before the probe did) before the directory goes: a live child would keep this test
 * file's process from ever exiting.
 */
function pidFileFor(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-probe-'));
  const file = path.join(dir, 'pids.json');
  t.after(() => {
    if (existsSync(file)) {
      for (const pid of Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, number | null>)) {
        if (pid === null) continue;
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return file;
}

describe('real servers from npm, over stdio by their installed bin', () => {
  test('server-everything: tools (echo), prompts, resources across pages, templates, instructions', async () => {
    const def = nodeServer('everything', binOf('@modelcontextprotocol/server-everything'), ['stdio']);
    const result = success(await probeServer(def, REAL));
    assert.equal(result.server.name, 'mcp-servers/everything');
    assert.ok(result.server.version.length > 0);
    assert.match(result.protocol_version, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok('tools' in result.capabilities && 'prompts' in result.capabilities && 'resources' in result.capabilities);
    // The SDK's typed capabilities schema would have dropped nothing here, but `tasks` is only in newer ones: kept raw.
    assert.ok(names(result.tools).includes('echo'), `tools: ${names(result.tools).join(', ')}`);
    const echo = result.tools.find((tool) => tool.name === 'echo') as Record<string, unknown>;
    assert.equal(typeof echo.description, 'string');
    assert.equal((echo.inputSchema as { type: string }).type, 'object');
    assert.ok(result.prompts.length >= 1, 'prompts came back');
    assert.ok(names(result.prompts).includes('simple-prompt'));
    assert.ok(result.resources.length >= 1, 'resources came back');
    assert.ok(result.resources.every((r) => typeof r.uri === 'string'));
    assert.ok(result.resource_templates.length >= 1 && result.resource_templates.every((r) => typeof r.uriTemplate === 'string'));
    assert.ok(result.instructions !== null && result.instructions.length > 0);
    assert.match(result.stderr, /STDIO/i, 'its startup line on stderr is kept');
  });

  test('server-memory: create_entities and the rest of its tools', async (t) => {
    const dir = tempDir(t);
    const def = nodeServer('memory', binOf('@modelcontextprotocol/server-memory'), [], [{ key: 'MEMORY_FILE_PATH', value: path.join(dir, 'memory.jsonl') }]);
    const result = success(await probeServer(def, REAL));
    assert.ok(names(result.tools).includes('create_entities'), `tools: ${names(result.tools).join(', ')}`);
    assert.ok(names(result.tools).includes('read_graph'));
    assert.deepEqual(result.prompts, []);
  });

  test('server-filesystem: read_file or read_text_file, with a temp dir as its allowed root', async (t) => {
    const dir = tempDir(t);
    const def = nodeServer('filesystem', binOf('@modelcontextprotocol/server-filesystem'), [dir]);
    const result = success(await probeServer(def, REAL));
    const tools = names(result.tools);
    assert.ok(tools.includes('read_text_file') || tools.includes('read_file'), `tools: ${tools.join(', ')}`);
    assert.ok(tools.includes('list_directory'));
  });
});

describe('the well-behaved fixture over stdio', () => {
  test('follows nextCursor through every page and keeps definitions exactly as sent', async () => {
    const result = success(await probeServer(nodeServer('well-behaved', fixture('well-behaved.mjs')), BASE));
    assert.deepEqual(result.server, SERVER_INFO);
    assert.equal(result.instructions, INSTRUCTIONS);
    // 25 tools come in pages of 10: stopping after the first page would give 10.
    assert.equal(result.tools.length, 25);
    assert.deepEqual(result.tools, TOOLS, 'every tool in order, with the field the SDK schema does not know');
    assert.deepEqual(result.tools[24]?.['x-warden-extra'], { page: 3 });
    assert.deepEqual(result.prompts, PROMPTS, 'prompts in pages of 2');
    assert.deepEqual(result.resources, RESOURCES, 'resources in pages of 2');
    assert.deepEqual(result.resource_templates, RESOURCE_TEMPLATES);
    assert.deepEqual(result.capabilities, { tools: { listChanged: true }, prompts: {}, resources: {} });
    assert.equal(result.stderr, 'well-behaved: ready on stdio\n');
    assert.ok(result.duration_ms > 0 && result.duration_ms < 10_000);
  });

  test('a server that hands out the same cursor for ever is a protocol error, not a hang', async () => {
    const result = await probeServer(nodeServer('loop', fixture('well-behaved.mjs'), [], [{ key: 'CURSOR_LOOP', value: '1' }]), BASE);
    const failed = failure(result, 'protocol_error');
    assert.match(failed.message, /same tools page cursor twice/);
  });

  test('only the kinds a server declares are listed', async () => {
    // It declares tools only, and answers prompts/list or resources/list with "method not found",
    // which would fail the probe if they were asked for.
    const result = success(await probeServer(nodeServer('tools-only', fixture('poisoned.mjs')), BASE));
    assert.deepEqual(Object.keys(result.capabilities), ['tools']);
    assert.deepEqual([result.prompts, result.resources, result.resource_templates], [[], [], []]);
  });
});

describe('hostile servers', () => {
  test('one that never answers initialize: timeout, and the process is gone', async (t) => {
    const pidFile = pidFileFor(t);
    const started = Date.now();
    const result = await probeServer(nodeServer('silent', fixture('silent.mjs'), [], [{ key: 'PID_FILE', value: pidFile }]), HANG);
    const failed = failure(result, 'timeout');
    assert.match(failed.message, /^Server "silent" did not answer initialize within 2 s: /);
    assert.ok(Date.now() - started < 6000, 'the connect timeout, not the SDK default of 60 s');
    assertAllGone(await readPids(pidFile));
  });

  test('one that exits at once: exited, with its exit code and its stderr in the result and the message', async () => {
    const result = await probeServer(nodeServer('exits', fixture('exit-at-once.mjs')), BASE);
    const failed = failure(result, 'exited');
    assert.equal(failed.exit_code, 3);
    assert.equal(failed.signal, null);
    assert.equal(failed.stderr, 'starting exit-at-once\nfatal: cannot open database /nonexistent/notes.db (ENOENT)\n');
    assert.match(failed.message, /^Server "exits" exited with code 3 before answering initialize: its stderr ends with "fatal: cannot open database \/nonexistent\/notes\.db \(ENOENT\)"\.$/);
  });

  test('one that streams endless output: cut off at the byte cap, and the process is gone', async (t) => {
    const pidFile = pidFileFor(t);
    const result = await probeServer(nodeServer('flood', fixture('endless-output.mjs'), [], [{ key: 'PID_FILE', value: pidFile }]), { ...BASE, maxBytes: 256 * 1024 });
    const failed = failure(result, 'too_much_output');
    assert.match(failed.message, /wrote more than 256 KiB on stdout/);
    assertAllGone(await readPids(pidFile));
  });

  test('one that prints text that is not MCP and never answers: protocol error quoting the line', async () => {
    const def = nodeServer('chatty', '-e', [], [], { args: ['-e', 'console.log("hello from a shell script"); setInterval(() => {}, 1000)'] });
    const failed = failure(await probeServer(def, HANG), 'protocol_error');
    assert.match(failed.message, /not MCP JSON-RPC/);
    assert.match(failed.message, /the first was "hello from a shell script"/);
  });

  test('one that spawns a child and hangs: after the timeout neither it, nor its child, nor a grandchild in its own session is left', async (t) => {
    const pidFile = pidFileFor(t);
    const env = [
      { key: 'PID_FILE', value: pidFile },
      { key: 'ESCAPE', value: '1' },
    ];
    const result = await probeServer(nodeServer('spawner', fixture('spawns-child.mjs'), [], env), HANG);
    failure(result, 'timeout');
    const pids = await readPids(pidFile);
    assert.equal(Object.values(pids).filter((pid) => pid !== null).length, 3, 'parent, child and escaped grandchild were started');
    assertAllGone(pids);
  });

  test('the same tree ignoring SIGTERM is killed after the grace period', async (t) => {
    const pidFile = pidFileFor(t);
    const env = [
      { key: 'PID_FILE', value: pidFile },
      { key: 'ESCAPE', value: '1' },
      { key: 'IGNORE_SIGTERM', value: '1' },
    ];
    const result = await probeServer(nodeServer('stubborn', fixture('spawns-child.mjs'), [], env), HANG);
    failure(result, 'timeout');
    assertAllGone(await readPids(pidFile));
  });

  test('a server that answers while its child runs: after a successful probe the child is gone too', async (t) => {
    const pidFile = pidFileFor(t);
    const env = [
      { key: 'PID_FILE', value: pidFile },
      { key: 'MODE', value: 'serve' },
    ];
    const result = success(await probeServer(nodeServer('parent', fixture('spawns-child.mjs'), [], env), BASE));
    assert.equal(result.tools.length, 25);
    const pids = await readPids(pidFile);
    assert.equal(typeof pids.child, 'number');
    assertAllGone(pids);
  });

  test('a server that exits leaving an orphaned child: exited, and the orphan (no longer its descendant) is killed through the group', async (t) => {
    const pidFile = pidFileFor(t);
    const env = [
      { key: 'PID_FILE', value: pidFile },
      { key: 'MODE', value: 'exit' },
    ];
    const failed = failure(await probeServer(nodeServer('deserter', fixture('spawns-child.mjs'), [], env), BASE), 'exited');
    assert.equal(failed.exit_code, 1);
    assert.match(failed.message, /its stderr ends with "spawns-child: exiting, my child keeps running"/);
    const pids = await readPids(pidFile);
    assert.equal(typeof pids.child, 'number');
    assertAllGone(pids);
  });

  test('if the process running a probe exits mid-probe, the server group is killed on the way out', async (t) => {
    const pidFile = pidFileFor(t);
    const probeModule = pathToFileURL(path.resolve(import.meta.dirname, '../../core/probe/index.ts')).href;
    const def = nodeServer('spawner', fixture('spawns-child.mjs'), [], [{ key: 'PID_FILE', value: pidFile }]);
    const script = [
      `import { existsSync } from 'node:fs';`,
      `import { probeServer } from ${JSON.stringify(probeModule)};`,
      `void probeServer(${JSON.stringify(def)}, { loginPath: process.env.PATH, connectTimeoutMs: 60000 });`,
      `const wait = () => (existsSync(${JSON.stringify(pidFile)}) ? setTimeout(() => process.exit(0), 100) : setTimeout(wait, 20));`,
      `wait();`,
    ].join('\n');
    const code = await new Promise((resolve, reject) => {
      const driver = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
      driver.on('exit', resolve);
      driver.on('error', reject);
    });
    assert.equal(code, 0);
    const pids = await readPids(pidFile);
    assert.equal(typeof pids.child, 'number');
    for (let i = 0; i < 50 && !Object.values(pids).every((pid) => pid === null || processGone(pid)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assertAllGone(pids);
  });

  test('a cancelled probe stops the server and says so', async (t) => {
    const pidFile = pidFileFor(t);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const result = await probeServer(nodeServer('cancelled', fixture('silent.mjs'), [], [{ key: 'PID_FILE', value: pidFile }]), { ...BASE, signal: controller.signal });
    assert.match(failure(result, 'failed').message, /cancelled/);
    assert.ok(Date.now() - started < 3000, 'not the 15 s connect timeout');
    assertAllGone(await readPids(pidFile));
  });

  test('stderr is kept up to 64 KiB, the rest counted', async () => {
    const script = "process.stderr.write('e'.repeat(200000), () => process.exit(1))";
    const failed = failure(await probeServer(nodeServer('loud', '-e', [], [], { args: ['-e', script] }), BASE), 'exited');
    const expected = `${'e'.repeat(65536)}\n[stderr truncated: ${200000 - 65536} more bytes not kept]`;
    assert.ok(failed.stderr === expected, `stderr is ${failed.stderr.length} characters ending ${JSON.stringify(failed.stderr.slice(-60))}`);
  });

  test('a tool list that changes between two runs is reported as it is each time', async (t) => {
    const state = path.join(tempDir(t), 'state');
    const def = nodeServer('changing', fixture('changing-tools.mjs'), [], [{ key: 'STATE_FILE', value: state }]);
    const first = success(await probeServer(def, BASE));
    const second = success(await probeServer(def, BASE));
    assert.deepEqual(names(first.tools), ['fetch']);
    assert.deepEqual(names(second.tools).sort(), ['exfiltrate', 'fetch']);
    const description = (result: typeof first): unknown => result.tools.find((tool) => tool.name === 'fetch')?.description;
    assert.equal(description(first), 'Fetches a URL and returns its text.');
    assert.match(String(description(second)), /credentials/);
    assert.equal(readFileSync(state, 'utf8'), '2');
  });

  test('a description hiding an instruction in Unicode tag characters comes back unaltered', async () => {
    const result = success(await probeServer(nodeServer('poisoned', fixture('poisoned.mjs')), BASE));
    const description = String(result.tools[0]?.description);
    assert.equal(description, POISONED_DESCRIPTION);
    const tags = [...description].filter((c) => (c.codePointAt(0) as number) >= 0xe0000 && (c.codePointAt(0) as number) <= 0xe007f);
    const decoded = tags.map((c) => String.fromCodePoint((c.codePointAt(0) as number) - 0xe0000)).join('').replace(/[\u0001\u007f]/g, '');
    assert.equal(decoded, HIDDEN);
    assert.match(decoded, /ignore previous instructions/);
  });

  test('a command that does not exist, a missing working directory, a file that is not executable', async (t) => {
    const dir = tempDir(t);
    const missing = await probeServer(nodeServer('missing', 'x', [], [], { command: path.join(dir, 'no-such-server'), args: [] }), BASE);
    assert.match(failure(missing, 'not_found').message, /no-such-server of server "missing" does not exist/);
    const noCwd = await probeServer(nodeServer('nocwd', fixture('well-behaved.mjs'), [], [], { cwd: path.join(dir, 'gone') }), BASE);
    assert.match(failure(noCwd, 'not_found').message, /working directory .*gone of server "nocwd" does not exist/);
    const script = path.join(dir, 'server.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    const notExecutable = await probeServer(nodeServer('noexec', 'x', [], [], { command: script, args: [] }), BASE);
    assert.match(failure(notExecutable, 'failed').message, /is not executable/);
  });
});

describe('environment and secrets', () => {
  const keychain = new OsKeychain(`probe-test-${randomUUID()}`);
  const secretName = 'PROBE_API_TOKEN';
  const secretValue = `tok_${randomUUID().replaceAll('-', '')}`;

  test('PATH from the login shell, the safe keys, the template with its secret from the OS keychain, and nothing else', async (t) => {
    keychain.set(secretName, secretValue);
    t.after(() => keychain.delete(secretName));
    process.env.MCPW_UNRELATED = 'must-not-reach-the-server';
    t.after(() => delete process.env.MCPW_UNRELATED);
    const env = [
      { key: 'API_TOKEN', value: `{{secret:${secretName}}}` },
      { key: 'GREETING', value: 'hello' },
    ];
    const result = success(await probeServer(nodeServer('env', fixture('env-echo.mjs'), [], env), { ...BASE, keychain }));
    const seen = JSON.parse(String(result.tools[0]?.description)) as Record<string, unknown>;
    assert.equal(seen.PATH, LOGIN_PATH, 'the injected login-shell PATH, not this process PATH');
    assert.equal(seen.token_sha256, createHash('sha256').update(secretValue).digest('hex'), 'the secret reached the server');
    assert.equal(seen.GREETING, 'hello');
    assert.equal(seen.MCPW_UNRELATED, null, 'an unrelated parent variable did not reach the server');
    assert.equal(seen.HOME, process.env.HOME ?? null);
    const expected = [...SAFE_ENV_KEYS.filter((key) => process.env[key] !== undefined), 'PATH', 'API_TOKEN', 'GREETING'].sort();
    assert.deepEqual(seen.keys, expected);
    assert.ok(!JSON.stringify(result).includes(secretValue));
  });

  test('a server that echoes its secret: the value is redacted from definitions and stderr', async (t) => {
    keychain.set(secretName, secretValue);
    t.after(() => keychain.delete(secretName));
    const env = [
      { key: 'API_TOKEN', value: `{{secret:${secretName}}}` },
      { key: 'ECHO_RAW', value: '1' },
    ];
    const result = success(await probeServer(nodeServer('env-raw', fixture('env-echo.mjs'), [], env), { ...BASE, keychain }));
    assert.ok(!JSON.stringify(result).includes(secretValue), 'the secret value appears nowhere in the result');
    const seen = JSON.parse(String(result.tools[0]?.description)) as Record<string, unknown>;
    assert.equal(seen.raw, `[redacted secret ${secretName}]`);
    assert.equal(result.stderr, `env-echo: token is [redacted secret ${secretName}]\n`);
  });

  test('a handle naming no secret: secret_missing naming it, and nothing is spawned', async (t) => {
    const marker = path.join(tempDir(t), 'started');
    const name = `MISSING_${randomUUID().slice(0, 8)}`;
    const env = [
      { key: 'MARKER_FILE', value: marker },
      { key: 'TOKEN', value: `Bearer {{secret:${name}}}` },
    ];
    const def = nodeServer('needs-secret', fixture('well-behaved.mjs'), [], env);
    const failed = failure(await probeServer(def, { ...BASE, keychain }), 'secret_missing');
    assert.match(failed.message, new RegExp(`needs the secret "${name}", which is not in the keychain, so it was not started: add it with \`mcp-warden secrets add ${name}\`\\.$`));
    assert.equal(existsSync(marker), false, 'the server was not started');
    // Without a keychain at all, every handle is missing.
    failure(await probeServer(def, BASE), 'secret_missing');
    assert.equal(existsSync(marker), false);
    // The same definition with the secret present does start (so the marker check can fail).
    keychain.set(name, 'present');
    t.after(() => keychain.delete(name));
    success(await probeServer(def, { ...BASE, keychain }));
    assert.equal(existsSync(marker), true);
  });
});

describe('HTTP', () => {
  test('Streamable HTTP, with a header whose secret handle is resolved from the keychain', async (t) => {
    const token = `http_${randomUUID()}`;
    const server = await startStreamableHttpServer({ token });
    t.after(() => server.close());
    const keychain = new OsKeychain(`probe-test-${randomUUID()}`);
    keychain.set('HTTP_TOKEN', token);
    t.after(() => keychain.delete('HTTP_TOKEN'));
    const def = httpServer('remote', server.url, 'http', { Authorization: 'Bearer {{secret:HTTP_TOKEN}}' });
    const result = success(await probeServer(def, { ...BASE, keychain }));
    assert.deepEqual(result.server, SERVER_INFO);
    assert.deepEqual(result.tools, TOOLS, 'all three pages');
    assert.deepEqual(result.prompts, PROMPTS);
    assert.deepEqual(result.resources, RESOURCES);
    assert.equal(result.stderr, '');
    assert.equal(server.requests[0], 'POST /mcp 200');
    assert.ok(!server.requests.some((line) => line.includes('/sse')), 'no fallback');
  });

  test('a wrong token: http_status 401 after the fallback also gets 401, and the token is not in the result', async (t) => {
    const server = await startStreamableHttpServer({ token: 'right' });
    t.after(() => server.close());
    const keychain = new OsKeychain(`probe-test-${randomUUID()}`);
    const wrong = `wrong_${randomUUID()}`;
    keychain.set('HTTP_TOKEN', wrong);
    t.after(() => keychain.delete('HTTP_TOKEN'));
    const def = httpServer('remote', server.url, 'http', { Authorization: 'Bearer {{secret:HTTP_TOKEN}}' });
    const failed = failure(await probeServer(def, { ...BASE, keychain }), 'http_status');
    assert.equal(failed.http_status, 401);
    assert.match(failed.message, /HTTP 401 Unauthorized to Streamable HTTP and HTTP 401 Unauthorized to legacy SSE/);
    assert.deepEqual(server.requests, ['POST /mcp 401', 'GET /mcp 401']);
    assert.ok(!JSON.stringify(failed).includes(wrong));
  });

  test('legacy SSE directly', async (t) => {
    const server = await startSseServer();
    t.after(() => server.close());
    const result = success(await probeServer(httpServer('legacy', server.url, 'sse'), BASE));
    assert.deepEqual(result.tools, TOOLS);
    assert.equal(result.instructions, INSTRUCTIONS);
    assert.equal(server.requests[0], 'GET /sse 200');
  });

  test('Streamable HTTP pointed at an SSE-only server falls back to SSE on the 4xx', async (t) => {
    const server = await startSseServer();
    t.after(() => server.close());
    const result = success(await probeServer(httpServer('old-server', server.url, 'http'), BASE));
    assert.deepEqual(result.tools, TOOLS);
    assert.deepEqual(server.requests.slice(0, 2), ['POST /sse 405', 'GET /sse 200']);
  });

  test('a 5xx is reported as http_status without a fallback', async (t) => {
    const server = await startStatusServer(503);
    t.after(() => server.close());
    const failed = failure(await probeServer(httpServer('down', server.url), BASE), 'http_status');
    assert.equal(failed.http_status, 503);
    assert.match(failed.message, /answered HTTP 503 Service Unavailable/);
    assert.deepEqual(server.requests, ['POST /mcp 503']);
  });

  test('a legacy SSE endpoint that answers 404: http_status 404', async (t) => {
    const server = await startStatusServer(404);
    t.after(() => server.close());
    const failed = failure(await probeServer(httpServer('gone', server.url, 'sse'), BASE), 'http_status');
    assert.equal(failed.http_status, 404);
  });

  test('nothing listening: not_found', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const failed = failure(await probeServer(httpServer('nobody', `http://127.0.0.1:${port}/mcp`), BASE), 'not_found');
    assert.match(failed.message, /could not be reached \(ECONNREFUSED\)/);
    const sse = failure(await probeServer(httpServer('nobody-sse', `http://127.0.0.1:${port}/sse`, 'sse'), BASE), 'not_found');
    assert.match(sse.message, /ECONNREFUSED/);
  });

  test('an endless response body is cut off at the byte cap', async (t) => {
    const server = await startFloodServer();
    t.after(() => server.close());
    const failed = failure(await probeServer(httpServer('flood', server.url), { ...BASE, maxBytes: 256 * 1024 }), 'too_much_output');
    assert.match(failed.message, /sent more than 256 KiB/);
  });

  test('a server that accepts and never answers: timeout', async (t) => {
    const server = await startHangingServer();
    t.after(() => server.close());
    const started = Date.now();
    const failed = failure(await probeServer(httpServer('hang', server.url), HANG), 'timeout');
    assert.match(failed.message, /did not answer initialize over Streamable HTTP within 2 s/);
    assert.ok(Date.now() - started < 6000);
  });

  test('a URL that is not http(s) is refused without connecting', async () => {
    const failed = failure(await probeServer(httpServer('ftp', 'ftp://example.invalid/mcp'), BASE), 'failed');
    assert.match(failed.message, /not http or https/);
  });
});

describe('probeMany and consent', () => {
  test('six servers with concurrency 2 while one hangs: bounded time, results in input order, the rest intact', async (t) => {
    const pidFile = pidFileFor(t);
    const defs: ServerDefinition[] = [
      nodeServer('a-well', fixture('well-behaved.mjs')),
      nodeServer('b-hang', fixture('silent.mjs'), [], [{ key: 'PID_FILE', value: pidFile }]),
      nodeServer('c-exit', fixture('exit-at-once.mjs')),
      nodeServer('d-poisoned', fixture('poisoned.mjs')),
      nodeServer('e-memory', binOf('@modelcontextprotocol/server-memory'), [], [{ key: 'MEMORY_FILE_PATH', value: '/nonexistent/x.jsonl' }]),
      nodeServer('f-well', fixture('well-behaved.mjs')),
    ];
    let running = 0;
    let peak = 0;
    const events: ProbeProgress[] = [];
    const started = Date.now();
    const results = await probeMany(defs, {
      ...BASE,
      connectTimeoutMs: 4000,
      concurrency: 2,
      onProgress: (event) => {
        events.push(event);
        running += event.type === 'started' ? 1 : -1;
        peak = Math.max(peak, running);
        if (event.type === 'finished' && event.index === 0) throw new Error('a broken progress callback');
      },
    });
    const elapsed = Date.now() - started;
    assert.equal(results.length, 6);
    const summary = results.map((r: ProbeResult) => (r.ok ? 'ok' : r.category));
    assert.deepEqual(summary, ['ok', 'timeout', 'exited', 'ok', 'ok', 'ok']);
    assert.equal((results[0] as { tools: unknown[] }).tools.length, 25);
    assert.equal((results[3] as { server: { name: string } }).server.name, 'poisoned');
    assert.equal((results[4] as { server: { name: string } }).server.name, 'memory-server');
    assert.equal(peak, 2, 'never more than two at once, and two at some point');
    assert.equal(events.filter((e) => e.type === 'started').length, 6);
    assert.deepEqual(events.filter((e) => e.type === 'finished').map((e) => (e as { done: number }).done), [1, 2, 3, 4, 5, 6]);
    // The hanging server holds one lane for its 4 s connect timeout while the other lane carries the
    // other five through: it finishes last, and the whole run takes about that timeout.
    const finishedOrder = events.filter((e) => e.type === 'finished').map((e) => e.server.name);
    assert.equal(finishedOrder.at(-1), 'b-hang', `finished in the order ${finishedOrder.join(', ')}`);
    assert.ok(elapsed >= 4000, `took ${elapsed} ms`);
    assert.ok(elapsed < 4000 + 5000, `took ${elapsed} ms`);
    assertAllGone(await readPids(pidFile));
  });

  test('needsConsent, and requireApproval refuses a discovered server without starting it', async (t) => {
    const marker = path.join(tempDir(t), 'started');
    const discovered: ServerDefinition = {
      ...nodeServer('found', fixture('well-behaved.mjs'), [], [{ key: 'MARKER_FILE', value: marker }]),
      status: 'discovered',
      source: { kind: 'discovered', client: 'Claude Desktop', config_path: '/tmp/c.json', key: 'found', pointer: '/mcpServers/found' },
    };
    assert.equal(needsConsent(discovered), true);
    assert.equal(needsConsent({ ...discovered, status: 'approved' }), false);
    const refused = failure(await probeServer(discovered, { ...BASE, requireApproval: true }), 'consent_required');
    assert.equal(refused.message, consentRefusalMessage(discovered));
    assert.match(refused.message, /^Server "found" was discovered in Claude Desktop's config and is not approved, so MCP Warden will not start it: approve it with `mcp-warden mcp approve found`, or pass --yes to probe it once\.$/);
    assert.equal(existsSync(marker), false);
    // Consent is the caller's business: without requireApproval the probe runs.
    success(await probeServer(discovered, BASE));
    assert.equal(existsSync(marker), true);
  });
});
