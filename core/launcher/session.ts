/**
 * `mcp-warden run <name>`: one launch. Plans it (database, else launch cache), checks the
 * attestation under the server's policy, resolves secrets from the keychain in memory, starts the
 * server (no shell, the login shell's PATH, its own process group), relays stdin and stdout through
 * `LineRelay` with `Traffic` watching, lets stderr pass straight through, forwards signals, and
 * resolves with the server's exit code (128 + signal number when a signal ended it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { TOOL_CALL_EVENT, type ToolCallDetails } from '../api/launcher.ts';
import { ALERT_RULES } from '../alerts/rules.ts';
import { buildEnvironment, handlesIn, Redactor, resolveSecrets } from '../probe/environment.ts';
import { killProcessTree } from '../probe/kill-tree.ts';
import { OsKeychain } from '../secrets/keychain.ts';
import { EventSink, type LauncherEvent } from './event-writer.ts';
import { LineRelay } from './line-relay.ts';
import { cachedLoginPath } from './login-path-cache.ts';
import { planLaunch, type Launch } from './plan.ts';
import { Traffic, type PinnedTools } from './traffic.ts';
import { refuseClient } from './refusal.ts';

/** After the client closes stdin, how long the server has to exit on its own before its group is killed. */
export const STDIN_CLOSE_GRACE_MS = 2000;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunOptions {
  dataDir: string;
  name: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

export async function runLauncher(options: RunOptions): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const launch = await planLaunch(options.dataDir, options.name);
  const { plan } = launch;
  const server = plan.server;
  const sink = new EventSink(options.dataDir);
  const at = (): string => new Date().toISOString();
  const audit = (type: string, details: Record<string, unknown>): void => sink.push({ kind: 'audit', at: at(), event: { actor: 'system', type, server_id: server.id, details: { name: server.name, ...details } } });
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

  let child: ChildProcess;
  try {
    child = spawn(server.command as string, server.args, {
      cwd: server.cwd ?? undefined,
      env,
      shell: false,
      // Its own process group: signals and the final kill reach everything it started.
      detached: process.platform !== 'win32',
      windowsHide: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
  } catch (error) {
    return refuse('spawn_failed', `MCP Warden could not start "${server.name}" (${(error as Error).message}): check its command with \`mcp-warden mcp show ${server.name}\`.`);
  }
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  if (spawned !== null) {
    return refuse('spawn_failed', `MCP Warden could not start "${server.name}": ${server.command} ${(spawned as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `failed (${spawned.message})`}; fix its command in the server's definition.`);
  }

  if (v.state === 'failed') audit('launcher.started_unattested', { what: v.what });
  const pinned: PinnedTools | null = plan.pinned_tools === null ? null : new Map(plan.pinned_tools.map(([name, sha256, definition]) => [name, { sha256, definition }]));
  const childIn = child.stdin as NodeJS.WritableStream & { destroyed?: boolean };
  const childOut = child.stdout as NodeJS.ReadableStream;
  const toClient = (bytes: Buffer): void => {
    stdout.write(bytes);
  };
  const traffic = new Traffic({
    serverName: server.name,
    pinned,
    capabilities: server.capabilities,
    undeclaredPolicy: plan.policies.undeclared,
    redactor,
    answerClient: toClient,
    onToolCall: (details: ToolCallDetails) => sink.push({ kind: 'audit', at: at(), event: { actor: 'system', type: TOOL_CALL_EVENT, server_id: server.id, details: { ...details } } }),
    onUndeclared: (tool, blocked) => {
      const shown = redactor.text(tool);
      const event: LauncherEvent = {
        kind: 'alert',
        at: at(),
        condition: {
          type: 'undeclared_tool_used',
          title: ALERT_RULES.undeclared_tool_used.title({ server: server.name, client: traffic.client ?? '', file: '', count: 1, detail: shown }),
          dedup_key: `undeclared_tool_used:${server.id}:${shown}`,
          server_id: server.id,
          agent_id: null,
          details: { tool: shown, blocked, client: traffic.client, declared: server.capabilities, pinned: pinned === null ? null : [...pinned.keys()] },
        },
      };
      sink.push(event);
    },
    onToolsDrift: (tools) => sink.push({ kind: 'tools_drift', at: at(), server_id: server.id, tools }),
  });
  const up = new LineRelay((bytes) => {
    if (!childIn.destroyed) childIn.write(bytes);
  }, traffic.fromClient);
  const down = new LineRelay(toClient, traffic.fromServer);

  childOut.on('data', (chunk: Buffer) => down.push(chunk));
  const drained = new Promise<void>((resolve) => {
    childOut.on('end', () => {
      down.end();
      resolve();
    });
    childOut.on('error', () => resolve());
  });
  (child.stdin as NodeJS.WritableStream).on('error', () => {}); // EPIPE once the server is gone
  stdout.on('error', () => {}); // the client is gone: its stdin close ends the session

  let graceTimer: NodeJS.Timeout | undefined;
  const onInput = (chunk: Buffer): void => up.push(chunk);
  const onInputEnd = (): void => {
    up.end();
    childIn.end();
    // The client is gone: the server gets a moment to exit on its own, then its group is killed.
    graceTimer = setTimeout(() => void killProcessTree(child.pid as number, { graceMs: 1000 }), STDIN_CLOSE_GRACE_MS);
    graceTimer.unref();
  };
  stdin.on('data', onInput);
  stdin.on('end', onInputEnd);
  stdin.on('error', onInputEnd);

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

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  // Its last answers still in the pipe reach the client (unless something it left behind holds the pipe open).
  await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 300).unref())]);
  // Whatever the server started and left behind in its group goes with it.
  if (process.platform !== 'win32') await killProcessTree(child.pid as number, { graceMs: 500 });
  if (graceTimer !== undefined) clearTimeout(graceTimer);
  for (const [name, handler] of handlers) process.off(name, handler);
  stdin.off('data', onInput);
  stdin.off('end', onInputEnd);
  if ('pause' in stdin && typeof stdin.pause === 'function') stdin.pause();
  await sink.close();
  return code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0));
}
