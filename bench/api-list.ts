// REST list throughput: `GET /api/v1/mcp-servers` (first page of 100) with 10,000 servers registered,
// under autocannon with 20 connections for 10 s against a real `mcp-warden serve`, beside the same
// load on a bare node:http server (its own process) answering the same page's bytes, pre-serialised,
// same run. Goal: at least 0.5x the bare server's requests per second. Also reported: pages at random
// offsets, which miss serve's response cache, to show the uncached cost.
// Run: node bench/api-list.ts [servers] [seconds]   (after npm run build:cli)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { registerServer } from '../core/registry/register.ts';
import { openStore } from '../core/store/database.ts';
import { startServe } from './lib/serve.ts';
import { machine, round } from './lib/stats.ts';

const COUNT = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 10);
const CONNECTIONS = 20;
const PATH = '/api/v1/mcp-servers?limit=100';
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-api-'));
const home = path.join(root, 'data');
const fakeHome = path.join(root, 'home');

async function load(url: string, headers: Record<string, string>, seconds: number, randomOffset = false) {
  // Pages at random offsets: nearly every request misses the server's response cache (256 entries).
  const requests = randomOffset ? [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: `${PATH}&offset=${Math.floor(Math.random() * (COUNT - 100))}` }) }] : undefined;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers, ...(requests ? { requests } : {}) });
  return {
    requests_per_s: round(result.requests.average, 1),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    requests: result.requests.total,
    errors: result.errors,
    non_2xx: result.non2xx,
  };
}

const served = { stop: async () => {} };
let bare: ReturnType<typeof spawn> | undefined;
try {
  const store = openStore(home);
  const ctx = { cwd: root, env: process.env };
  for (let i = 0; i < COUNT; i++) {
    const name = `server-${String(i).padStart(5, '0')}`;
    registerServer(
      store,
      i % 2 === 0
        ? { name, transport: 'stdio', command: process.execPath, args: ['server.js', `--port=${i}`], env_template: [{ key: 'LOG_LEVEL', value: 'info' }], capabilities: ['read', 'write'], description: `Benchmark server ${i}` }
        : { name, transport: 'http', url: `https://mcp${i}.example.com/mcp`, headers: { 'X-Team': 'bench' }, description: `Benchmark server ${i}` },
      ctx,
    );
  }
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();

  const warden = await startServe(home, fakeHome);
  served.stop = warden.stop;
  const auth = { authorization: `Bearer ${warden.key}` };
  const page = await fetch(`${warden.origin}${PATH}`, { headers: auth });
  const bytes = Buffer.from(await page.arrayBuffer());
  const parsed = JSON.parse(bytes.toString()) as { items: unknown[]; total: number };
  if (page.status !== 200 || parsed.items.length !== 100 || parsed.total !== COUNT) throw new Error(`unexpected first page: ${page.status}, ${parsed.items.length} items of ${parsed.total}`);
  const pageFile = path.join(root, 'page.json');
  writeFileSync(pageFile, bytes);

  bare = spawn(process.execPath, [path.join(import.meta.dirname, 'lib', 'bare-http.mjs'), pageFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const barePort = await new Promise<string>((resolve) => bare?.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())));

  // Warm both (JIT, statement caches), then measure each for the full duration.
  await load(`${warden.origin}${PATH}`, auth, 2);
  await load(`http://127.0.0.1:${barePort}${PATH}`, {}, 2);
  const api = await load(`${warden.origin}${PATH}`, auth, SECONDS);
  const baseline = await load(`http://127.0.0.1:${barePort}${PATH}`, {}, SECONDS);
  const uncached = await load(`${warden.origin}${PATH}`, auth, SECONDS, true);
  const ratio = api.requests_per_s / baseline.requests_per_s;
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: 'api-list',
        servers: COUNT,
        request: `GET ${PATH} with a bearer key`,
        page_bytes: bytes.length,
        load: { tool: 'autocannon', connections: CONNECTIONS, seconds: SECONDS },
        api,
        baseline: { what: 'bare node:http answering the same pre-serialised page', ...baseline },
        ratio: round(ratio, 3),
        // Not the goal's figure: what the page costs when the response cache cannot help.
        api_uncached: { what: 'pages of 100 at random offsets (cache misses)', ...uncached, ratio: round(uncached.requests_per_s / baseline.requests_per_s, 3) },
        goal: { min_ratio: 0.5 },
        meets_goal: ratio >= 0.5 && api.errors === 0 && api.non_2xx === 0,
        machine: machine(),
      },
      null,
      2,
    )}\n`,
  );
} finally {
  bare?.kill('SIGTERM');
  await served.stop();
  rmSync(root, { recursive: true, force: true });
}
