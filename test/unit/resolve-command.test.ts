import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WardenError } from '../../core/api/errors.ts';
import { resolveCommand } from '../../core/registry/resolve-command.ts';
import { tempDir } from '../helpers/cli.ts';

function file(p: string, mode: number): string {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, mode);
  return p;
}

test('commands resolve as a shell would: PATH order, executables only, relative paths from cwd', (t) => {
  const dir = tempDir(t);
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  file(path.join(a, 'tool'), 0o644); // on PATH first, but not executable
  const good = file(path.join(b, 'tool'), 0o755);
  const other = file(path.join(a, 'other'), 0o755);
  file(path.join(b, 'other'), 0o755);
  const env = { PATH: [a, b].join(path.delimiter) };

  assert.equal(resolveCommand('tool', { cwd: dir, env }), good, 'a non-executable match is passed over');
  assert.equal(resolveCommand('other', { cwd: dir, env }), other, 'the first directory on PATH wins');
  assert.equal(resolveCommand('./b/tool', { cwd: dir, env: {} }), good, 'a relative path is taken from cwd, not PATH');
  assert.equal(resolveCommand(good, { cwd: '/', env: {} }), good);

  const failure = (command: string, e: Record<string, string>) => {
    try {
      resolveCommand(command, { cwd: dir, env: e });
    } catch (error) {
      assert.ok(error instanceof WardenError);
      assert.equal(error.field, 'command');
      return error.message;
    }
    assert.fail(`${command} resolved`);
  };
  assert.equal(failure('missing', env), 'The command "missing" was not found on PATH.');
  assert.equal(failure('tool', { PATH: a }), `The command "tool" was found on PATH at ${path.join(a, 'tool')}, but it is not executable.`);
  assert.equal(failure('./a/tool', env), `The command ${path.join(a, 'tool')} is not executable.`);
  assert.equal(failure('./a', env), `The command ${a} is a directory, not an executable file.`);
  assert.equal(failure('tool', {}), 'The command "tool" was not found on PATH.', 'no PATH finds nothing');
});

test('on Windows, PATHEXT extensions are tried', (t) => {
  const dir = tempDir(t);
  const cmd = file(path.join(dir, 'npx.CMD'), 0o644);
  assert.equal(resolveCommand('npx', { cwd: dir, env: { PATH: dir, PATHEXT: '.EXE;.CMD' }, platform: 'win32' }), cmd);
});
