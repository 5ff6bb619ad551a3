/**
 * Red team of issue 11, finding 1, on another reader of a file from a repository: `apply -f` reads a
 * manifest that usually comes with a cloned repository (the team's servers, applied by everyone who
 * clones it). It was read with readFileSync: a manifest that is a link to /dev/zero took `apply` past
 * 2.6 GB in 5 s, a FIFO hung it in open() for ever. Replayed on the built CLI: it must finish at once,
 * stay small, name what sits at the path, and change nothing.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { fakeHome } from '../helpers/fake-home.ts';
import { WatchedProcess } from '../helpers/watched-process.ts';

const MAX_RSS_MB = 300;

function setup(t: Parameters<typeof tempDir>[0]) {
  const fake = fakeHome(t);
  const data = tempDir(t, 'mcp-warden-data-');
  const repo = tempDir(t, 'mcp-warden-hostile-repo-');
  return { env: { ...fake.env, MCP_WARDEN_HOME: data }, repo };
}

async function apply(file: string, env: Record<string, string | undefined>, extra: string[] = []) {
  const run = await WatchedProcess.run(['apply', '-f', file, ...extra], { env, maxRssMb: MAX_RSS_MB, timeoutMs: 20_000 });
  assert.equal(run.process.killedFor, null, `apply was killed for ${run.process.killedFor} (peak ${run.process.peakMb} MiB)`);
  return run;
}

test('apply: a manifest that is a link to /dev/zero is refused in one sentence, without reading it', async (t) => {
  const { env, repo } = setup(t);
  const manifest = path.join(repo, 'mcp-warden.yaml');
  symlinkSync('/dev/zero', manifest);
  for (const extra of [['--dry-run'], []]) {
    const run = await apply(manifest, env, extra);
    assert.equal(run.code, 1);
    assert.ok(run.process.peakMb < MAX_RSS_MB, `peak RSS ${run.process.peakMb} MiB`);
    assert.equal(run.process.stderr, `mcp-warden: The manifest ${manifest} cannot be read: it is a link to /dev/zero, a character device, not a regular file.\n`);
  }
  // Nothing registered.
  assert.deepEqual(JSON.parse(cli(['mcp', 'list', '--json'], { env }).stdout), { servers: [] });
});

test('apply: a manifest that is a FIFO (no writer ever comes) is refused at once', async (t) => {
  const { env, repo } = setup(t);
  const manifest = path.join(repo, 'mcp-warden.yaml');
  execFileSync('mkfifo', [manifest]);
  const run = await apply(manifest, env);
  assert.equal(run.code, 1);
  assert.equal(run.process.stderr, `mcp-warden: The manifest ${manifest} cannot be read: it is a named pipe (FIFO), not a regular file.\n`);
});

test('apply: a missing manifest says so', async (t) => {
  const { env, repo } = setup(t);
  const manifest = path.join(repo, 'nope.yaml');
  const run = await apply(manifest, env);
  assert.equal(run.code, 1);
  assert.equal(run.process.stderr, `mcp-warden: The manifest ${manifest} does not exist.\n`);
  assert.equal(existsSync(manifest), false);
});
