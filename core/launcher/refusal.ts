/**
 * When the launcher does not start a server (attestation failed under block, a missing secret, a
 * code-loading environment), the client still gets an answer it can show: every request is answered
 * with a JSON-RPC error carrying the one sentence that says what failed and how to fix it, until the
 * client closes stdin. Lines are bounded like the relay's, and a client that does not read its
 * answers is not read from until it does.
 */
import { MAX_LINE_BYTES, noteRead, Valve } from './flow.ts';
import { LineRelay } from './line-relay.ts';
import { idAtEdges } from './traffic.ts';

const REFUSED = -32001;

export function refuseClient(stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, message: string): Promise<void> {
  return new Promise((resolve) => {
    const valve = new Valve(stdin);
    const write = (bytes: Buffer): void => valve.wrote(stdout, stdout.write(bytes));
    const answer = (id: unknown): Buffer => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, error: { code: REFUSED, message } }));
    const relay = new LineRelay(write, {
      pick: () => true,
      take: (line) => {
        let request: { id?: unknown; method?: unknown };
        try {
          request = JSON.parse(line.toString('utf8')) as { id?: unknown; method?: unknown };
        } catch {
          return null;
        }
        // Notifications (no id) get no answer.
        if (request === null || typeof request !== 'object' || request.id === undefined || typeof request.method !== 'string') return null;
        return answer(request.id);
      },
    }, {
      maxLineBytes: MAX_LINE_BYTES,
      onOversized: ({ head, tail }) => {
        const id = idAtEdges(head, tail);
        if (id !== undefined) write(Buffer.concat([answer(id), Buffer.from('\n')]));
      },
    });
    const onData = (chunk: Buffer | string): void => {
      noteRead(chunk.length);
      relay.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    };
    const done = (): void => {
      stdin.off('data', onData);
      valve.close();
      if ('pause' in stdin && typeof stdin.pause === 'function') stdin.pause();
      resolve();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
    stdout.once('error', done);
  });
}
