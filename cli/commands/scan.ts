import path from 'node:path';
import { ALERT_RULES } from '../../core/alerts/rules.ts';
import { severityRank, type Severity } from '../../core/api/alert.ts';
import { WardenError } from '../../core/api/errors.ts';
import { CLIENT_NAMES } from '../../core/discovery/clients/index.ts';
import { scanAll } from '../../core/discovery/scan-all.ts';
import type { ConfigScanResult } from '../../core/discovery/scan.ts';
import { toSarif, type ReportFinding } from '../../core/report/sarif.ts';
import { writePrivateFile } from '../../core/util/private-file.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, inline, print, printError, printJson } from '../output.ts';
import { hostPlatform } from '../platform.ts';

declare const __WARDEN_VERSION__: string | undefined;

/** Exit code of `scan` when a finding is high or critical, so CI jobs can gate on it. */
export const FINDINGS_EXIT_CODE = 3;

export async function scan(options: GlobalOptions & { json?: boolean; sarif?: string; fixSecrets?: boolean }): Promise<void> {
  let fixed: Awaited<ReturnType<typeof import('./secure.ts').fixSecrets>> | undefined;
  const results = await withStore(options, async (store) => {
    const first = scanAll({ store, env: process.env, force: true }, hostPlatform());
    if (options.fixSecrets !== true) return first;
    // Move what the scan found, then report the configs as they are now.
    fixed = (await import('./secure.ts')).fixSecrets(store, options);
    return scanAll({ store, env: process.env, force: true }, hostPlatform());
  });
  if (fixed !== undefined && options.json !== true) {
    print((await import('./secure.ts')).describe(fixed.results));
    for (const e of fixed.errors) printError(`mcp-warden: ${e.message}\n`);
    if (fixed.errors.length > 0) process.exitCode = 1;
  }
  const found = results.filter((r) => r.state !== 'absent');
  const findings = found.flatMap((r) => {
    // By id: a config of 20,000 servers has as many findings, and a search per finding is quadratic.
    const byId = new Map(r.servers.filter((s) => s.server_id !== null).map((s) => [s.server_id, s]));
    return r.conditions.map((c) => toFinding(r, c, byId));
  });
  findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));

  if (options.sarif !== undefined) {
    const file = path.resolve(options.sarif);
    try {
      const version = typeof __WARDEN_VERSION__ === 'string' ? __WARDEN_VERSION__ : '0.0.0-dev';
      // 0600: the findings name each config, server and where its plaintext secrets are.
      writePrivateFile(file, `${JSON.stringify(toSarif(findings, { name: 'MCP Warden', version }), null, 2)}\n`);
    } catch (error) {
      throw new WardenError('failed', `Cannot write the SARIF file ${file}: ${(error as Error).message}.`, 'sarif');
    }
  }
  const bySeverity: Partial<Record<Severity, number>> = {};
  for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  const servers = found.reduce((n, r) => n + r.servers.length, 0);

  if (options.json === true) {
    printJson({
      configs: found.map((r) => ({ client: r.location.client, path: r.location.path, scope: r.location.scope, state: r.state, ...(r.error ? { error: r.error } : {}), servers: r.servers, problems: r.problems })),
      findings,
      summary: { configs: found.length, servers, findings: bySeverity },
      ...(fixed !== undefined ? { fixed_secrets: fixed } : {}),
    });
  } else {
    printInventory(found);
    if (findings.length > 0) {
      print('\nFindings:\n');
      for (const f of findings) print(`  ${f.severity.toUpperCase().padEnd(8)} ${inline(f.title)}\n`);
    }
    const counts = Object.entries(bySeverity).map(([s, n]) => `${n} ${s}`).join(', ') || 'none';
    print(`\n${found.length} config file${found.length === 1 ? '' : 's'}, ${servers} server${servers === 1 ? '' : 's'}; findings: ${counts}.\n`);
  }
  if (findings.some((f) => severityRank(f.severity) >= severityRank('high')) && process.exitCode !== 1) process.exitCode = FINDINGS_EXIT_CODE;
}

function toFinding(result: ConfigScanResult, condition: ConfigScanResult['conditions'][number], servers: ReadonlyMap<string | null, ConfigScanResult['servers'][number]>): ReportFinding & { details: Record<string, unknown> } {
  const server = condition.server_id === null ? undefined : servers.get(condition.server_id);
  return {
    type: condition.type,
    severity: condition.severity ?? severityOf(condition.type),
    title: condition.title,
    config_path: result.location.path,
    ...(result.error && condition.type === 'config_parse_error' ? { line: result.error.line, column: result.error.column } : {}),
    dedup_key: condition.dedup_key,
    server_name: server?.name ?? (typeof condition.details.key === 'string' ? condition.details.key : null),
    client: result.location.client,
    details: condition.details,
  };
}

const severityOf = (type: keyof typeof ALERT_RULES): Severity => ALERT_RULES[type].severity;

function printInventory(found: ConfigScanResult[]): void {
  if (found.length === 0) {
    print('No MCP client config was found on this machine.\n');
    return;
  }
  for (const r of found) {
    const client = CLIENT_NAMES[r.location.client] ?? r.location.client;
    const state = r.state === 'missing' ? 'deleted'
      : r.state === 'unparseable' ? `cannot be parsed: ${r.error?.message ?? ''}${r.error && r.error.line > 0 ? ` at line ${r.error.line}, column ${r.error.column}` : ''}`
      : r.state === 'unreadable' ? `cannot be read: ${r.error?.message ?? ''}`
      : `${r.servers.length} server${r.servers.length === 1 ? '' : 's'}`;
    print(`\n${client}: ${r.location.path} (${state})\n`);
    if (r.servers.length > 0) {
      const rows = r.servers.map((s) => [s.name ?? `${s.key} (not registered)`, s.status ?? '-', s.transport + (s.disabled ? ' (disabled)' : ''), s.launch]);
      print(`${indent(formatTable(['NAME', 'STATUS', 'TRANSPORT', 'COMMAND/URL'], rows))}\n`);
    }
    for (const p of r.problems) print(`  skipped ${inline(p.pointer)}: ${inline(p.message)}\n`);
  }
}

const indent = (text: string): string => text.replace(/^/gm, '  ');
