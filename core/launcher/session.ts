/**
 * `mcp-warden run <name>`: one launch. Refuses a code-loading environment first, then plans it
 * (database, else launch cache), checks the attestation under the server's policy, resolves secrets
 * from the keychain in memory, starts the server (`server-process.ts`: no shell, the login shell's
 * PATH, its own process group, a parent-death signal on Linux), relays stdin and stdout through
 * `LineRelay` with `Traffic` watching (bounded lines, backpressure both ways), lets stderr pass
 * straight through, forwards signals, and resolves with the server's exit code (128 + signal number
 * when a signal ended it).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TOOL_CALL_EVENT, type ToolCallDetails } from '../api/launcher.ts';
import type { AlertType } from '../api/alert.ts';
import { ALERT_RULES } from '../alerts/rules.ts';
import { buildEnvironment, handlesIn, Redactor, resolveSecrets } from '../process/index.ts';
import { findServer } from '../registry/read.ts';
import { OsKeychain } from '../secrets/keychain.ts';
import { DATABASE_FILE, openStore, type Store } from '../store/database.ts';
import { unsafeSettings, type EnvironmentSources, type UnsafeSetting } from './environment-guard.ts';
import { EventSink, type LauncherEvent } from './event-writer.ts';
import { MAX_LINE_BYTES, noteRead, Valve } from './flow.ts';
import { LineRelay, type OversizedLine } from './line-relay.ts';
import { cachedLoginPath } from './login-path-cache.ts';
import { planLaunch } from './plan.ts';
import { refuseClient } from './refusal.ts';
import { startServer } from './server-process.ts';
import { idAtEdges, Traffic, type PinnedTools } from './traffic.ts';

/** After the client closes stdin, how long the server has to exit on its own before its tree is killed. */
export const STDIN_CLOSE_GRACE_MS = 2000;
/** How long the tree has between SIGTERM and SIGKILL at the end. */
const KILL_GRACE_MS = 1000;
/** How long a tool call may wait for its answer before it is recorded as `timeout` (long tools exist). */
export const CALL_TIMEOUT_MS = 10 * 60_000;
const SWEEP_MS = 15_000;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const DROPPED_ANSWER = -32603;
const REQUEST_TOO_LARGE = -32600;

export interface RunOptions {
  dataDir: string;
  name: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** The code-loading settings found by the caller before it loaded this module; else looked for here (in `environment`, default this process). */
  unsafe?: UnsafeSetting[];
  environment?: EnvironmentSources;
  /** Overrides CALL_TIMEOUT_MS (tests). */
  callTimeoutMs?: number;
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export async function runLauncher(options: RunOptions): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  // Before anything else, the keychain above all: code may already be loaded into this process.
  const unsafe = options.unsafe ?? unsafeSettings(options.environment);
  if (unsafe.length > 0) return refuseUnsafeEnvironment(options, unsafe, stdin, stdout);

  const launch = await planLaunch(options.dataDir, options.name);
  const { plan } = launch;
  const server = plan.server;
  const sink = new EventSink(options.dataDir);
  const at = (ms = Date.now()): string => new Date(ms).toISOString();
  let traffic: Traffic | undefined;
  const audit = (type: string, details: Record<string, unknown>): void => sink.push({ kind: 'audit', at: at(), event: { actor: 'system', type, server_id: server.id, details: { name: server.name, ...details } } });
  const alert = (type: AlertType, detail: string, details: Record<string, unknown>, dedup = detail): void =>
    sink.push({
      kind: 'alert',
      at: at(),
      condition: {
        type,
        title: ALERT_RULES[type].title({ server: server.name, client: traffic?.client ?? '', file: '', count: 1, detail }),
        dedup_key: `${type}:${server.id}:${dedup}`,
        server_id: server.id,
        agent_id: null,
        details,
      },
    });
  if (launch.source === 'cache') audit('launcher.database_unavailable', { problem: launch.dbProblem ?? '' });

  const refuse = async (reason: string, message: string): Promise<number> => {
    audit('launcher.refused', { reason, message });
    process.stderr.write(`mcp-warden run: ${message}\n`);
    await refuseClient(stdin, stdout, message);
    await sink.close();
    return 1;
  };

  const v = launch.verification;
  if (v.state === 'failed' && plan.policies.attestation === 'block') {
    return refuse('attestation_failed', `MCP Warden did not start "${server.name}": it no longer matches its attestation (${v.what}), and its attestation policy is block. If you made this change, re-approve it with \`mcp-warden mcp attest ${server.name}\` (see \`mcp-warden mcp verify ${server.name}\` for the details); otherwise restore what was attested.`);
  }
  if (v.state === 'unverifiable' && plan.policies.attestation === 'block') {
    return refuse('attestation_unverifiable', `MCP Warden did not start "${server.name}": its attestation could not be verified (${v.why}), and its attestation policy is block. Make the MCP Warden database readable again, then restart the client.`);
  }
  if (v.state === 'unverifiable') audit('launcher.unverified', { why: v.why });

  const keychain = new OsKeychain(plan.install_id);
  const resolution = resolveSecrets(handlesIn(server.env_template.map((e) => e.value)), keychain);
  if (!resolution.ok) {
    const why = 'missing' in resolution
      ? `it needs the secret${resolution.missing.length === 1 ? '' : 's'} ${resolution.missing.map((n) => `"${n}"`).join(', ')}, not in the keychain: add ${resolution.missing.length === 1 ? 'it' : 'them'} with ${resolution.missing.map((n) => `\`mcp-warden secrets add ${n}\``).join(', ')}`
      : `the keychain could not be read (${resolution.unavailable.replace(/\.$/, '')})`;
    return refuse('secret_missing', `MCP Warden did not start "${server.name}": ${why}.`);
  }
  const redactor = new Redactor(resolution.secrets);
  const env = buildEnvironment({ path: await cachedLoginPath(options.dataDir), env_template: server.env_template, secrets: resolution.secrets });

  const started = await startServer({ command: server.command as string, args: server.args, cwd: server.cwd ?? undefined, env });
  if (!started.ok) {
    return refuse('spawn_failed', `MCP Warden could not start "${server.name}": ${started.problem}; fix its command in the server's definition (see \`mcp-warden mcp show ${server.name}\`).`);
  }
  const { child, tree } = started;

  if (v.state === 'failed') audit('launcher.started_unattested', { what: v.what });
  const pinned: PinnedTools | null = plan.pinned_tools === null ? null : new Map(plan.pinned_tools.map(([name, sha256, definition]) => [name, { sha256, definition }]));
  const childIn = child.stdin as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  const childOut = child.stdout as NodeJS.ReadableStream & { destroy(): void };

  // Backpressure: a source is not read while a stream it writes to is full.
  const clientValve = new Valve(stdin);
  const serverValve = new Valve(childOut);
  const toServer = (bytes: Buffer): void => {
    if (childIn.destroyed === true || childIn.writableEnded === true) return;
    clientValve.wrote(childIn, childIn.write(bytes));
  };
  const fromServerToClient = (bytes: Buffer): void => serverValve.wrote(stdout, stdout.write(bytes));
  const ownAnswerToClient = (bytes: Buffer): void => clientValve.wrote(stdout, stdout.write(bytes));
  const errorLine = (id: unknown, code: number, message: string): Buffer => Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } })}\n`);

  const callEvent = (details: ToolCallDetails, sentAt: number): LauncherEvent => ({ kind: 'audit', at: at(sentAt), event: { actor: 'system', type: TOOL_CALL_EVENT, server_id: server.id, details: { ...details } } });
  const said = new Set<string>();
  const sayOnce = (what: string, text: string): void => {
    if (said.has(what)) return;
    said.add(what);
    process.stderr.write(`mcp-warden run: ${text}\n`);
  };
  traffic = new Traffic({
    serverName: server.name,
    pinned,
    capabilities: server.capabilities,
    undeclaredPolicy: plan.policies.undeclared,
    redactor,
    callKeyPrefix: `${process.pid}-${randomBytes(6).toString('hex')}-`,
    callTimeoutMs: options.callTimeoutMs ?? CALL_TIMEOUT_MS,
    answerClient: ownAnswerToClient,
    onCallSent: (key, details, sentAt) => sink.begin(key, callEvent(details, sentAt)),
    onCallSettled: (key, details, sentAt) => sink.settle(key, callEvent(details, sentAt)),
    onToolCall: (details, sentAt) => sink.push(callEvent(details, sentAt)),
    onUndeclared: (tool, blocked) => {
      const shown = redactor.text(tool);
      alert('undeclared_tool_used', shown, { tool: shown, blocked, client: traffic?.client ?? null, declared: server.capabilities, pinned: pinned === null ? null : [...pinned.keys()] });
    },
    onToolsDrift: (tools) => sink.push({ kind: 'tools_drift', at: at(), server_id: server.id, tools }),
    onUnreadable: (side) =>
      sayOnce(`unreadable-${side}`, side === 'server'
        ? `"${server.name}" wrote a line that is not JSON while an answer was awaited; it was dropped (and any later one is, silently).`
        : 'the client sent a line that is not JSON; it was not passed on (and any later one is not, silently).'),
  });
  const watched = traffic;

  // A server line over the limit: said when it passes the limit (its newline may never come, as
  // with a server that floods without one), and its request answered with an error as soon as
  // either end of the line names it.
  let dropping: { answered: boolean } | null = null;
  const serverLineTooLong = (head: Buffer): void => {
    dropping = { answered: false };
    process.stderr.write(`mcp-warden run: "${server.name}" sent a line longer than ${mib(MAX_LINE_BYTES)}, the most the launcher relays: it is being dropped.\n`);
    if (!said.has('oversized-alert')) {
      said.add('oversized-alert');
      alert('oversized_message', `over ${mib(MAX_LINE_BYTES)} in one line`, { limit: MAX_LINE_BYTES, client: watched.client }, 'line');
    }
    const text = `MCP Warden is dropping a message from "${server.name}": it is longer than ${mib(MAX_LINE_BYTES)}, the most the launcher relays.`;
    const answered = watched.droppedAnswer(idAtEdges(head, Buffer.alloc(0)));
    if (answered !== undefined) {
      dropping.answered = true;
      fromServerToClient(errorLine(answered.id, DROPPED_ANSWER, text));
    } else fromServerToClient(Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'error', logger: 'mcp-warden', data: text } })}\n`));
  };
  const serverLineDropped = (line: OversizedLine): void => {
    if (dropping === null) serverLineTooLong(line.head); // a whole line in one chunk
    const state = dropping as { answered: boolean };
    dropping = null;
    process.stderr.write(`mcp-warden run: dropped a line of ${mib(line.bytes)} from "${server.name}".\n`);
    if (state.answered) return;
    const answered = watched.droppedAnswer(idAtEdges(Buffer.alloc(0), line.tail));
    if (answered !== undefined) fromServerToClient(errorLine(answered.id, DROPPED_ANSWER, `MCP Warden dropped the answer of "${server.name}": it was ${mib(line.bytes)} in one line, over the ${mib(MAX_LINE_BYTES)} the launcher relays.`));
  };
  const clientLineTooLong = ({ head, tail, bytes }: OversizedLine): void => {
    const text = `MCP Warden did not pass on a request of ${mib(bytes)} to "${server.name}": the launcher relays lines of at most ${mib(MAX_LINE_BYTES)}.`;
    process.stderr.write(`mcp-warden run: ${text}\n`);
    const id = idAtEdges(head, tail);
    if (id !== undefined) ownAnswerToClient(errorLine(id, REQUEST_TOO_LARGE, text));
  };
  const up = new LineRelay(toServer, watched.fromClient, { maxLineBytes: MAX_LINE_BYTES, onOversized: clientLineTooLong });
  const down = new LineRelay(fromServerToClient, watched.fromServer, { maxLineBytes: MAX_LINE_BYTES, onTooLong: serverLineTooLong, onOversized: serverLineDropped });

  childOut.on('data', (chunk: Buffer) => {
    noteRead(chunk.length);
    down.push(chunk);
  });
  const drained = new Promise<void>((resolve) => {
    childOut.on('end', () => {
      down.end();
      resolve();
    });
    childOut.on('error', () => resolve());
  });
  (child.stdin as NodeJS.WritableStream).on('error', () => {}); // EPIPE once the server is gone

  const sweep = setInterval(() => watched.expire(), SWEEP_MS);
  sweep.unref();
  let graceTimer: NodeJS.Timeout | undefined;
  let clientGone = false;
  const onInput = (chunk: Buffer): void => {
    noteRead(chunk.length);
    up.push(chunk);
  };
  const onClientGone = (): void => {
    if (clientGone) return;
    clientGone = true;
    up.end();
    // The server is still alive: what it started is noted now, before it can leave it behind.
    void tree.note().finally(() => {
      childIn.end();
      // The client is gone: the server gets a moment to exit on its own, then its tree is killed.
      graceTimer = setTimeout(() => void tree.kill(KILL_GRACE_MS), STDIN_CLOSE_GRACE_MS);
    });
  };
  stdin.on('data', onInput);
  stdin.on('end', onClientGone);
  stdin.on('error', onClientGone);
  stdout.on('error', onClientGone); // EPIPE: the client stopped reading for good

  const forward = (signal: NodeJS.Signals) => (): void => {
    try {
      if (process.platform === 'win32') child.kill(signal);
      else process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);

  const [code, signal] = await exited(child);
  // Its last answers still in the pipe reach the client (unless something it left behind holds the pipe open).
  await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 300).unref())]);
  watched.settleAll('no_answer');
  // Whatever the server started and left behind goes with it.
  if (process.platform !== 'win32') await tree.kill(500);
  if (graceTimer !== undefined) clearTimeout(graceTimer);
  clearInterval(sweep);
  clientValve.close();
  serverValve.close();
  for (const [name, handler] of handlers) process.off(name, handler);
  stdin.off('data', onInput);
  stdin.off('end', onClientGone);
  childOut.destroy();
  if ('pause' in stdin && typeof stdin.pause === 'function') stdin.pause();
  await sink.close();
  return code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0));
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve) => child.once('exit', (c, s) => resolve([c, s])));
}

/**
 * The launcher's own environment could load code (NODE_OPTIONS, LD_PRELOAD, ...): nothing is read
 * from the keychain and no server starts. The client is answered with the reason, a high alert is
 * opened (for the server when it is registered) and the launcher exits 1.
 */
async function refuseUnsafeEnvironment(options: RunOptions, unsafe: UnsafeSetting[], stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream): Promise<number> {
  const names = unsafe.map((s) => s.name);
  const listed = names.map((n) => (n === 'node flag' ? 'Node flags' : n)).join(', ');
  const message = `MCP Warden did not start "${options.name}": its launcher was started with ${listed} set, which can load code into the process that reads your keychain. Remove ${names.length === 1 ? 'it' : 'them'} from the client config entry (its "env" and "args") and from the environment the client runs in, then restart the client.`;
  process.stderr.write(`mcp-warden run: ${message}\n`);
  const serverId = findServerId(options.dataDir, options.name);
  const sink = new EventSink(options.dataDir);
  const now = new Date().toISOString();
  sink.push({
    kind: 'alert',
    at: now,
    condition: {
      type: 'unsafe_launcher_environment',
      title: ALERT_RULES.unsafe_launcher_environment.title({ server: options.name, client: '', file: '', count: names.length, detail: listed }),
      dedup_key: `unsafe_launcher_environment:${serverId ?? options.name}:${names.join(',')}`,
      server_id: serverId,
      agent_id: null,
      details: { name: options.name, settings: unsafe },
    },
  });
  sink.push({ kind: 'audit', at: now, event: { actor: 'system', type: 'launcher.refused', server_id: serverId, details: { name: options.name, reason: 'unsafe_environment', message } } });
  await refuseClient(stdin, stdout, message);
  await sink.close();
  return 1;
}

/** The registered server's id, read without the keychain; null when it cannot be read. */
function findServerId(dataDir: string, name: string): string | null {
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) return null;
  let store: Store | undefined;
  try {
    store = openStore(dataDir);
    store.db.pragma('busy_timeout = 250');
    return findServer(store.db, name)?.id ?? null;
  } catch {
    return null;
  } finally {
    store?.close();
  }
}
