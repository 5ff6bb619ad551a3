// REST registration latency: 2,000 `POST /api/v1/mcp-servers` against a real `mcp-warden serve`, one
// after another on a keep-alive connection, in the dashboards' shape (a third each: stdio with a
// command, an http URL, declared by name and capabilities only). Beside it, same run: the HTTP floor
// (`GET /api/v1/health` on the same connection) and the engine alone (registerFromRequest in this
// process, on its own data directory). Goal: p99 under 10 ms.
// Run: node bench/api-register.ts [count]   (after npm run build:cli)
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { registerFromRequest } from '../core/registry/api-register.ts';
import { openStore } from '../core/store/database.ts';
import { latencySummary } from './lib/percentiles.ts';
import { startServe } from './lib/serve.ts';
import { machine } from './lib/stats.ts';

const COUNT = Number(process.argv[2] ?? 2_000);
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-register-'));
const fakeHome = path.join(root, 'home');

function body(i: number): Record<string, unknown> {
  const name = `bench-${String(i).padStart(5, '0')}`;
  const common = { name, display_name: `Bench ${i}`, capabilities: ['read_file', 'write_file'], description: `Benchmark server ${i}` };
  if (i % 3 === 0) return { ...common, server_url: `stdio://${name}`, command: process.execPath, args: ['server.js', `--port=${i}`], env_template: { LOG_LEVEL: 'info' } };
  if (i % 3 === 1) return { ...common, server_url: `https://mcp${i}.example.com/mcp` };
  return { ...common, server_url: `stdio://${name}` };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(origin: string, key: string, method: string, route: string, payload?: unknown): Promise<{ status: number; ms: number }> {
  const data = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${route}`, { method, agent, headers: { authorization: `Bearer ${key}`, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

let stop = async () => {};
try {
  const served = await startServe(path.join(root, 'data'), fakeHome);
  stop = served.stop;
  const health: number[] = [];
  const api: number[] = [];
  for (let i = 0; i < 50; i++) await send(served.origin, served.key, 'GET', '/api/v1/health');
  for (let i = 0; i < COUNT; i++) {
    const r = await send(served.origin, served.key, 'POST', '/api/v1/mcp-servers', body(i));
    if (r.status !== 201) throw new Error(`registration ${i} answered ${r.status}`);
    api.push(r.ms);
    health.push((await send(served.origin, served.key, 'GET', '/api/v1/health')).ms);
  }

  const store = openStore(path.join(root, 'engine'));
  const engine: number[] = [];
  const where = { platform: process.platform, env: { HOME: fakeHome } as Record<string, string | undefined>, homedir: fakeHome };
  for (let i = 0; i < COUNT; i++) {
    const start = performance.now();
    registerFromRequest({ store, env: process.env, where }, body(i), { cwd: root, env: process.env });
    engine.push(performance.now() - start);
  }
  store.close();

  const summary = latencySummary(api);
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'api-register',
        registrations: COUNT,
        request: 'POST /api/v1/mcp-servers, sequential, keep-alive; a third stdio+command, http URL, declared',
        api: summary,
        baseline: { http_floor: { what: 'GET /api/v1/health on the same connection', ...latencySummary(health) }, engine: { what: 'registerFromRequest in-process, no HTTP', ...latencySummary(engine) } },
        goal: { max_p99_ms: 10 },
        meets_goal: summary.p99_ms < 10,
        machine: machine(),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  agent.destroy();
  await stop();
  rmSync(root, { recursive: true, force: true });
}
