// Verify all: 20 stdio servers (`process.execPath <script>`, each script a distinct temp file the
// size of a real server's entry file) and 2 http servers, registered, approved and attested with the
// CLI in a temp data dir, then `mcp-warden mcp verify --all --json` when nothing changed: wall time,
// median of RUNS, every run checked to report all 22 ok. Baseline, same run, interleaved:
// `mcp-warden mcp list --json` on the same data dir (process start + opening the store).
// Then two single runs: after one script's mtime is moved (same content: it must still verify ok,
// with that one file re-hashed) and after another script's content changed (that server, and only
// it, must fail). Goal: verify --all median under 1000 ms, and both single runs as expected.
// Attesting signs with the device key in the OS keychain: on Linux this re-runs itself inside a
// private D-Bus session (dbus-run-session) with a throwaway unlocked gnome-keyring, as npm test does.
// Run: node bench/verify-all.ts   (after npm run build:cli)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { binOf } from '../test/probe/helpers.ts';
import { inKeychainSession } from './lib/keychain-session.ts';
import { machine, median, round } from './lib/stats.ts';

// Before anything else: outside the keychain session this re-runs the benchmark inside one.
const keyring = await inKeychainSession(import.meta.url, 'verify-all');

const RUNS = 5;
const STDIO = 20;
const HTTP = 2;
const GOAL_MS = 1000;
const here = import.meta.dirname;
const repo = path.resolve(here, '..');
const bin = path.join(repo, 'bin', 'mcp-warden.mjs');

interface Verification {
  ok: boolean;
  name: string;
  differences: { field: string }[];
  hashes: { cached: number; read: number };
}

const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-verify-'));
const home = path.join(root, 'data');

function cli(...args: string[]): string {
  const run = spawnSync(process.execPath, [bin, '--home', home, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`mcp-warden ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/** One `verify --all --json`: wall time and its verdicts (exit code 1 when a server failed). */
function verifyAll(): { ms: number; status: number | null; results: Verification[] } {
  const start = performance.now();
  const run = spawnSync(process.execPath, [bin, '--home', home, 'mcp', 'verify', '--all', '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (run.stdout.trim() === '') throw new Error(`mcp verify --all failed (${run.status}): ${run.stderr}`);
  return { ms, status: run.status, results: (JSON.parse(run.stdout) as { verifications: Verification[] }).verifications };
}

function listRun(): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, [bin, '--home', home, 'mcp', 'list', '--json'], { maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`mcp list failed (${run.status}): ${run.stderr}`);
  return ms;
}

const hashTotals = (results: Verification[]) => ({
  cached: results.reduce((a, r) => a + r.hashes.cached, 0),
  read: results.reduce((a, r) => a + r.hashes.read, 0),
});

try {
  // Each script: a real server's entry file with its own first line, so every hash differs.
  const template = readFileSync(binOf('@modelcontextprotocol/server-memory'), 'utf8');
  const scripts: string[] = [];
  mkdirSync(path.join(root, 'servers'));
  const names: string[] = [];
  for (let i = 0; i < STDIO; i++) {
    const script = path.join(root, 'servers', `server-${i}.mjs`);
    writeFileSync(script, `// bench server ${i}\n${template}`);
    scripts.push(script);
    const name = `stdio-${String(i).padStart(2, '0')}`;
    names.push(name);
    cli('mcp', 'add', name, 'stdio', '--command', process.execPath, '--arg', script, '--env', `BENCH_INDEX=${i}`);
  }
  for (let i = 0; i < HTTP; i++) {
    const name = `http-${i}`;
    names.push(name);
    cli('mcp', 'add', name, 'http', '--url', `https://mcp${i}.example.com/mcp`, '--header', 'X-Team=bench');
  }
  for (const name of names) {
    cli('mcp', 'approve', name);
    cli('mcp', 'attest', name, '--json');
  }
  const total = names.length;

  const checkAllOk = (run: ReturnType<typeof verifyAll>, what: string): void => {
    const failed = run.results.filter((r) => !r.ok);
    if (run.status !== 0 || run.results.length !== total || failed.length > 0) {
      throw new Error(`${what}: ${run.results.length} verifications, ${failed.length} failed: ${JSON.stringify(failed.map((f) => ({ name: f.name, differences: f.differences }))).slice(0, 1000)}`);
    }
  };

  // First verify after attesting, reported apart: it may still fill the hash cache.
  const first = verifyAll();
  checkAllOk(first, 'first verify');
  listRun();
  const verifyMs: number[] = [];
  const listMs: number[] = [];
  let steadyHashes = { cached: 0, read: 0 };
  for (let i = 0; i < RUNS; i++) {
    listMs.push(listRun());
    const run = verifyAll();
    checkAllOk(run, `verify run ${i + 1}`);
    verifyMs.push(run.ms);
    steadyHashes = hashTotals(run.results);
  }

  // Touch, as `touch` does: same bytes, mtime (and so ctime) now: the cache misses, the file is hashed again, all ok.
  const touchedIndex = 3;
  const touchedFile = scripts[touchedIndex] as string;
  const before = statSync(touchedFile).mtimeMs;
  const now = new Date();
  utimesSync(touchedFile, now, now);
  if (statSync(touchedFile).mtimeMs === before) throw new Error('Touching the script did not move its mtime.');
  const touched = verifyAll();
  const rehashed = (run: ReturnType<typeof verifyAll>) => run.results.filter((r) => r.hashes.read > 0).map((r) => r.name);
  const touchedOk = touched.status === 0 && touched.results.length === total && touched.results.every((r) => r.ok);

  // Change: one byte of another script differs: that server fails on its script hash, no other.
  const changedIndex = 11;
  const changedFile = scripts[changedIndex] as string;
  writeFileSync(changedFile, readFileSync(changedFile, 'utf8').replace(`// bench server ${changedIndex}\n`, `// bench server ${changedIndex}!\n`));
  const changed = verifyAll();
  const changedFailed = changed.results.filter((r) => !r.ok);
  const changedOk =
    changed.status === 1 &&
    changed.results.length === total &&
    changedFailed.length === 1 &&
    changedFailed[0]?.name === names[changedIndex] &&
    changedFailed[0]?.differences.some((d) => d.field === 'script.sha256') === true;

  const med = median(verifyMs);
  const listMed = median(listMs);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'verify-all',
      servers: { stdio: STDIO, http: HTTP, attested: total },
      verify: {
        command: 'mcp-warden mcp verify --all --json (nothing changed)',
        runs: RUNS,
        median_ms: round(med),
        min_ms: round(Math.min(...verifyMs)),
        max_ms: round(Math.max(...verifyMs)),
        runs_ms: verifyMs.map((ms) => round(ms)),
        all_ok: true,
        hashes_per_run: steadyHashes,
        first_run_after_attest: { ms: round(first.ms), hashes: hashTotals(first.results) },
      },
      baseline: { command: 'mcp-warden mcp list --json (same data dir)', runs: RUNS, median_ms: round(listMed), min_ms: round(Math.min(...listMs)) },
      ratio_to_list: round(med / listMed),
      per_server_ms: round((med - listMed) / total),
      touched: {
        what: `${names[touchedIndex]}'s script touched (mtime now), content unchanged`,
        ms: round(touched.ms),
        ok: touched.results.filter((r) => r.ok).length,
        failed: touched.results.filter((r) => !r.ok).map((r) => r.name),
        rehashed: rehashed(touched),
        hashes: hashTotals(touched.results),
        as_expected: touchedOk,
      },
      changed: {
        what: `one byte of ${names[changedIndex]}'s script changed`,
        ms: round(changed.ms),
        ok: changed.results.filter((r) => r.ok).length,
        failed: changedFailed.map((r) => ({ name: r.name, fields: r.differences.map((d) => d.field) })),
        // The touched script is read again too while its mtime is under 2 s old (the hash cache's racy-file rule).
        rehashed: rehashed(changed),
        hashes: hashTotals(changed.results),
        as_expected: changedOk,
      },
      goal: { median_ms_under: GOAL_MS, touched_still_ok: true, changed_fails_alone: true },
      meets_goal: med < GOAL_MS && touchedOk && changedOk,
      machine: machine(),
    }, null, 2)}\n`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
  keyring?.stop();
}
