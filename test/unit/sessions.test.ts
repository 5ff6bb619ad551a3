// The web UI's login tokens and sessions (server/sessions.ts), on a clock the test moves: a token is
// good once and for ten minutes, a session ends after a day unused, and nothing else is accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOGIN_TOKEN_TTL_MS, SESSION_IDLE_MS, SESSION_PREFIX, Sessions } from '../../server/sessions.ts';

test('a login token is redeemed once, within ten minutes, for a session secret', () => {
  let now = 1_000_000;
  const sessions = new Sessions(() => now);
  const token = sessions.issueLoginToken();
  const session = sessions.redeem(token);
  assert.ok(session?.startsWith(SESSION_PREFIX), 'a session secret');
  assert.equal(sessions.redeem(token), undefined, 'the same token a second time');

  const late = sessions.issueLoginToken();
  now += LOGIN_TOKEN_TTL_MS + 1;
  assert.equal(sessions.redeem(late), undefined, 'a token past ten minutes');
  const onTime = sessions.issueLoginToken();
  now += LOGIN_TOKEN_TTL_MS - 1;
  assert.ok(sessions.redeem(onTime) !== undefined, 'a token just inside ten minutes');
  assert.equal(sessions.redeem('made-up'), undefined, 'a token never issued');
});

test('a session ends after a day without use, and use keeps it alive', () => {
  let now = 5_000_000;
  const sessions = new Sessions(() => now);
  const session = sessions.redeem(sessions.issueLoginToken()) as string;
  assert.equal(sessions.check(session), true);
  now += SESSION_IDLE_MS - 1;
  assert.equal(sessions.check(session), true, 'used just inside a day');
  now += SESSION_IDLE_MS - 1;
  assert.equal(sessions.check(session), true, 'the use before renewed it');
  now += SESSION_IDLE_MS + 1;
  assert.equal(sessions.check(session), false, 'a day and a moment unused');
  assert.equal(sessions.check(session), false, 'and it stays ended');
  assert.equal(sessions.check(`${SESSION_PREFIX}guess`), false, 'a guessed secret');
});
