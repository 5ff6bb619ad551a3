// Native notifications: which alerts notify, how a burst is grouped, where a click leads. The
// batcher's timer is a port, so the batch window is stepped by hand: no timing in these tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Severity } from '../../core/api/alert.ts';
import { BATCH_WINDOW_MS, NotificationBatcher, planNotifications, type NotificationLevel, type Timers } from '../../electron/main/notification-batch.ts';
import type { NotificationRequest } from '../../electron/main/ports.ts';

function alert(id: number, severity: Severity) {
  return { id, severity, title: `Alert ${id}`, server_name: 'github', client: 'claude-desktop' };
}

/** Timers that fire only when the test says so, remembering the delay asked for. */
function manualTimers(): Timers & { fire(): void; pending: number; delays: number[] } {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  const delays: number[] = [];
  return {
    delays,
    set(callback, ms) {
      delays.push(ms);
      callbacks.set(next, callback);
      return next++;
    },
    clear(handle) {
      callbacks.delete(handle as number);
    },
    fire() {
      const all = [...callbacks.values()];
      callbacks.clear();
      for (const callback of all) callback();
    },
    get pending() {
      return callbacks.size;
    },
  };
}

function batcher(level: NotificationLevel = 'high') {
  const timers = manualTimers();
  const sent: NotificationRequest[] = [];
  let current = level;
  const b = new NotificationBatcher({ level: () => current, send: (r) => sent.push(r), timers });
  return { b, timers, sent, setLevel: (l: NotificationLevel) => (current = l) };
}

test('up to three high or critical alerts: one notification each, opening that alert', () => {
  const { b, timers, sent } = batcher();
  b.notify([alert(1, 'high'), alert(2, 'medium')]);
  b.notify([alert(3, 'critical'), alert(4, 'high'), alert(5, 'info')]);
  assert.equal(sent.length, 0, 'nothing before the batch window ends');
  assert.deepEqual(timers.delays, [BATCH_WINDOW_MS], 'one window, started by the first alert');
  timers.fire();
  assert.deepEqual(sent.map((n) => n.target), ['#/alerts/3', '#/alerts/1', '#/alerts/4'], 'critical first, medium/info left out');
  assert.deepEqual(sent[0], { title: 'MCP Warden: critical alert', body: 'Alert 3', target: '#/alerts/3', urgency: 'critical' });
  assert.equal(sent[1]?.urgency, 'normal');
});

test('more than three at once: one grouped notification opening the alert list', () => {
  const { b, timers, sent } = batcher();
  b.notify([1, 2, 3, 4, 5].map((id) => alert(id, id === 4 ? 'critical' : 'high')));
  timers.fire();
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0], { title: 'MCP Warden: 5 new alerts', body: '1 critical, 4 high. Alert 4 (and more)', target: '#/alerts', urgency: 'critical' });
});

test('an alert reported twice (by a scan and by the API notifier) is notified once; a later batch starts a new window', () => {
  const { b, timers, sent } = batcher();
  b.notify([alert(1, 'high')]);
  b.notify([alert(1, 'high')]);
  timers.fire();
  b.notify([alert(1, 'high'), alert(2, 'high')]);
  assert.equal(timers.pending, 1, 'a new window for the new alert');
  timers.fire();
  assert.deepEqual(sent.map((n) => n.target), ['#/alerts/1', '#/alerts/2']);
});

test('the notifications setting: critical only, or off; read when the batch is sent', () => {
  assert.deepEqual(planNotifications([alert(1, 'high'), alert(2, 'critical')], 'critical').map((n) => n.target), ['#/alerts/2']);
  assert.deepEqual(planNotifications([alert(1, 'critical')], 'off'), []);
  const { b, timers, sent, setLevel } = batcher('high');
  b.notify([alert(1, 'high')]);
  setLevel('off');
  timers.fire();
  assert.equal(sent.length, 0, 'turned off before the window ended: nothing shown');
});

test('a batch of only quiet alerts sends nothing; close() drops what is pending', () => {
  const { b, timers, sent } = batcher();
  b.notify([alert(1, 'low'), alert(2, 'medium')]);
  timers.fire();
  assert.equal(sent.length, 0);
  b.notify([alert(3, 'critical')]);
  b.close();
  assert.equal(timers.pending, 0, 'the timer is cleared');
  b.notify([alert(4, 'critical')]);
  b.flush();
  assert.equal(sent.length, 0, 'nothing after close');
});
