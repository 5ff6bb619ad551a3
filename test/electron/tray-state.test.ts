// The tray's model from open alerts: icon state, tooltip, badge count and menu, under plain Node
// with the same trayState() the shell renders (electron/main/electron-ports.ts ElectronTray).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Severity } from '../../core/api/alert.ts';
import { routeForCommand, trayState, type TrayAlert } from '../../electron/main/tray-state.ts';

function alert(id: number, severity: Severity, minute = id): TrayAlert {
  return { id, severity, title: `Alert number ${id} about a server`, created_at: `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z` };
}
const base = { monitoring: true, paused: false, startAtLogin: false };
const ids = (s: ReturnType<typeof trayState>) => s.menu.map((m) => m.id).filter((id) => id !== '');

test('no open alerts: calm icon, count 0, the fixed menu', () => {
  const s = trayState({ ...base, openAlerts: [] });
  assert.equal(s.state, 'calm');
  assert.equal(s.badge, 0);
  assert.equal(s.tooltip, 'MCP Warden: no open alerts; monitoring');
  assert.deepEqual(ids(s), ['open', 'scan-now', 'pause', 'start-at-login', 'quit']);
  assert.ok(s.menu.some((m) => m.label === 'No open alerts' && !m.enabled), 'a disabled heading says there are none');
});

test('info and low alerts are counted but leave the icon calm; medium and worse turn it to alert', () => {
  const quiet = trayState({ ...base, openAlerts: [alert(1, 'info'), alert(2, 'low')] });
  assert.equal(quiet.state, 'calm');
  assert.equal(quiet.badge, 2);
  assert.equal(quiet.tooltip, 'MCP Warden: 2 open alerts (1 low, 1 info); monitoring');
  for (const severity of ['medium', 'high', 'critical'] as const) {
    assert.equal(trayState({ ...base, openAlerts: [alert(1, 'info'), alert(2, severity)] }).state, 'alert', severity);
  }
});

test('the five newest alerts are menu items leading to their pages, with a link to the rest', () => {
  const open = [1, 2, 3, 4, 5, 6, 7].map((id) => alert(id, id % 2 ? 'high' : 'critical'));
  const s = trayState({ ...base, openAlerts: open });
  assert.equal(s.badge, 7);
  assert.deepEqual(s.latest.map((a) => a.id), [7, 6, 5, 4, 3]);
  assert.deepEqual(ids(s), ['open', 'scan-now', 'pause', 'alert:7', 'alert:6', 'alert:5', 'alert:4', 'alert:3', 'alerts', 'start-at-login', 'quit']);
  assert.equal(s.menu.find((m) => m.id === 'alert:7')?.label, '[high] Alert number 7 about a server');
  assert.ok(s.menu.some((m) => m.label === 'Open alerts: 7'));
  assert.equal(s.tooltip, 'MCP Warden: 7 open alerts (3 critical, 4 high); monitoring');
  assert.equal(routeForCommand('alert:7'), '#/alerts/7');
  assert.equal(routeForCommand('alerts'), '#/alerts');
  assert.equal(routeForCommand('scan-now'), undefined);
});

test('a long title is clipped in the menu', () => {
  const long: TrayAlert = { ...alert(1, 'high'), title: 'x'.repeat(200) };
  const label = trayState({ ...base, openAlerts: [long] }).menu.find((m) => m.id === 'alert:1')?.label ?? '';
  assert.equal(label.length, 60);
  assert.ok(label.endsWith('…'));
});

test('paused, and another process monitoring, change the pause item and the tooltip', () => {
  const paused = trayState({ ...base, paused: true, openAlerts: [] });
  assert.deepEqual(ids(paused).slice(0, 3), ['open', 'scan-now', 'resume']);
  assert.match(paused.tooltip, /monitoring paused$/);

  const elsewhere = trayState({ ...base, monitoring: false, openAlerts: [] });
  assert.match(elsewhere.tooltip, /another process is monitoring$/);
  assert.equal(elsewhere.menu.find((m) => m.id === 'pause')?.enabled, false, 'nothing to pause here');
  assert.equal(elsewhere.menu.find((m) => m.id === 'scan-now')?.enabled, false);

  const login = trayState({ ...base, startAtLogin: true, openAlerts: [] }).menu.find((m) => m.id === 'start-at-login');
  assert.deepEqual([login?.type, login?.checked], ['checkbox', true]);
});
