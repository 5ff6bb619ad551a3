// Probe all: 20 stdio servers registered with the CLI in a temp data dir (5 x server-everything,
// 5 x server-memory, 5 x server-filesystem each on its own temp root, 5 x the well-behaved test
// fixture; all `process.execPath <bin js>`), then `mcp-warden mcp probe --all --json` (default
// concurrency 4): wall time, with all 20 probes checked ok. Baseline, same run, interleaved: a bare
// SDK client script (lib/sequential-probe.mjs) probing the same 20 one after another, under GNU time
// for the CPU of the client and every server. Each figure is the median of RUNS rounds.
// Goal: probe --all <= 0.4 x the sequential baseline. As 20 server start-ups on few cores are mostly
// CPU, the goal may be out of reach on a small machine: the report also gives the bound a parallel
// prober can reach there, 1.5 x (slowest single probe + total CPU / cores), and whether it is met.
// Run: node bench/probe-all.ts   (after npm run build:cli)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binOf } from '../test/probe/helpers.ts';
import { machine, median, round } from './lib/stats.ts';

const RUNS = 3;
const PER_KIND = 5;
const RATIO_GOAL = 0.4;
const here = import.meta.dirname;
const repo = path.resolve(here, '..');
const bin = path.join(repo, 'bin', 'mcp-warden.mjs');
const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-probe-'));
const home = path.join(root, 'data');
const GNU_TIME = '/usr/bin/time';

interface Spec {
  name: string;
  args: string[];
  env: Record<string, string>;
}

interface Timed {
  ms: number;
  cpuS: number;
  stdout: string;
  status: number | null;
}

/** Runs a command under GNU time: wall ms, and user + system CPU s of it and its waited-for children. */
function timed(command: string, args: string[]): Timed {
  const cpuFile = path.join(root, 'cpu');
  const start = performance.now();
  const run = spawnSync(GNU_TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args], { maxBuffer: 1 << 28, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - start;
  if (run.error) throw run.error;
  // GNU time writes "Command exited with non-zero status N" before the figures when it fails.
  const figures = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1) ?? '';
  const [user, sys] = figures.split(' ').map(Number);
  if (!Number.isFinite(user) || !Number.isFinite(sys)) throw new Error(`Cannot read GNU time's output: ${figures}`);
  if (run.status !== 0 && run.stdout.trim() === '') throw new Error(`${command} ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return { ms, cpuS: (user as number) + (sys as number), stdout: run.stdout, status: run.status };
}

function cli(...args: string[]): string {
  const run = spawnSync(process.execPath, [bin, '--home', home, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`mcp-warden ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

try {
  if (spawnSync(GNU_TIME, ['--version']).status !== 0) throw new Error(`${GNU_TIME} (GNU time) is needed: apt-get install time.`);
  const bins = {
    everything: binOf('@modelcontextprotocol/server-everything'),
    memory: binOf('@modelcontextprotocol/server-memory'),
    filesystem: binOf('@modelcontextprotocol/server-filesystem'),
    fixture: path.join(repo, 'test', 'fixtures', 'servers', 'well-behaved.mjs'),
  };
  const specs: Spec[] = [];
  for (let i = 0; i < PER_KIND; i++) {
    specs.push({ name: `everything-${i}`, args: [bins.everything], env: {} });
    specs.push({ name: `memory-${i}`, args: [bins.memory], env: { MEMORY_FILE_PATH: path.join(root, `memory-${i}.jsonl`) } });
    const fsRoot = path.join(root, `fs-root-${i}`);
    mkdirSync(fsRoot);
    writeFileSync(path.join(fsRoot, 'notes.txt'), `root ${i}\n`);
    specs.push({ name: `filesystem-${i}`, args: [bins.filesystem, fsRoot], env: {} });
    specs.push({ name: `fixture-${i}`, args: [bins.fixture], env: {} });
  }
  for (const s of specs) {
    cli('mcp', 'add', s.name, 'stdio', '--command', process.execPath, ...s.args.flatMap((a) => ['--arg', a]), ...Object.entries(s.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]));
  }
  const registered = JSON.parse(cli('mcp', 'list', '--json')) as { servers: unknown[] };
  if (registered.servers.length !== specs.length) throw new Error(`Expected ${specs.length} registered servers, found ${registered.servers.length}.`);

  const serversFile = path.join(root, 'servers.json');
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.homedir() };
  writeFileSync(serversFile, JSON.stringify(specs.map((s) => ({ name: s.name, command: process.execPath, args: s.args, env: { ...baseEnv, ...s.env } }))));
  const sequentialArgs = [path.join(here, 'lib', 'sequential-probe.mjs'), serversFile];
  const probeArgs = [bin, '--home', home, 'mcp', 'probe', '--all', '--json'];

  type ProbeOut = { probes: { name: string; ok: boolean; duration_ms: number; category?: string; message?: string }[] };
  type SeqOut = { total_ms: number; probes: { name: string; ok: boolean; ms: number; error?: string }[] };
  const runProbeAll = () => {
    const run = timed(process.execPath, probeArgs);
    const out = JSON.parse(run.stdout) as ProbeOut;
    const failed = out.probes.filter((p) => !p.ok);
    if (run.status !== 0 || out.probes.length !== specs.length || failed.length > 0) {
      throw new Error(`probe --all: ${out.probes.length} results, ${failed.length} failed: ${JSON.stringify(failed).slice(0, 1000)}`);
    }
    return { ms: run.ms, cpuS: run.cpuS, maxDuration: Math.max(...out.probes.map((p) => p.duration_ms)), sumDuration: out.probes.reduce((a, p) => a + p.duration_ms, 0) };
  };
  const runSequential = () => {
    const run = timed(process.execPath, sequentialArgs);
    const out = JSON.parse(run.stdout) as SeqOut;
    const failed = out.probes.filter((p) => !p.ok);
    if (run.status !== 0 || out.probes.length !== specs.length || failed.length > 0) throw new Error(`sequential baseline: ${failed.length} failed: ${JSON.stringify(failed).slice(0, 1000)}`);
    const byKind = new Map<string, number[]>();
    for (const p of out.probes) {
      const kind = p.name.replace(/-\d+$/, '');
      byKind.set(kind, [...(byKind.get(kind) ?? []), p.ms]);
    }
    return { ms: run.ms, cpuS: run.cpuS, probesMs: out.total_ms, slowest: Math.max(...out.probes.map((p) => p.ms)), byKind };
  };

  // Warm-up, not counted: the first run fills the page cache and V8's compile cache, as on any machine that has run these before.
  runSequential();
  runProbeAll();
  const all: ReturnType<typeof runProbeAll>[] = [];
  const seq: ReturnType<typeof runSequential>[] = [];
  for (let i = 0; i < RUNS; i++) {
    seq.push(runSequential());
    all.push(runProbeAll());
  }

  const cores = os.availableParallelism();
  const probeAllMs = median(all.map((r) => r.ms));
  const sequentialMs = median(seq.map((r) => r.ms));
  const slowestMs = median(seq.map((r) => r.slowest));
  const cpuS = median(seq.map((r) => r.cpuS));
  const cpuMinimumMs = (cpuS * 1000) / cores;
  const bound = 1.5 * (slowestMs + cpuMinimumMs);
  const ratio = probeAllMs / sequentialMs;
  const kinds = [...(seq[0]?.byKind.keys() ?? [])];
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'probe-all',
      servers: specs.length,
      servers_by_kind: Object.fromEntries(kinds.map((k) => [k, PER_KIND])),
      runs: RUNS,
      probe_all: {
        command: 'mcp-warden mcp probe --all --json (probe-concurrency 4)',
        median_ms: round(probeAllMs),
        runs_ms: all.map((r) => round(r.ms)),
        cpu_s: round(median(all.map((r) => r.cpuS))),
        slowest_probe_duration_ms: round(median(all.map((r) => r.maxDuration))),
        sum_probe_durations_ms: round(median(all.map((r) => r.sumDuration))),
        all_ok: true,
      },
      baseline: {
        command: 'bare SDK Client + StdioClientTransport, the same 20 one after another (bench/lib/sequential-probe.mjs)',
        median_ms: round(sequentialMs),
        runs_ms: seq.map((r) => round(r.ms)),
        probes_only_ms: round(median(seq.map((r) => r.probesMs))),
        cpu_s: round(cpuS),
        median_probe_ms_by_kind: Object.fromEntries(kinds.map((k) => [k, round(median(seq.map((r) => median(r.byKind.get(k) ?? []))))])),
        all_ok: true,
      },
      probe_all_ms: round(probeAllMs),
      sequential_ms: round(sequentialMs),
      ratio: round(ratio, 3),
      slowest_single_ms: round(slowestMs),
      total_cpu_s: round(cpuS),
      cores,
      cpu_bound_minimum_ms: round(cpuMinimumMs),
      parallel_bound_ms: round(bound),
      under_parallel_bound: probeAllMs <= bound,
      goal: { max_ratio: RATIO_GOAL, parallel_bound: '1.5 x (slowest_single_ms + cpu_bound_minimum_ms)' },
      meets_goal: ratio <= RATIO_GOAL,
      machine: machine(),
    }, null, 2)}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
