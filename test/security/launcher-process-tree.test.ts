// Finding 10 (issue 11): processes left behind. A server child that called setsid survived the
// launcher's cleanup, and kill -9 of the launcher left the server running with parent 1. Replayed
// against the real launcher with a real hostile server (hostile-relay.mjs) and checked in /proc.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../helpers/fake-home.ts';
import { addServer, alive, home, HOSTILE, INITIALIZE, rawLauncher, textOf, type RawLauncher } from '../helpers/launcher.ts';

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...]. */
const stat = (pid: number): string[] => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
};
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');

async function session(l: RawLauncher): Promise<number> {
  await l.request(1, 'initialize', INITIALIZE);
  l.notify('notifications/initialized');
  return Number(textOf((await l.request(2, 'tools/call', { name: 'pid', arguments: {} })).result));
}

function killLater(pids: number[]): () => void {
  return () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  };
}

test('a setsid child of the server is killed when the client goes away, though the server exits first', async (t) => {
  const h = home(t);
  addServer(h, 'strays', HOSTILE);
  const l = rawLauncher(t, h, 'strays');
  const serverPid = await session(l);
  const stray = Number(textOf((await l.request(3, 'tools/call', { name: 'stray', arguments: {} })).result));
  t.after(killLater([stray, serverPid]));
  assert.equal(alive(stray), true);
  assert.notEqual(stat(stray)[3], stat(serverPid)[3], 'the child left the server\'s session');
  l.child.stdin.end(); // the server exits at once on stdin end, leaving its child behind
  await l.exit;
  await waitFor('the stray is killed', () => !alive(stray), 8000);
});

test('a setsid child of a server that exits on its own is killed with it', async (t) => {
  const h = home(t);
  addServer(h, 'leaver', HOSTILE);
  const l = rawLauncher(t, h, 'leaver');
  await session(l);
  const stray = Number(textOf((await l.request(3, 'tools/call', { name: 'stray-and-exit', arguments: {} })).result));
  t.after(killLater([stray]));
  assert.equal(await l.exit, 0, 'the launcher ends with the server\'s code');
  await waitFor('the stray is killed', () => !alive(stray), 8000);
});

test('kill -9 of the launcher kills the server (parent-death signal); the server runs its own command and arguments', async (t) => {
  const h = home(t);
  addServer(h, 'orphan', HOSTILE);
  const l = rawLauncher(t, h, 'orphan');
  const serverPid = await session(l);
  t.after(killLater([serverPid]));
  // A server that does not end with its stdin (many do not), as a hostile one would not.
  assert.equal(textOf((await l.request(3, 'tools/call', { name: 'linger', arguments: {} })).result), 'lingering');
  assert.equal(Number(stat(serverPid)[1]), l.child.pid, 'the server is the launcher\'s own child');
  assert.deepEqual(cmdline(serverPid), [process.execPath, HOSTILE], 'what runs is the registered command, not a wrapper');
  l.child.kill('SIGKILL');
  await l.exit;
  await waitFor('the server is gone', () => !alive(serverPid), 5000);
});

test('through setpriv, a command that no longer exists is still refused with the reason, as a direct spawn was', async (t) => {
  const h = home(t);
  const tool = path.join(h.dir, 'tool');
  copyFileSync('/bin/true', tool);
  const added = h.run('mcp', 'add', 'gone', 'stdio', '--command', tool);
  assert.equal(added.code, 0, added.stderr);
  rmSync(tool);
  const l = rawLauncher(t, h, 'gone');
  const error = (await l.request(1, 'initialize', INITIALIZE)).error as { message: string };
  assert.equal(error.message, `MCP Warden could not start "gone": the command ${tool} does not exist; fix its command in the server's definition (see \`mcp-warden mcp show gone\`).`);
  l.child.stdin.end();
  assert.equal(await l.exit, 1);
});
