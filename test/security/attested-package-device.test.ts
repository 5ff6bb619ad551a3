/**
 * Red team of issue 11, finding 1, on another reader of files a repository decides: measuring an
 * `npx` server (attest, verify, and the re-verify at every scan and launch of an attested server)
 * reads the package.json of the package in a node_modules above the server's working directory, and
 * lockfiles in every folder up to the root. They were read with readFileSync: a package.json linked
 * to /dev/zero took `mcp verify` past 3 GB in 5 s; a FIFO at a lockfile in a parent folder (a shared
 * folder such as /tmp, where another user can put one) hung it for ever. Replayed on the built CLI:
 * it must finish, stay small, and report the measurement that no longer matches.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, tempDir } from '../helpers/cli.ts';
import { fakeHome } from '../helpers/fake-home.ts';
import { WatchedProcess } from '../helpers/watched-process.ts';

const MAX_RSS_MB = 300;

/** A repository with foo@1.0.0 installed in its node_modules, and an `npx -y foo@1.0.0` server run from it, attested. */
function attestedNpxServer(t: Parameters<typeof tempDir>[0]) {
  const fake = fakeHome(t);
  const env = { ...fake.env, MCP_WARDEN_HOME: tempDir(t, 'mcp-warden-data-') };
  const shared = tempDir(t, 'mcp-warden-shared-');
  const repo = path.join(shared, 'repo');
  const pkg = path.join(repo, 'node_modules', 'foo');
  mkdirSync(path.join(pkg, 'bin'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'foo', version: '1.0.0', bin: { foo: 'bin/foo.js' } }));
  writeFileSync(path.join(pkg, 'bin', 'foo.js'), 'process.stdin.resume();\n');
  // The launch is measured, never run: a stand-in for npx is enough.
  const npx = path.join(shared, 'npx');
  writeFileSync(npx, '#!/bin/sh\nexit 0\n');
  chmodSync(npx, 0o755);
  assert.equal(cli(['mcp', 'add', 'foo', 'stdio', '--command', npx, '--args', '-y,foo@1.0.0', '--cwd', repo], { env }).code, 0);
  const attest = cli(['mcp', 'attest', 'foo', '--json'], { env });
  assert.equal(attest.code, 0, attest.stderr);
  const statement = (JSON.parse(attest.stdout) as { attestation: { statement: { package: { version: string; dir: string } } } }).attestation.statement;
  assert.equal(statement.package.version, '1.0.0');
  assert.equal(statement.package.dir, pkg);
  return { env, shared, pkg };
}

async function verify(env: Record<string, string | undefined>) {
  const run = await WatchedProcess.run(['mcp', 'verify', 'foo'], { env, maxRssMb: MAX_RSS_MB, timeoutMs: 20_000 });
  assert.equal(run.process.killedFor, null, `verify was killed for ${run.process.killedFor} (peak ${run.process.peakMb} MiB)`);
  assert.ok(run.process.peakMb < MAX_RSS_MB, `peak RSS ${run.process.peakMb} MiB`);
  return run;
}

test('verify: the package.json of an attested npx server replaced by a link to /dev/zero is a failed attestation, not read', async (t) => {
  const { env, pkg } = attestedNpxServer(t);
  rmSync(path.join(pkg, 'package.json'));
  symlinkSync('/dev/zero', path.join(pkg, 'package.json'));
  const run = await verify(env);
  assert.equal(run.code, 1);
  assert.match(run.process.stdout, /attestation 1 FAILED: package foo version changed \(1\.0\.0 -> null\)/);
});

test('verify: a FIFO at a lockfile in a parent folder (another user\'s, in a shared folder) is skipped at once', async (t) => {
  const { env, shared } = attestedNpxServer(t);
  execFileSync('mkfifo', ['-m', '666', path.join(shared, 'package-lock.json')]);
  const run = await verify(env);
  // The package is as attested; only its integrity, from no lockfile, was and is unknown.
  assert.equal(run.code, 0, run.process.stdout + run.process.stderr);
  assert.match(run.process.stdout, /^✓ foo: matches attestation 1$/m);
});
