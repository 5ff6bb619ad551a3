/**
 * The re-open window on the scan engine with a clock: a condition back within REOPEN_WINDOW_MS of
 * clearing re-opens its alert and is not notified; back later, it is a new alert and is notified;
 * one the user resolved stays resolved while it holds. Real files, a real SQLite store.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeAlertState, listAlerts, REOPEN_WINDOW_MS } from '../../core/alerts/alert-store.ts';
import type { Alert } from '../../core/api/alert.ts';
import { allLocations } from '../../core/discovery/clients/index.ts';
import { scanConfig } from '../../core/discovery/scan.ts';
import { openStore } from '../../core/store/database.ts';
import { tempDir } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';

test('a flapping condition re-opens its alert inside the window and is a new, notified alert after it', (t) => {
  const { where, claudeDesktop } = fakeHome(t);
  const store = openStore(tempDir(t));
  t.after(() => store.close());
  const location = allLocations(where).find((l) => l.path === claudeDesktop);
  assert.ok(location !== undefined);
  const notified: Alert[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const scan = (servers: Record<string, unknown>, advanceMs: number) => {
    clock += advanceMs;
    writeByRename(claudeDesktop, claudeDesktopConfig(servers));
    return scanConfig({ store, env: { PATH: process.env.PATH }, force: true, now: () => new Date(clock), notifier: { notify: (a) => notified.push(...a) } }, location);
  };
  const approved = { files: { command: 'node', args: ['files.js'] } };
  const changed = { files: { command: 'node', args: ['evil.js'] } };
  const launchAlerts = () => listAlerts(store.db).filter((a) => a.type === 'launch_changed');

  scan(approved, 0);
  const first = scan(changed, 1_000);
  assert.equal(first.opened.length, 1);
  assert.equal(notified.length, 1, 'the first time is notified');
  const id = first.opened[0]?.id;

  scan(approved, 1_000);
  const back = scan(changed, REOPEN_WINDOW_MS - 1_000);
  assert.deepEqual(back.opened, [], 'within the window: nothing new');
  assert.deepEqual(back.reopened.map((a) => [a.id, a.state, a.details.reopened]), [[id, 'open', { count: 1, last_at: new Date(clock).toISOString() }]]);
  assert.equal(notified.length, 1, 'a re-open is not notified');

  scan(approved, 1_000);
  const later = scan(changed, REOPEN_WINDOW_MS + 1);
  assert.equal(later.opened.length, 1, 'after the window: a new alert');
  assert.notEqual(later.opened[0]?.id, id);
  assert.equal(notified.length, 2, 'and it is notified');
  assert.equal(launchAlerts().length, 2);

  // Resolved by the user while it holds: neither re-opened nor raised again.
  changeAlertState(store.db, later.opened[0]?.id ?? 0, 'resolved', new Date(clock));
  const after = scan(changed, 1_000);
  assert.deepEqual([after.opened, after.reopened], [[], []]);
});
