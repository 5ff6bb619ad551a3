import { changeAlertState, listAlerts } from '../../core/alerts/alert-store.ts';
import { invalidInput } from '../../core/api/errors.ts';
import { findServer } from '../../core/registry/read.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, print, printJson, truncate } from '../output.ts';

export async function list(options: GlobalOptions & { json?: boolean; state?: string; severity?: string; server?: string }): Promise<void> {
  const alerts = await withStore(options, (store) => {
    const serverId = options.server === undefined ? undefined : (findServer(store.db, options.server)?.id ?? '-');
    const state = options.state === 'all' ? undefined : options.state;
    const all = listAlerts(store.db, { state, severity: options.severity, serverId });
    // Without --state: everything still needing attention.
    return options.state === undefined ? all.filter((a) => a.state !== 'resolved') : all;
  });
  if (options.json === true) return printJson({ alerts });
  if (alerts.length === 0) {
    print('No alerts.\n');
    return;
  }
  const rows = alerts.map((a) => [String(a.id), a.severity.toUpperCase(), a.state, a.server_name ?? '-', truncate(a.title, 100)]);
  print(`${formatTable(['ID', 'SEVERITY', 'STATE', 'SERVER', 'TITLE'], rows)}\n`);
}

function alertId(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw invalidInput('id', `"${text}" is not an alert id: ids are whole numbers, as \`mcp-warden alerts\` shows.`);
  return Number(text);
}

export async function setState(id: string, state: 'acknowledged' | 'resolved', options: GlobalOptions & { json?: boolean }): Promise<void> {
  const alert = await withStore(options, (store) => changeAlertState(store.db, alertId(id), state));
  if (options.json === true) printJson({ alert });
  else print(`Alert ${alert.id} ${state}: ${alert.title}\n`);
}
