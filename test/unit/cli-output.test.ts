// The CLI's human output leaves through cli/output.ts, which escapes control characters (finding 13
// of issue 11). This holds the rule for code written later: no command writes to stdout or stderr,
// or logs with console, any other way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { formatFields, formatTable, inline, safeText } from '../../cli/output.ts';

const CLI = path.resolve(import.meta.dirname, '..', '..', 'cli');
/** output.ts is the way out; read-secret.ts writes only its own fixed prompt. */
const ALLOWED = new Set(['output.ts', 'read-secret.ts']);

test('every command prints through cli/output.ts: no direct process.stdout.write, process.stderr.write or console call', () => {
  const offenders: string[] = [];
  for (const file of readdirSync(CLI, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !ALLOWED.has(f))) {
    readFileSync(path.join(CLI, file), 'utf8').split('\n').forEach((line, i) => {
      if (/process\.(stdout|stderr)\.write\s*\(|\bconsole\.\w+\s*\(/.test(line)) offenders.push(`cli/${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('inline escapes every control character, line breaks included; safeText keeps newline and tab; text without them is unchanged', () => {
  assert.equal(inline('a\u001b[31mb\u0007c\u009bd\u202Ee\u2066f\nx\ty\rz'), 'a\\u001B[31mb\\u0007c\\u009Bd\\u202Ee\\u2066f\\u000Ax\\u0009y\\u000Dz');
  assert.equal(safeText('line 1\n\tline 2\u001b]0;t\u0007\r'), 'line 1\n\tline 2\\u001B]0;t\\u0007\\u000D');
  const plain = 'Ünïcødé text, emoji 👨‍👩‍👧 and CJK 漢字 stay as they are.';
  assert.equal(inline(plain), plain);
  assert.equal(safeText(inline('\u001b')), '\\u001B', 'escaping twice changes nothing more');
});

test('tables and fields escape their cells before aligning, so columns stay straight', () => {
  assert.equal(formatTable(['A', 'B'], [['x\u001by', '1'], ['long cell', '2']]), 'A          B\nx\\u001By   1\nlong cell  2');
  assert.equal(formatFields([['Name', 'a\nb'], ['Id', '1']]), 'Name: a\\u000Ab\nId:   1');
});
