/**
 * When the launcher does not start a server (attestation failed under block, a missing secret), the
 * client still gets an answer it can show: every request is answered with a JSON-RPC error carrying
 * the one sentence that says what failed and how to fix it, until the client closes stdin.
 */
const REFUSED = -32001;

export function refuseClient(stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, message: string): Promise<void> {
  return new Promise((resolve) => {
    let partial = '';
    const answer = (line: string): void => {
      let request: { id?: unknown; method?: unknown };
      try {
        request = JSON.parse(line) as { id?: unknown; method?: unknown };
      } catch {
        return;
      }
      // Notifications (no id) get no answer.
      if (request === null || typeof request !== 'object' || request.id === undefined || typeof request.method !== 'string') return;
      stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: REFUSED, message } })}\n`);
    };
    const onData = (chunk: Buffer | string): void => {
      partial += chunk.toString();
      let at = partial.indexOf('\n');
      while (at !== -1) {
        answer(partial.slice(0, at));
        partial = partial.slice(at + 1);
        at = partial.indexOf('\n');
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      if ('pause' in stdin && typeof stdin.pause === 'function') stdin.pause();
      resolve();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
  });
}
