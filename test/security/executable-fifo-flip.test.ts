/**
 * Red team of issue 11, finding 1, on the executable hash: the scan hashes the executable of every
 * config entry it has not attached, and the hasher stat'ed the file and then opened it with a plain
 * blocking open(). A process that renames a FIFO and a regular file over a server's executable in turn
 * (a hostile server flipping its own file in the repository it runs from) lands the FIFO between the
 * stat and the open: the scan blocked in open() for ever (3 of 3 runs of a 3,000-entry `.mcp.json`
 * hung over 30 s; the watcher would be blind and deaf to SIGTERM). Replayed here against the built
 * CLI with the flipping process running: the scan must finish.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/cli.ts';
import { fakeHome } from '../helpers/fake-home.ts';
import { WatchedProcess } from '../helpers/watched-process.ts';

/** Renames a regular file and a FIFO over `<dir>/tool` in turn, as fast as it can (hard links make each swap one rename). */
const FLIPPER = `
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const dir = process.argv[1];
fs.writeFileSync(dir + '/.reg', '#!/bin/sh\\n', { mode: 0o755 });
execFileSync('mkfifo', ['-m', '755', dir + '/.fifo']);
for (let i = 0; ; i++) {
  fs.linkSync(i % 2 === 0 ? dir + '/.reg' : dir + '/.fifo', dir + '/.next');
  fs.renameSync(dir + '/.next', dir + '/tool');
}`;

const ENTRIES = 2000;

test('scan: a FIFO renamed over a server\'s executable between the stat and the open does not hang the scan', async (t) => {
  const fake = fakeHome(t);
  const env = { ...fake.env, MCP_WARDEN_HOME: tempDir(t, 'mcp-warden-data-') };
  const repo = tempDir(t, 'mcp-warden-hostile-repo-');
  // Each spelling of ./tool is its own command to the scan, so the one file is hashed once per entry.
  const servers = Object.fromEntries(Array.from({ length: ENTRIES }, (_, i) => [`s${i}`, { command: `./${'/'.repeat(i)}tool` }]));
  writeFileSync(path.join(repo, '.mcp.json'), JSON.stringify({ mcpServers: servers }));
  writeFileSync(path.join(fake.home, '.claude.json'), JSON.stringify({ projects: { [repo]: { mcpServers: {} } } }));

  const flipper = spawn(process.execPath, ['-e', FLIPPER, repo], { stdio: 'ignore' });
  t.after(() => flipper.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(flipper.exitCode, null, 'the flipping process runs');

  const run = await WatchedProcess.run(['scan', '--json'], { env, maxRssMb: 1000, timeoutMs: 60_000 });
  assert.equal(run.process.killedFor, null, `scan was killed for ${run.process.killedFor}: blocked in open() on the FIFO`);
  const json = JSON.parse(run.process.stdout) as { configs: { path: string; state: string; servers: unknown[] }[] };
  const project = json.configs.find((c) => c.path === path.join(repo, '.mcp.json'));
  assert.equal(project?.state, 'ok');
  assert.equal(project?.servers.length, ENTRIES);
  assert.equal(flipper.exitCode, null, 'the file kept flipping throughout');
  // Stopped here, not in an after hook: the repository folder is removed by an earlier-registered hook,
  // and a flipper still running would keep refilling it.
  const exited = once(flipper, 'exit');
  flipper.kill('SIGKILL');
  await exited;
});
