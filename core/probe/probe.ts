/**
 * Probing: start (or connect to) one registered MCP server, initialize, list what it offers, stop it.
 * Never throws for anything a server does: every way it can go wrong is a `ProbeFailure` with a
 * category and one sentence. See docs/probe.md for the decisions (environment, kill strategy, limits).
 */
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProbeFailure, ProbeResult } from '../api/probe.ts';
import type { ServerDefinition } from '../api/server.ts';
import type { Keychain } from '../secrets/keychain.ts';
import { isDirectory } from '../util/fs.ts';
import { WardenError } from '../api/errors.ts';
import { assertRunnable } from '../registry/runnable.ts';
import { consentRefusal, needsConsent } from './consent.ts';
import { buildEnvironment, DEFAULT_KILL_GRACE_MS, fillHandles, handlesIn, loginShellPath, Redactor, resolveSecrets } from '../process/index.ts';
import { bytes, duration, errorText, lastLine, ProbeStop, quote } from './failure.ts';
import { probeHttp } from './http.ts';
import { runSession, type SessionResult } from './session.ts';
import { ProcessTransport, type ProcessFault } from './stdio-transport.ts';

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_PAGES = 1000;
export const DEFAULT_CONCURRENCY = 4;

export interface ProbeOptions {
  /** Where `{{secret:NAME}}` handles are resolved (in memory, at launch). Without it any handle is missing. */
  keychain?: Keychain | undefined;
  /** Spawn or connect, then `initialize`, must finish within this (default 15 s; give more for a first `npx`). */
  connectTimeoutMs?: number | undefined;
  /** Each list request after that (default 10 s). */
  requestTimeoutMs?: number | undefined;
  /** Bytes the server may send over the whole probe: stdout for stdio, response bodies for HTTP (default 16 MiB). */
  maxBytes?: number | undefined;
  /** Pages per list before the server is judged to paginate without end (default 1000). */
  maxPages?: number | undefined;
  /** SIGTERM to SIGKILL, when stopping a stdio server's process group (default 1 s). */
  killGraceMs?: number | undefined;
  /** The PATH for stdio servers; default: the login shell's, asked once per process (`core/process/login-path.ts`). */
  loginPath?: string | undefined;
  /** The environment the safe keys (HOME, USER, LANG, ...) are taken from (default `process.env`). */
  parentEnv?: NodeJS.ProcessEnv | undefined;
  /**
   * When true (or true for that server), a `discovered` server is refused with `consent_required`
   * instead of being started (a `pending` one always is). A function lets one batch mix servers the
   * caller's policy admitted with ones it refused (core/reconcile/probe-policy.ts).
   */
  requireApproval?: boolean | ((def: ServerDefinition) => boolean) | undefined;
  /** Cancels the probe: the server is stopped and the result is a `failed` failure. */
  signal?: AbortSignal | undefined;
}

export type ProbeProgress =
  | { type: 'started'; index: number; total: number; server: ServerDefinition }
  | { type: 'finished'; index: number; total: number; server: ServerDefinition; result: ProbeResult; done: number };

export interface ProbeManyOptions extends ProbeOptions {
  /** Probes running at once (default 4). */
  concurrency?: number | undefined;
  /** Called as each probe starts and finishes; an exception it throws is ignored. */
  onProgress?: ((event: ProbeProgress) => void) | undefined;
}

/**
 * Probes one server. Resolves with a result for everything the server does; rejects only for a
 * declared server (a `conflict` WardenError: there is no launch to start yet).
 */
export async function probeServer(def: ServerDefinition, options: ProbeOptions = {}): Promise<ProbeResult> {
  assertRunnable(def);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  // A pending launch starts (or gets its secrets) only once a person confirmed it (the server is
  // approved then), whatever the caller asks: no path (probe --all, the setting `allow`) runs it before.
  const requireApproval = typeof options.requireApproval === 'function' ? options.requireApproval(def) : options.requireApproval === true;
  if (def.status === 'pending' || (requireApproval && needsConsent(def))) return consentRefusal(def);

  let redactor = new Redactor();
  let stderr = (): string => '';
  try {
    const texts = def.transport === 'stdio' ? def.env_template.map((v) => v.value) : Object.values(def.headers);
    const resolution = resolveSecrets(handlesIn(texts), options.keychain);
    if (!resolution.ok) {
      if ('missing' in resolution) throw missingSecrets(def, resolution.missing);
      throw new ProbeStop('failed', `Server "${def.name}" needs secrets from the keychain, which could not be read: ${resolution.unavailable.replace(/\.$/, '')}.`);
    }
    redactor = new Redactor(resolution.secrets);
    let session: SessionResult;
    if (def.transport === 'stdio') {
      const run = await probeStdio(def, resolution.secrets, options);
      stderr = run.stderr;
      if (run.stop !== undefined) throw run.stop;
      session = run.session as SessionResult;
    } else {
      session = await probeHttp({
        label: `Server "${def.name}"`,
        url: parseUrl(def),
        headers: Object.fromEntries(Object.entries(def.headers).map(([k, v]) => [k, fillHandles(v, resolution.secrets)])),
        transport: def.transport,
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
        maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
        signal: options.signal,
      });
    }
    return redactor.deep({ ...session, stderr: stderr(), duration_ms: elapsed() });
  } catch (error) {
    const stop =
      error instanceof ProbeStop ? error : new ProbeStop('failed', `Probing server "${def.name}" failed unexpectedly (${errorText(error)}).`);
    const failure: ProbeFailure = { ok: false, category: stop.category, message: stop.message, ...stop.details, stderr: stderr(), duration_ms: elapsed() };
    return redactor.deep(failure);
  }
}

/** Probes many servers, at most `concurrency` at once; one failure never stops the rest. Results follow input order. */
export async function probeMany(defs: readonly ServerDefinition[], options: ProbeManyOptions = {}): Promise<ProbeResult[]> {
  const { concurrency = DEFAULT_CONCURRENCY, onProgress, ...probeOptions } = options;
  const total = defs.length;
  const results: ProbeResult[] = new Array(total);
  let next = 0;
  let done = 0;
  const notify = (event: ProbeProgress): void => {
    try {
      onProgress?.(event);
    } catch {
      // a broken progress callback must not stop probing
    }
  };
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      const server = defs[index] as ServerDefinition;
      notify({ type: 'started', index, total, server });
      let result: ProbeResult;
      try {
        result = await probeServer(server, probeOptions);
      } catch (error) {
        const message = error instanceof WardenError ? error.message : `Probing server "${server.name}" failed unexpectedly (${errorText(error)}).`;
        result = { ok: false, category: 'failed', message, stderr: '', duration_ms: 0 };
      }
      results[index] = result;
      done += 1;
      notify({ type: 'finished', index, total, server, result, done });
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency) || 1, total));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

function missingSecrets(def: ServerDefinition, missing: readonly string[]): ProbeStop {
  const names = missing.map((name) => `"${name}"`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const noun = missing.length === 1 ? 'the secret' : 'the secrets';
  const verb = missing.length === 1 ? 'is' : 'are';
  const adds = missing.map((name) => `\`mcp-warden secrets add ${name}\``).join(', ');
  return new ProbeStop('secret_missing', `Server "${def.name}" needs ${noun} ${list}, which ${verb} not in the keychain, so it was not started: add ${missing.length === 1 ? 'it' : 'them'} with ${adds}.`);
}

function parseUrl(def: ServerDefinition): URL {
  if (def.url === null || def.url === '') throw new ProbeStop('failed', `Server "${def.name}" has no URL to connect to: edit its definition.`);
  let url: URL;
  try {
    url = new URL(def.url);
  } catch {
    throw new ProbeStop('failed', `The URL of server "${def.name}" is not a valid URL: edit its definition.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeStop('failed', `The URL of server "${def.name}" is not http or https (${url.protocol}): edit its definition.`);
  }
  return url;
}

interface StdioRun {
  session?: SessionResult;
  stop?: ProbeStop;
  stderr: () => string;
}

async function probeStdio(def: ServerDefinition, secrets: ReadonlyMap<string, string>, options: ProbeOptions): Promise<StdioRun> {
  const label = `Server "${def.name}"`;
  const command = def.command ?? '';
  if (command === '') return { stop: new ProbeStop('failed', `${label} has no command to start: edit its definition.`), stderr: () => '' };
  if (def.cwd !== null && def.cwd !== '' && !isDirectory(def.cwd)) {
    return { stop: new ProbeStop('not_found', `The working directory ${def.cwd} of server "${def.name}" does not exist: create it, or fix the cwd in the server's definition.`), stderr: () => '' };
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const env = buildEnvironment({
    path: options.loginPath ?? (await loginShellPath()),
    env_template: def.env_template,
    secrets,
    ...(options.parentEnv === undefined ? {} : { parentEnv: options.parentEnv }),
  });
  const transport = new ProcessTransport({
    command,
    args: def.args,
    cwd: def.cwd === null || def.cwd === '' ? undefined : def.cwd,
    env,
    maxBytes,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  });
  const fromFault = (fault: ProcessFault): ProbeStop => stopForFault(fault, def, transport, maxBytes);
  const fault = transport.fault.then(fromFault);
  try {
    const session = await runSession(transport, {
      label,
      connectTimeoutMs,
      requestTimeoutMs,
      maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
      signal: options.signal,
      fault,
      // An SDK error (EPIPE, "Connection closed") is usually the shadow of the process dying: wait a
      // moment for the exit to be reported, and report that instead.
      explain: async () => {
        const seen = transport.faulted ?? (await Promise.race([transport.fault, delay(500).then(() => undefined)]));
        return seen === undefined ? undefined : fromFault(seen);
      },
      timedOut: (step, ms) => {
        if (transport.oversizedLines > 0) {
          // The answer may have been one of them: say so rather than only that time ran out.
          return new ProbeStop(
            'too_much_output',
            `${label} did not answer ${step} within ${duration(ms)} and wrote ${transport.oversizedLines} line(s) on stdout longer than ${bytes(transport.maxLineBytes)}, which MCP Warden does not read (the first began ${JSON.stringify(transport.firstOversized ?? '')}): one MCP message that large is broken or hostile.`,
          );
        }
        if (step === 'initialize' && transport.messages === 0 && transport.invalidLines > 0) {
          return new ProbeStop(
            'protocol_error',
            `${label} wrote ${transport.invalidLines} line(s) on stdout that are not MCP JSON-RPC and never answered initialize (the first was ${JSON.stringify(transport.firstInvalid ?? '')}): check that its command starts an MCP server on stdio.`,
          );
        }
        return new ProbeStop(
          'timeout',
          step === 'initialize'
            ? `${label} did not answer initialize within ${duration(ms)}: check that its command starts an MCP server on stdio, or allow a longer connect timeout (a first npx run may still be downloading).`
            : `${label} did not answer ${step} within ${duration(ms)}: it may be hung, so MCP Warden stopped it.`,
        );
      },
    });
    return { session, stderr: () => transport.stderrText() };
  } catch (error) {
    return { stop: error instanceof ProbeStop ? error : new ProbeStop('failed', `Probing ${label.toLowerCase()} failed (${errorText(error)}).`), stderr: () => transport.stderrText() };
  } finally {
    // Before the result is returned, the server and everything it started are gone.
    await transport.close();
  }
}

function stopForFault(fault: ProcessFault, def: ServerDefinition, transport: ProcessTransport, maxBytes: number): ProbeStop {
  const command = def.command ?? '';
  const label = `Server "${def.name}"`;
  switch (fault.kind) {
    case 'spawn_error': {
      const code = fault.error.code;
      if (code === 'ENOENT') {
        if (existsSync(command)) {
          return new ProbeStop('not_found', `The command ${command} of server "${def.name}" exists but could not be started, because the interpreter on its #! line was not found: install that interpreter or fix the script.`);
        }
        return new ProbeStop('not_found', `The command ${command} of server "${def.name}" does not exist: install it, or fix the command in the server's definition.`);
      }
      if (code === 'EACCES') {
        return new ProbeStop('failed', `The command ${command} of server "${def.name}" is not executable: check its permissions, or fix the command in the server's definition.`);
      }
      return new ProbeStop('failed', `The command ${command} of server "${def.name}" could not be started (${errorText(fault.error)}).`);
    }
    case 'exited': {
      const how = fault.signal !== null ? `was killed by ${fault.signal}` : `exited with code ${fault.code}`;
      const when = transport.messages === 0 ? 'before answering initialize' : 'before the probe finished';
      const said = lastLine(transport.stderrText());
      const hint = transport.messages === 0 && transport.invalidLines > 0 ? ' (it printed text on stdout that is not MCP)' : '';
      const tail = said === undefined ? 'it wrote nothing to stderr; run its command in a terminal to see why' : `its stderr ends with ${quote(said)}`;
      return new ProbeStop('exited', `${label} ${how} ${when}${hint}: ${tail}.`, { exit_code: fault.code, signal: fault.signal });
    }
    case 'too_much_output':
      return new ProbeStop('too_much_output', `${label} wrote more than ${bytes(maxBytes)} on stdout, so MCP Warden cut it off and stopped it: a server this chatty is broken or hostile.`);
  }
}
