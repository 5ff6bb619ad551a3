// `mcp-warden run <name>` end to end: a real MCP client (the SDK's Client over stdio) talks through the
// built CLI to real servers; the data dir, the keychain (a throwaway Secret Service under npm test)
// and the processes are real.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import { BIN, cli, ROOT } from '../helpers/cli.ts';
import { waitFor } from '../helpers/fake-home.ts';
import { home, type Home } from '../helpers/launcher.ts';

const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const ECHO_FIXTURE = path.join(ROOT, 'test/fixtures/servers/launcher-echo.mjs');

/** A copy of the echo fixture next to its own node_modules resolution (inside the repo, so the SDK resolves). */
function echoScript(t: TestContext): string {
  const file = path.join(ROOT, 'test/fixtures/servers', `launcher-echo-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  copyFileSync(ECHO_FIXTURE, file);
  t.after(() => spawnSync('rm', ['-f', file]));
  return file;
}

function add(h: Home, name: string, script: string, ...extra: string[]): void {
  const result = h.run('mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', script, ...extra);
  assert.equal(result.code, 0, result.stderr);
}

async function connect(t: TestContext, h: Home, name: string, env: Record<string, string> = {}): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, '--home', h.dir, 'run', name], env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'launcher-test', version: '1.0.0' });
  t.after(() => client.close().catch(() => {}));
  await client.connect(transport);
  return { client, transport };
}

const textOf = (result: unknown): string => ((result as { content: { text: string }[] }).content[0] as { text: string }).text;

interface AuditEvent { type: string; details: Record<string, unknown> }
interface AlertView { type: string; severity: string; details: Record<string, unknown> }
const toolCalls = (h: Home): AuditEvent[] => h.json<{ events: AuditEvent[] }>('audit', '--type', 'tool.called').events;
const alerts = (h: Home): AlertView[] => h.json<{ alerts: AlertView[] }>('alerts', '--state', 'all').alerts;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('server-everything through the launcher answers like it does directly, and each tool call is audited', async (t) => {
  const h = home(t);
  add(h, 'everything', EVERYTHING, '--arg', 'stdio');
  const direct = new Client({ name: 'direct', version: '1.0.0' });
  t.after(() => direct.close().catch(() => {}));
  await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'pipe' }));
  const { client } = await connect(t, h, 'everything');

  const [viaList, directList] = [await client.listTools(), await direct.listTools()];
  assert.deepEqual(viaList.tools.map((x) => x.name).sort(), directList.tools.map((x) => x.name).sort());
  assert.deepEqual(viaList, directList);
  for (const [name, args] of [['echo', { message: 'hello launcher' }], ['get-sum', { a: 2, b: 40 }]] as const) {
    if (!directList.tools.some((x) => x.name === name)) continue;
    assert.deepEqual(await client.callTool({ name, arguments: args }), await direct.callTool({ name, arguments: args }));
  }
  await client.close();
  await waitFor('launcher condition', () => toolCalls(h).length >= 1, 10_000);
  const echo = toolCalls(h).find((e) => e.details.tool === 'echo');
  assert.ok(echo, 'the echo call is in the audit trail');
  assert.deepEqual(echo.details.argument_keys, ['message']);
  assert.deepEqual(echo.details.arguments, { message: 'hello launcher' });
  assert.equal(echo.details.error, false);
  assert.equal(echo.details.client, 'launcher-test');
  assert.equal(typeof echo.details.duration_ms, 'number');
  assert.equal(h.run('audit', 'verify').code, 0);
});

test('a keychain secret reaches the server environment only: not in args, ps, the data dir, or the audit trail', async (t) => {
  const h = home(t);
  const secret = `s3cret-${Math.random().toString(36).slice(2)}-value`;
  assert.equal(cli(['--home', h.dir, 'secrets', 'add', 'api-token'], { input: `${secret}\n` }).code, 0);
  add(h, 'echo', echoScript(t), '--env', 'API_TOKEN={{secret:api-token}}');
  const { client } = await connect(t, h, 'echo');

  assert.equal(textOf(await client.callTool({ name: 'env', arguments: { name: 'API_TOKEN' } })), secret);
  assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: `token=${secret}` } })), `token=${secret}`);
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  assert.equal(ps.status, 0);
  assert.ok(ps.stdout.includes('run echo'), 'the launcher is running');
  assert.ok(!ps.stdout.includes(secret), 'no process argument holds the secret');
  await client.close();

  await waitFor('launcher condition', () => toolCalls(h).length >= 2, 10_000);
  const echoed = toolCalls(h).find((e) => e.details.tool === 'echo');
  assert.equal(echoed?.details.arguments && (echoed.details.arguments as { text: string }).text, 'token=[redacted secret api-token]');
  for (const file of filesUnder(h.dir)) assert.ok(!readFileSync(file).includes(secret), `${file} does not hold the secret`);
});

test('attestation: block refuses initialize with the reason and never starts the server; warn starts it and raises a high alert', async (t) => {
  const h = home(t);
  const script = echoScript(t);
  const marker = path.join(h.dir, 'started-marker');
  add(h, 'attested', script, '--env', `MARKER_FILE=${marker}`);
  const attest = h.run('mcp', 'attest', 'attested');
  assert.equal(attest.code, 0, attest.stderr);
  appendFileSync(script, '\n// altered after the attestation\n');

  assert.equal(h.run('settings', 'set', 'attestation-policy', 'block').code, 0);
  await assert.rejects(connect(t, h, 'attested'), (error: Error) => {
    assert.match(error.message, /did not start "attested": it no longer matches its attestation \(script file .* changed\)/);
    assert.match(error.message, /mcp-warden mcp attest attested/);
    return true;
  });
  assert.equal(existsSync(marker), false, 'the server was never started');

  assert.equal(h.run('settings', 'set', 'attestation-policy', 'warn').code, 0);
  const { client } = await connect(t, h, 'attested');
  assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ok' } })), 'ok');
  assert.equal(existsSync(marker), true, 'under warn the server runs');
  const failed = alerts(h).filter((a) => a.type === 'attestation_failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.severity, 'high');
});

test('an undeclared tool call is blocked under block and passed under warn, with a high alert in both', async (t) => {
  for (const policy of ['block', 'warn'] as const) {
    const h = home(t);
    add(h, 'declared', echoScript(t), '--capabilities', 'echo,env,pid');
    assert.equal(h.run('settings', 'set', 'undeclared-tool-policy', policy).code, 0);
    const { client } = await connect(t, h, 'declared');
    assert.equal(textOf(await client.callTool({ name: 'echo', arguments: { text: 'declared' } })), 'declared');
    if (policy === 'block') {
      await assert.rejects(client.callTool({ name: 'hidden', arguments: {} }), /MCP Warden blocked the call to tool "hidden" on "declared"/);
    } else {
      assert.equal(textOf(await client.callTool({ name: 'hidden', arguments: {} })), 'hidden ran');
    }
    await client.close();
    await waitFor('launcher condition', () => alerts(h).some((a) => a.type === 'undeclared_tool_used'), 10_000);
    const alert = alerts(h).find((a) => a.type === 'undeclared_tool_used');
    assert.equal(alert?.severity, 'high');
    assert.equal(alert?.details.tool, 'hidden');
    assert.equal(alert?.details.blocked, policy === 'block');
    await waitFor('launcher condition', () => toolCalls(h).some((e) => e.details.tool === 'hidden'), 10_000);
    const call = toolCalls(h).find((e) => e.details.tool === 'hidden');
    assert.equal(call?.details.undeclared, true);
    assert.equal(call?.details.blocked, policy === 'block');
    assert.equal(alerts(h).filter((a) => a.type === 'undeclared_tool_used').length, 1, `${policy}: one alert`);
  }
});

test('a tools/list answer that differs from the pin raises the drift alert; under block the client gets the pinned subset', async (t) => {
  for (const policy of ['block', 'warn'] as const) {
    const h = home(t);
    const script = echoScript(t);
    add(h, 'drifty', script);
    const probed = h.run('mcp', 'probe', 'drifty');
    assert.equal(probed.code, 0, probed.stdout + probed.stderr);
    assert.equal(h.run('settings', 'set', 'undeclared-tool-policy', policy).code, 0);
    writeFileSync(`${script}.drift`, '');
    t.after(() => spawnSync('rm', ['-f', `${script}.drift`]));

    const { client } = await connect(t, h, 'drifty');
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    const echo = tools.find((tool) => tool.name === 'echo');
    if (policy === 'block') {
      assert.deepEqual(names, ['echo', 'env', 'hidden', 'pid'], 'the new tool is left out');
      assert.equal(echo?.description, 'Echoes its text.', 'the changed tool as pinned');
    } else {
      assert.deepEqual(names, ['echo', 'env', 'exfiltrate', 'hidden', 'pid'], 'warn passes the answer as it is');
      assert.match(echo?.description ?? '', /collector\.example/);
    }
    await client.close();
    await waitFor('the drift alert', () => alerts(h).some((a) => a.type === 'definition_changed'), 10_000);
    const alert = alerts(h).find((a) => a.type === 'definition_changed');
    assert.match(JSON.stringify(alert?.details), /exfiltrate/, `${policy}: the alert names the added tool`);
  }
});

/** The launcher as a raw process: the test is its client. */
function launch(h: Home, name: string): { child: ChildProcessWithoutNullStreams; request: (id: number, method: string, params?: unknown) => Promise<Record<string, unknown>>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, '--home', h.dir, 'run', name], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, at)) as Record<string, unknown>;
      buffer = buffer.slice(at + 1);
      waiting.get(message.id as number)?.(message);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const request = (id: number, method: string, params: unknown = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  return { child, request, exit };
}

async function serverPid(l: ReturnType<typeof launch>): Promise<number> {
  await l.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
  l.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const answer = await l.request(2, 'tools/call', { name: 'pid', arguments: {} });
  return Number(textOf(answer.result));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
};

test('the client going away ends the server; the server dying ends the launcher with its code', async (t) => {
  const h = home(t);
  add(h, 'proc', echoScript(t));

  const first = launch(h, 'proc');
  const pid1 = await serverPid(first);
  assert.equal(alive(pid1), true);
  first.child.stdin.end(); // what the OS does when the client dies
  assert.equal(await first.exit, 0);
  await waitFor('launcher condition', () => !alive(pid1), 5000);

  const second = launch(h, 'proc');
  const pid2 = await serverPid(second);
  process.kill(pid2, 'SIGKILL');
  assert.equal(await second.exit, 128 + 9);

  const third = launch(h, 'proc');
  const pid3 = await serverPid(third);
  third.child.kill('SIGTERM'); // forwarded to the server's process group
  assert.equal(await third.exit, 128 + 15);
  await waitFor('launcher condition', () => !alive(pid3), 5000);
});

test('a locked or missing database does not stop the relay: events are spooled and replayed into the trail later', async (t) => {
  const h = home(t);
  add(h, 'spooled', echoScript(t));
  const dbFile = path.join(h.dir, 'warden.db');

  // Another process holds the write lock for the whole session.
  const holder = new Database(dbFile);
  holder.exec('BEGIN EXCLUSIVE');
  const locked = await connect(t, h, 'spooled');
  assert.equal(textOf(await locked.client.callTool({ name: 'echo', arguments: { text: 'while locked' } })), 'while locked');
  await locked.client.close();
  await waitFor('launcher condition', () => readdirSync(path.join(h.dir, 'spool')).some((f) => f.endsWith('.batch')), 10_000);
  holder.exec('ROLLBACK');
  holder.close();

  // The database gone (moved away): the launch cache of the last run starts the server.
  renameSync(dbFile, `${dbFile}.away`);
  for (const suffix of ['-wal', '-shm']) if (existsSync(dbFile + suffix)) renameSync(dbFile + suffix, `${dbFile}.away${suffix}`);
  const missing = await connect(t, h, 'spooled');
  assert.equal(textOf(await missing.client.callTool({ name: 'echo', arguments: { text: 'while missing' } })), 'while missing');
  await missing.client.close();
  await waitFor('launcher condition', () => readdirSync(path.join(h.dir, 'spool')).filter((f) => f.endsWith('.batch')).length >= 2, 10_000);
  assert.equal(existsSync(dbFile), false, 'the launcher did not create a database');
  renameSync(`${dbFile}.away`, dbFile);
  for (const suffix of ['-wal', '-shm']) if (existsSync(`${dbFile}.away${suffix}`)) renameSync(`${dbFile}.away${suffix}`, dbFile + suffix);

  // The next launch replays both spools before its own events.
  const after = await connect(t, h, 'spooled');
  await after.client.callTool({ name: 'echo', arguments: { text: 'after' } });
  await after.client.close();
  await waitFor('launcher condition', () => toolCalls(h).length >= 3, 10_000);
  const texts = toolCalls(h).map((e) => (e.details.arguments as { text: string }).text);
  assert.deepEqual(texts, ['while locked', 'while missing', 'after']);
  assert.equal(readdirSync(path.join(h.dir, 'spool')).length, 0, 'the spool is empty after the replay');
  // Both sessions' batch files (each batch its own file), replayed in one transaction or more.
  const replayed = h.json<{ events: AuditEvent[] }>('audit', '--type', 'launcher.spool_replayed').events;
  assert.ok(replayed.reduce((n, e) => n + (e.details.files as string[]).length, 0) >= 2);
  assert.equal(h.run('audit', 'verify').code, 0);
  assert.ok(statSync(dbFile).size > 0);
});
