// Starts `mcp-warden serve` on a free loopback port with the web UI for a browser benchmark: its own
// data directory and fake HOME, and the one-time login link it prints. The CLI must be built.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mcp-warden.mjs');

export interface ServedUi {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  loginUrl: string;
  stop(): Promise<void>;
}

export async function startServeUi(home: string, fakeHome: string): Promise<ServedUi> {
  mkdirSync(fakeHome, { recursive: true });
  const env = { ...process.env, HOME: fakeHome, XDG_CONFIG_HOME: path.join(fakeHome, '.config') };
  const child = spawn(process.execPath, [bin, '--home', home, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const { origin, loginUrl } = await new Promise<{ origin: string; loginUrl: string }>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const api = /^MCP Warden API on (https?:\/\/\S+)\/api\/v1$/m.exec(out);
      const login = /^Open the web UI: (\S+)$/m.exec(out);
      if (api !== null && login !== null) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ origin: api[1] as string, loginUrl: login[1] as string });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${out}`)));
  });
  return {
    origin,
    loginUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
