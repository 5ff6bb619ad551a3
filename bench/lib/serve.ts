// Starts `mcp-warden serve` on a free loopback port for a benchmark, with an API key made through
// the CLI (as a user would), and stops it. The CLI must be built (`npm run build:cli`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'mcp-warden.mjs');

export interface Served {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  key: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startServe(home: string, fakeHome: string): Promise<Served> {
  mkdirSync(fakeHome, { recursive: true });
  const env = { ...process.env, HOME: fakeHome, XDG_CONFIG_HOME: path.join(fakeHome, '.config'), MCP_WARDEN_HOME: home };
  const created = spawnSync(process.execPath, [bin, 'api-key', 'create', '--name', 'bench', '--json'], { env, encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`api-key create failed: ${created.stderr}`);
  const { key } = JSON.parse(created.stdout) as { key: string };

  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(https?:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(out);
      if (match !== null) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${out}`)));
  });
  return {
    origin,
    key,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
