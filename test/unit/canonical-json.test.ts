import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../core/util/canonical-json.ts';

test('canonical JSON sorts keys per RFC 8785 and survives lone surrogates from hostile configs', () => {
  assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1e21, y: 0.1 } }), '{"a":[true,null,"x"],"b":1,"c":{"y":0.1,"z":1e+21}}');
  const hostile = JSON.parse('{"k\\ud800": "v\\udfff", "list": ["\\ud83d"]}') as unknown;
  assert.equal(canonicalJson(hostile), '{"k\uFFFD":"v\uFFFD","list":["\uFFFD"]}');
  assert.equal(canonicalJson({ emoji: '\u{1F600}' }), '{"emoji":"\u{1F600}"}', 'well-formed pairs are kept');
});
