// The SDK as users get it: imported by its package name (`mcp-warden/sdk`, the built bundle the
// package exports), run against a real `mcp-warden serve` watching a fake home with a Claude Desktop
// config.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { startServe } from '../helpers/serve.ts';

const sdk = await import('mcp-warden/sdk');
const { secure, WardenApiError, WardenClient, WardenConfigError, WardenConnectionError, WardenSdkError } = sdk;

test('secure() registers the agent, links the Claude Desktop servers, and registerMcp/linkMcp/trust work against a real serve', async (t) => {
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({
    memory: { command: process.execPath, args: ['memory-server.js'] },
    notes: { command: process.execPath, args: ['notes-server.js'], env: { LOG_LEVEL: 'debug' } },
  }));
  const served = await startServe(t, { fake });
  const options = { url: served.url, apiKey: served.key };

  const agent = await secure('my-agent', { ...options, displayName: 'My agent', description: 'Answers support tickets' });
  assert.match(agent.id, /^agn_/);
  assert.equal(agent.name, 'my-agent');
  assert.deepEqual(agent.detected.map((s) => s.name).sort(), ['memory', 'notes']);
  const stored = await agent.refresh();
  assert.equal(stored.display_name, 'My agent');
  assert.deepEqual(stored.servers.map((s) => s.name).sort(), ['memory', 'notes']);

  // Start-up code runs on every start: the second call finds the same agent and links nothing twice.
  const again = await secure('my-agent', { url: served.api, apiKey: served.key });
  assert.equal(again.id, agent.id);
  assert.equal((await again.refresh()).servers.length, 2);

  const weather = await agent.registerMcp({ serverName: 'weather', serverUrl: 'https://weather.example.com/mcp', capabilities: ['forecast'], description: 'Forecasts' });
  assert.match(weather.id, /^srv_/);
  assert.equal(weather.transport, 'http');
  assert.equal(weather.status, 'approved');
  assert.deepEqual(weather.capabilities, ['forecast']);
  assert.equal((await agent.registerMcp({ serverName: 'weather', serverUrl: 'https://weather.example.com/mcp' })).id, weather.id, 'the same name and URL answers the existing server');
  await assert.rejects(agent.registerMcp({ serverName: 'weather', serverUrl: 'https://other.example.com/mcp' }), (e: unknown) => {
    assert.ok(e instanceof WardenApiError);
    assert.equal(e.status, 409);
    assert.equal(e.code, 'conflict');
    assert.equal(e.field, 'name');
    assert.match(e.message, /weather/);
    return true;
  });

  const github = await agent.registerMcp({ serverName: 'github', serverUrl: 'stdio://github', capabilities: ['create_issue', 'list_repos'] });
  assert.equal(github.status, 'declared');

  const linked = await agent.linkMcp(weather.id);
  assert.ok(linked.servers.some((s) => s.id === weather.id));
  assert.ok((await agent.linkMcp('github')).servers.some((s) => s.id === github.id), 'a name works where an id does');
  assert.equal((await agent.unlinkMcp('github')).servers.some((s) => s.id === github.id), false);

  const trust = await agent.trust(weather.id);
  assert.ok(Number.isInteger(trust.score) && trust.score >= 0 && trust.score <= 100);
  assert.ok(['red', 'amber', 'green'].includes(trust.band));
  assert.ok(trust.factors.some((f) => f.factor === 'provenance'), 'the breakdown explains the score');

  await assert.rejects(agent.trust('no-such-server'), (e: unknown) => e instanceof WardenApiError && e.status === 404 && /no-such-server/.test(e.message));

  // The agent and its links are what the CLI sees in the same data directory.
  const audit = served.cli('audit', '--json');
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, /agent\.registered|agent\.linked/);
});

test('secure() with detection off links nothing, and with a client that has no config finds nothing without failing', async (t) => {
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: ['m.js'] } }));
  const served = await startServe(t, { fake });
  const quiet = await secure('quiet', { url: served.url, apiKey: served.key, detect: false });
  assert.deepEqual(quiet.detected, []);
  assert.deepEqual((await quiet.refresh()).servers, []);
  const cursor = await secure('cursor-user', { url: served.url, apiKey: served.key, detect: 'cursor' });
  assert.deepEqual(cursor.detected, []);
});

test('the SDK reads MCP_WARDEN_URL and MCP_WARDEN_API_KEY, and a wrong key is a typed 401 carrying the API message', async (t) => {
  const served = await startServe(t);
  const saved = { url: process.env.MCP_WARDEN_URL, key: process.env.MCP_WARDEN_API_KEY };
  t.after(() => {
    for (const [name, value] of [['MCP_WARDEN_URL', saved.url], ['MCP_WARDEN_API_KEY', saved.key]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  process.env.MCP_WARDEN_URL = served.url;
  process.env.MCP_WARDEN_API_KEY = served.key;
  const agent = await secure('from-env', { detect: false });
  assert.equal((await new WardenClient().getAgent('from-env')).id, agent.id);

  process.env.MCP_WARDEN_API_KEY = 'mcpw_not-a-real-key';
  await assert.rejects(secure('from-env'), (e: unknown) => {
    assert.ok(e instanceof WardenApiError && e instanceof WardenSdkError);
    assert.equal(e.status, 401);
    assert.equal(e.code, 'unauthorized');
    assert.ok(e.message.length > 10 && !e.message.includes('mcpw_not-a-real-key'), e.message);
    return true;
  });

  delete process.env.MCP_WARDEN_API_KEY;
  assert.throws(() => new WardenClient(), (e: unknown) => e instanceof WardenConfigError && /MCP_WARDEN_API_KEY/.test(e.message));
  assert.throws(() => new WardenClient({ url: 'ftp://127.0.0.1', apiKey: 'k' }), WardenConfigError);
});

test('nothing listening, or something that is not MCP Warden, is a WardenConnectionError naming the URL', async (t) => {
  // A port that was just free: nothing answers there.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(new WardenClient({ url: `http://127.0.0.1:${port}`, apiKey: 'k' }).getAgent('x'), (e: unknown) => {
    assert.ok(e instanceof WardenConnectionError);
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/api/v1`));
    assert.match(e.message, /mcp-warden serve/);
    return true;
  });

  const other = http.createServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1>'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  t.after(() => other.close());
  const otherPort = (other.address() as { port: number }).port;
  await assert.rejects(new WardenClient({ url: `http://127.0.0.1:${otherPort}`, apiKey: 'k' }).getAgent('x'), (e: unknown) => e instanceof WardenConnectionError && /not JSON/.test(e.message));
});

test('a TypeScript project that installs the package type-checks against the published declarations', (t) => {
  const dir = tempDir(t, 'mcp-warden-sdk-consumer-');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(ROOT, path.join(dir, 'node_modules', 'mcp-warden'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: [] }, files: ['agent.ts'] }));
  writeFileSync(
    path.join(dir, 'agent.ts'),
    `import { secure, WardenApiError, type ServerView } from 'mcp-warden/sdk';
const agent = await secure('typed', { apiKey: 'k' });
const server: ServerView = await agent.registerMcp({ serverName: 'a', serverUrl: 'stdio://a', capabilities: ['x'] });
const score: number = (await agent.trust(server.id)).score;
try { await agent.linkMcp(server.id); } catch (e) { if (e instanceof WardenApiError) { const s: number = e.status; console.log(s, e.field); } }
console.log(score);
`,
  );
  const good = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  assert.equal(good.status, 0, good.stdout + good.stderr);

  // The declarations are real types, not `any`: a wrong use fails to compile.
  writeFileSync(path.join(dir, 'agent.ts'), `import { secure } from 'mcp-warden/sdk';\nconst agent = await secure('typed');\nconst n: string = (await agent.trust('a')).score;\nconsole.log(n);\n`);
  const bad = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /Type 'number' is not assignable to type 'string'/);
});
