/**
 * A real `mcp-warden run <name>` driven by hand over its stdio (JSON-RPC lines), for tests that must
 * control exactly when the client stops, closes stdin or kills the launcher.
 *
 *   const l = rawLauncher(home, 'echo');
 *   await l.initialize();
 *   await l.call('echo', { text: 'one' });
 *   await l.end();              // closes stdin, resolves with the exit code
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN } from './cli.ts';

export interface RawLauncher {
  child: ChildProcessWithoutNullStreams;
  initialize(): Promise<void>;
  /** One tools/call; resolves with the first text of its result. */
  call(tool: string, args: Record<string, unknown>): Promise<string>;
  /** Closes the launcher's stdin (the client going away) and resolves with its exit code. */
  end(): Promise<number | null>;
  exit: Promise<number | null>;
}

export function rawLauncher(home: string, name: string): RawLauncher {
  const child = spawn(process.execPath, [BIN, '--home', home, 'run', name], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map<number, { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  let buffer = '';
  let next = 0;
  child.stderr.resume();
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let at = buffer.indexOf('\n'); at !== -1; at = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, at)) as Record<string, unknown>;
      buffer = buffer.slice(at + 1);
      const id = message.id as number;
      waiting.get(id)?.resolve(message);
      waiting.delete(id);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => {
    for (const { reject } of waiting.values()) reject(new Error(`the launcher exited (${code ?? signal}) before answering`));
    waiting.clear();
    resolve(code);
  }));
  child.stdin.on('error', () => {}); // EPIPE once it is gone: the request is rejected on exit
  const request = (method: string, params: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  return {
    child,
    exit,
    async initialize() {
      await request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    },
    async call(tool, args) {
      const answer = await request('tools/call', { name: tool, arguments: args });
      const result = answer.result as { content?: { text?: string }[] } | undefined;
      if (result === undefined) throw new Error(`tools/call ${tool} failed: ${JSON.stringify(answer.error)}`);
      return result.content?.[0]?.text ?? '';
    },
    end() {
      child.stdin.end();
      return exit;
    },
  };
}
