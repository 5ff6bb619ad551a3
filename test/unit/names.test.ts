// The one name rule (core/api/names.ts): characters and length, no leading '-', not '.' or '..', no
// Windows device name; and safeName, which derives a valid name from a config key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NAME_PATTERN, nameProblem, safeName } from '../../core/api/names.ts';

const GOOD = ['github', 'a', 'my-server_2.0', 'x-', 'a..b', '.hidden', 'console', 'nul-server', 'com0', 'com10', 'lpt', 'auxiliary.json', 'CONx', 'a'.repeat(64)];
const BAD = ['', '-h', '--home', '-', '.', '..', 'CON', 'con', 'Prn', 'AUX', 'nul', 'NUL.json', 'com1', 'COM9.txt', 'lpt1', 'LPT9.tar.gz', 'bad name', 'ünï', 'a'.repeat(65)];

test('nameProblem and NAME_PATTERN agree, and each refusal says why', () => {
  for (const name of GOOD) {
    assert.equal(nameProblem(name), null, name);
    assert.ok(NAME_PATTERN.test(name), name);
  }
  for (const name of BAD) {
    assert.notEqual(nameProblem(name), null, name);
    assert.ok(!NAME_PATTERN.test(name), name);
  }
  assert.equal(nameProblem('--home'), "it starts with '-', so command lines would read it as an option");
  assert.equal(nameProblem('..'), '".." is a folder in a path, not a name');
  assert.equal(nameProblem('nul.json'), 'NUL is a Windows device name (with or without an extension)');
  assert.equal(nameProblem('bad name'), "use 1 to 64 letters, digits, '-', '_' or '.'");
});

test('safeName turns any config key into a valid name', () => {
  const cases: [string, string][] = [['--home', 'home'], ['-h', 'h'], ['.', 'server'], ['..', 'server'], ['', 'server'], ['NUL', 'NUL-server'], ['con.json', 'con-server.json'], ['com1', 'com1-server'], ['my server!', 'my-server'], ['GitHub', 'GitHub']];
  for (const [key, name] of cases) assert.equal(safeName(key), name, key);
  for (const key of [...BAD, '\u001b[2J', '-'.repeat(80), `CON.${'x'.repeat(80)}`]) assert.equal(nameProblem(safeName(key)), null, JSON.stringify(key));
});
