/**
 * The bounded config reader on real files: the limit is exact, a file whose size says 0 but which
 * holds more (procfs) is still cut at the limit, and each refusal names what is there.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatSize, readConfigFile } from '../../core/discovery/read-config-file.ts';
import { tempDir } from '../helpers/cli.ts';

test('a regular file is read whole up to the limit; one byte more is too large, refused from its size', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'mcp.json');
  writeFileSync(file, 'x'.repeat(100));
  const read = readConfigFile(file, 100);
  assert.ok(read.ok);
  assert.equal(read.bytes.length, 100);
  writeFileSync(file, 'x'.repeat(101));
  const refused = readConfigFile(file, 100);
  assert.deepEqual(refused, { ok: false, problem: 'too_large', detail: 'it is 101 bytes, larger than the 100 bytes a client config can be', message: `${file} cannot be read as a client config: it is 101 bytes, larger than the 100 bytes a client config can be.` });
});

test('a file whose size says 0 but which yields more (procfs) is cut at limit + 1 byte', () => {
  // /proc/self/status is a regular file of size 0 holding well over 64 bytes.
  const read = readConfigFile('/proc/self/status', 64);
  assert.equal(read.ok, false);
  assert.equal(!read.ok && read.problem, 'too_large');
  assert.equal(!read.ok && read.problem !== 'missing' && read.detail, 'it grew past the 64 bytes a client config can be while it was read');
  const whole = readConfigFile('/proc/self/status');
  assert.ok(whole.ok && whole.bytes.toString().startsWith('Name:'));
});

test('missing, dangling, looping, special and directory paths are each named', (t) => {
  const dir = tempDir(t);
  const at = (name: string) => path.join(dir, name);
  assert.deepEqual(readConfigFile(at('none.json')), { ok: false, problem: 'missing' });
  assert.deepEqual(readConfigFile(path.join(at('none'), 'deeper.json')), { ok: false, problem: 'missing' });

  symlinkSync(at('target.json'), at('dangling.json'));
  const detail = (file: string) => {
    const read = readConfigFile(file);
    return read.ok || read.problem === 'missing' ? read : { problem: read.problem, detail: read.detail };
  };
  assert.deepEqual(detail(at('dangling.json')), { problem: 'dangling_link', detail: `it is a link to ${at('target.json')}, which does not exist` });
  symlinkSync(at('b.json'), at('a.json'));
  symlinkSync(at('a.json'), at('b.json'));
  assert.deepEqual(detail(at('a.json')), { problem: 'link_loop', detail: 'it is a symbolic link loop' });
  symlinkSync('/dev/null', at('null.json'));
  assert.deepEqual(detail(at('null.json')), { problem: 'special_file', detail: 'it is a link to /dev/null, a character device, not a regular file' });
  execFileSync('mkfifo', [at('fifo.json')]);
  assert.deepEqual(detail(at('fifo.json')), { problem: 'special_file', detail: 'it is a named pipe (FIFO), not a regular file' });
  mkdirSync(at('dir.json'));
  assert.deepEqual(detail(at('dir.json')), { problem: 'directory', detail: 'it is a directory, not a regular file' });

});

test('sizes are written as people read them', () => {
  assert.equal(formatSize(1.5 * 1024 ** 3), '1.5 GiB');
  assert.equal(formatSize(32 * 1024 ** 2), '32 MiB');
  assert.equal(formatSize(101), '101 bytes');
  assert.equal(formatSize(1536), '1.5 KiB');
});
