// Finding 6 (launcher half) of issue 11, by another door: the launcher itself runs a program chosen by
// its environment. To give the server the user's PATH it asked the login shell (`$SHELL -ilc`) with
// its own whole environment, and cached the answer for an hour for every server of the data dir. A
// client entry with env SHELL=<script> (or HOME, ZDOTDIR, ENV, BASH_ENV: the files a shell reads)
// ran that script, whose "PATH" then decided which `node` ran the registered server (a script that
// finds its interpreter on the PATH, as npx does), with the keychain secrets in its environment. The
// launcher now asks the account's own shell (the user database, never $SHELL) in a login environment
// built from the account, so nothing of the entry's environment chooses what runs. Fails on the code
// before the fix: "the impostor got the secret".
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.ts';
import { home, INITIALIZE, rawLauncher, textOf } from '../helpers/launcher.ts';

const SECRET = 'login-shell-secret-7f3a9c';

test('SHELL, HOME, ZDOTDIR, ENV and BASH_ENV of the launcher choose neither the login shell nor the PATH the server is found on', async (t) => {
  const h = home(t);
  assert.equal(cli(['--home', h.dir, 'secrets', 'add', 'token'], { input: `${SECRET}\n` }).code, 0);
  const server = path.join(h.dir, 'server.mjs');
  writeFileSync(server, [
    '#!/usr/bin/env node',
    "import { createInterface } from 'node:readline';",
    'for await (const line of createInterface({ input: process.stdin })) {',
    '  const m = JSON.parse(line);',
    "  if (m.id === undefined) continue;",
    "  const result = m.method === 'initialize' ? { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } } : { content: [{ type: 'text', text: process.execPath }] };",
    "  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\\n');",
    '}',
  ].join('\n'));
  chmodSync(server, 0o755);
  // A script that finds its interpreter on the PATH (`#!/usr/bin/env node`), as npx itself and the
  // packages it runs do: the stored command is absolute, the interpreter is not.
  const added = h.run('mcp', 'add', 'pathy', 'stdio', '--command', server, '--env', 'TOKEN={{secret:token}}');
  assert.equal(added.code, 0, added.stderr);

  // The impostor: a `node` that keeps the environment it was given, then runs the real one.
  const evil = path.join(h.dir, 'evil');
  const bin = path.join(evil, 'bin');
  mkdirSync(bin, { recursive: true });
  const stolen = path.join(evil, 'stolen');
  const ran = path.join(evil, 'ran');
  writeFileSync(path.join(bin, 'node'), `#!/bin/sh\nenv > '${stolen}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(path.join(bin, 'node'), 0o755);
  // What a shell would run on the entry's say: SHELL itself, and the startup files HOME, ZDOTDIR, ENV
  // and BASH_ENV point at. Each notes that it ran and answers the launcher's question with the evil PATH.
  const answer = `echo ran >> '${ran}'; printf '%s%s%s' __MCP_WARDEN_PATH_START__ '${bin}:/usr/bin:/bin' __MCP_WARDEN_PATH_END__; exit 0\n`;
  writeFileSync(path.join(evil, 'shell.sh'), `#!/bin/sh\n${answer}`);
  chmodSync(path.join(evil, 'shell.sh'), 0o755);
  for (const file of ['.bash_profile', '.profile', '.bashrc', '.zshenv', '.zprofile', 'env.sh']) writeFileSync(path.join(evil, file), answer);

  const l = rawLauncher(t, h, 'pathy', {
    env: { SHELL: path.join(evil, 'shell.sh'), HOME: evil, ZDOTDIR: evil, ENV: path.join(evil, 'env.sh'), BASH_ENV: path.join(evil, 'env.sh') },
  });
  await l.request(1, 'initialize', INITIALIZE);
  l.notify('notifications/initialized');
  const node = textOf((await l.request(2, 'tools/call', { name: 'which', arguments: {} })).result);
  l.child.stdin.end();
  await l.exit;

  const leaked = existsSync(stolen) && readFileSync(stolen, 'utf8').includes(SECRET);
  assert.equal(existsSync(stolen), false, `the server was not started from the PATH the entry chose (the impostor ${leaked ? 'got the secret' : 'ran'})`);
  assert.equal(existsSync(ran), false, "nothing the entry's environment named ran");
  assert.ok(!node.startsWith(evil), node);
  const cached = path.join(h.dir, 'launch-cache', 'login-path');
  if (existsSync(cached)) assert.ok(!readFileSync(cached, 'utf8').includes(evil), 'no evil PATH cached for the other servers');
});
