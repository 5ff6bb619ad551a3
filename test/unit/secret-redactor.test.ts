// The Redactor's rules (core/process/secret-redactor.ts, docs/probe.md "Parts and encodings of a
// secret"): runs of 8+ characters of secrets of 12-4096 characters, encodings, short secrets whole only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARTIAL_MAX, Redactor, RUN, secretVariants } from '../../core/process/secret-redactor.ts';

const TOKEN = 'ghp_R8kW2mXq7Lp4Zt9Yb3Nc6Vd1Hs5Jf0Ga8UeT';
const r = new Redactor(new Map([['gh', TOKEN], ['pin', 'hunter2-2025'.slice(0, 11)]]));

test('a run of 8 or more characters of a long secret is redacted wherever it starts; 7 are left', () => {
  for (let start = 0; start + RUN <= TOKEN.length; start += 5) {
    const run = TOKEN.slice(start, start + RUN);
    assert.equal(r.text(`a ${run} b`), 'a [redacted part of secret gh] b', run);
    assert.equal(r.text(TOKEN.slice(start, start + RUN - 1)), TOKEN.slice(start, start + RUN - 1));
  }
  assert.equal(r.text(`${TOKEN.slice(0, 20)}-${TOKEN.slice(25)}`), '[redacted part of secret gh]-[redacted part of secret gh]');
  assert.equal(r.text(`<${TOKEN}>`), '<[redacted secret gh]>');
});

test('encodings: JSON escapes, URL encoding either case or with +, base64 and base64url from any offset, hex either case', () => {
  const odd = new Redactor(new Map([['k', 'p@ss w/rd"x+y=z\\q']]));
  const v = 'p@ss w/rd"x+y=z\\q';
  assert.equal(odd.text(JSON.stringify(v)), '"[redacted secret k]"');
  assert.equal(odd.text(encodeURIComponent(v)), '[redacted secret k]');
  assert.equal(odd.text(encodeURIComponent(v).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()).replace('%20', '+')), '[redacted secret k]');
  for (let cut = 0; cut < 3; cut++) {
    const b64 = Buffer.from(`${'u'.repeat(cut)}:${TOKEN.slice(3)}`).toString('base64');
    assert.match(r.text(b64), /^.{0,8}\[redacted part of secret gh\].{0,4}$/, `base64 at offset ${cut}`);
    assert.match(r.text(Buffer.from(TOKEN.slice(cut + 2)).toString('base64url')), /^\[redacted part of secret gh\].{0,3}$/);
  }
  assert.equal(r.text(Buffer.from(TOKEN).toString('hex').toUpperCase()), '[redacted secret gh]');
  assert.equal(r.text(Buffer.from(TOKEN.slice(9, 21)).toString('hex')), '[redacted part of secret gh]');
});

test('secrets under 12 characters are redacted whole only (raw or encoded): their 8-character runs are words other text holds', () => {
  assert.equal(r.text('hunter2-202'), '[redacted secret pin]');
  assert.equal(r.text(Buffer.from('hunter2-202').toString('base64')), '[redacted secret pin]');
  assert.equal(r.text('the hunter2- came'), 'the hunter2- came');
  // Tiny secrets are matched as written, as before (no encodings: "61" would be everywhere).
  const tiny = new Redactor(new Map([['t', 'abc']]));
  assert.deepEqual(secretVariants('abc').map((x) => x.text), ['abc']);
  assert.equal(tiny.text('xabcx YWJj 616263'), 'x[redacted secret t]x YWJj 616263');
});

test('over PARTIAL_MAX characters a secret is redacted whole only; nothing is redacted from text that holds no secret', () => {
  const pem = `-----BEGIN KEY-----${'A1b2C3d4'.repeat(PARTIAL_MAX / 8)}-----END KEY-----`;
  const big = new Redactor(new Map([['pem', pem]]));
  assert.equal(big.text(`k=${pem}`), 'k=[redacted secret pem]');
  assert.equal(big.text(pem.slice(0, 100)), pem.slice(0, 100));
  const text = 'An ordinary tool call: {"path": "/home/dev/src/index.ts", "query": "handleSubmit", "limit": 50}';
  assert.equal(r.text(text), text);
  assert.deepEqual(r.deep({ a: [text, 1, null, { [TOKEN]: TOKEN.slice(0, 9) }] }), { a: [text, 1, null, { '[redacted secret gh]': '[redacted part of secret gh]' }] });
});

test('deep keeps an own __proto__ key as a key', () => {
  const input = JSON.parse(`{"__proto__": "${TOKEN}", "x": 1}`) as Record<string, unknown>;
  const out = r.deep(input);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.entries(out), [['__proto__', '[redacted secret gh]'], ['x', 1]]);
});
