// What the tray shows for a set of open alerts: calm or alert icon, tooltip, badge count, and the
// menu as data. Pure (no 'electron'), so it is tested under plain Node; electron-ports.ts turns the
// model into a real Tray and Menu.
import { severityRank, type Alert, type Severity } from '../../core/api/alert.ts';

export type TrayAlert = Pick<Alert, 'id' | 'severity' | 'title' | 'created_at'>;

export interface TrayMenuItem {
  /** What the click handler receives: `open`, `scan-now`, `pause`, `resume`, `start-at-login`, `alert:<id>`, `alerts`, `quit`; '' for separators and headings. */
  id: string;
  label: string;
  enabled: boolean;
  type: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
}

export interface TrayState {
  /** `alert` when any open alert is medium or worse; info and low findings alone leave the icon calm. */
  state: 'calm' | 'alert';
  tooltip: string;
  /** Open alerts of every severity (what the badge and the menu heading count). */
  badge: number;
  /** The five newest open alerts, newest first. */
  latest: TrayAlert[];
  menu: TrayMenuItem[];
}

export interface TrayInput {
  openAlerts: readonly TrayAlert[];
  /** The monitor runs in this app (false when another process holds the data directory's lease). */
  monitoring: boolean;
  paused: boolean;
  /** Whether the app starts at login (autostart.ts), shown as a check box. */
  startAtLogin: boolean;
}

export const LATEST_ALERTS = 5;
/** The alert icon is for what deserves a look; first-scan reviews (info) and low findings do not turn it on. */
const ALERT_ICON_FROM: Severity = 'medium';
const MAX_LABEL = 60;

const separator = (): TrayMenuItem => ({ id: '', label: '', enabled: false, type: 'separator' });
const item = (id: string, label: string, enabled = true): TrayMenuItem => ({ id, label, enabled, type: 'normal' });

function clip(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2 critical, 1 high": the counts per severity, worst first, only those present. */
export function severitySummary(alerts: readonly Pick<Alert, 'severity'>[]): string {
  const counts = new Map<Severity, number>();
  for (const alert of alerts) counts.set(alert.severity, (counts.get(alert.severity) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => severityRank(b) - severityRank(a))
    .map(([severity, n]) => `${n} ${severity}`)
    .join(', ');
}

export function trayState(input: TrayInput): TrayState {
  const open = input.openAlerts;
  const alarming = open.some((a) => severityRank(a.severity) >= severityRank(ALERT_ICON_FROM));
  const latest = [...open].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id).slice(0, LATEST_ALERTS);

  const watching = !input.monitoring
    ? 'another process is monitoring'
    : input.paused
      ? 'monitoring paused'
      : 'monitoring';
  const alertsText = open.length === 0 ? 'no open alerts' : `${plural(open.length, 'open alert')} (${severitySummary(open)})`;

  const menu: TrayMenuItem[] = [
    item('open', 'Open MCP Warden'),
    item('scan-now', 'Scan now', input.monitoring),
    input.paused ? item('resume', 'Resume monitoring', input.monitoring) : item('pause', 'Pause monitoring', input.monitoring),
    separator(),
    item('', open.length === 0 ? 'No open alerts' : `Open alerts: ${open.length}`, false),
    ...latest.map((a) => item(`alert:${a.id}`, clip(`[${a.severity}] ${a.title}`))),
  ];
  if (open.length > latest.length) menu.push(item('alerts', `All ${open.length} alerts…`));
  menu.push(
    separator(),
    { id: 'start-at-login', label: 'Start at login', enabled: true, type: 'checkbox', checked: input.startAtLogin },
    item('quit', 'Quit MCP Warden'),
  );

  return {
    state: alarming ? 'alert' : 'calm',
    tooltip: `MCP Warden: ${alertsText}; ${watching}`,
    badge: open.length,
    latest,
    menu,
  };
}

/** The renderer route a tray menu id leads to, if it is a navigation. */
export function routeForCommand(id: string): string | undefined {
  if (id === 'alerts') return '#/alerts';
  const match = /^alert:(\d+)$/.exec(id);
  return match ? `#/alerts/${match[1]}` : undefined;
}
