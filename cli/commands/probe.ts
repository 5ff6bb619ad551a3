import type { ProbeResult } from '../../core/api/probe.ts';
import { invalidInput } from '../../core/api/errors.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { recordProbe, type RecordedProbe } from '../../core/pins/record.ts';
import { confirmedMessage, probeMany } from '../../core/probe/index.ts';
import { connectTimeoutFor, isNpxLaunch, probePolicy } from '../../core/reconcile/probe-policy.ts';
import { getServer, listServers } from '../../core/registry/read.ts';
import { assertRunnable } from '../../core/registry/runnable.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { getSetting } from '../../core/settings/settings.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { inline, print, printError, printJson } from '../output.ts';

export async function probe(name: string | undefined, options: GlobalOptions & { all?: boolean; json?: boolean; timeout?: string; yes?: boolean }): Promise<void> {
  if ((name === undefined) === (options.all !== true)) throw invalidInput('name', 'Name one server to probe, or pass --all.');
  const timeout = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeout !== undefined && !(timeout > 0 && timeout <= 3600)) throw invalidInput('timeout', `--timeout takes seconds between 1 and 3600, not "${options.timeout}".`);

  // Servers run in their own process group, so Ctrl-C does not reach them: stop them ourselves.
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const outcomes = await withStore(options, async (store) => {
    // Declared servers have nothing to start yet: --all passes over them; naming one says so.
    const named = name === undefined ? listServers(store.db).filter((s) => s.status !== 'declared') : [getServer(store.db, name)];
    named.forEach(assertRunnable);
    // --yes from the person at this terminal confirms a command line that came in through the API (core/probe/consent.ts).
    const ask = { consent: options.yes === true, by: 'person' as const, surface: 'cli' as const, timeoutSeconds: timeout };
    const refused = new Set<string>();
    const servers = named.map((s) => {
      const admission = probePolicy({ store, env: process.env }, s, ask);
      if (!admission.go) refused.add(s.id);
      else if (admission.confirmed) printError(`${confirmedMessage(admission.server)}\n`);
      return admission.server;
    });
    const keychain = new OsKeychain(store.installId);
    const concurrency = Number(getSetting(store.db, 'probe-concurrency'));
    const results: ProbeResult[] = [];
    // One timeout per server: npx launches get longer unless the user chose one.
    const groups = [servers.filter((s) => !isNpxLaunch(s)), servers.filter(isNpxLaunch)];
    const byId = new Map<string, ProbeResult>();
    for (const group of groups) {
      if (group.length === 0) continue;
      const found = await probeMany(group, {
        keychain,
        concurrency,
        connectTimeoutMs: connectTimeoutFor(group[0] as ServerDefinition, timeout),
        // Refused by the policy: probeMany answers them with the consent refusal, started nothing.
        requireApproval: (s) => refused.has(s.id),
        signal: abort.signal,
        onProgress: (e) => {
          if (options.json !== true && e.type === 'finished' && servers.length > 1) printError(`probed ${e.done}/${e.total}: ${inline(e.server.name)}\n`);
        },
      });
      group.forEach((s, k) => byId.set(s.id, found[k] as ProbeResult));
    }
    const recorded: { server: ServerDefinition; record: RecordedProbe | null; result: ProbeResult }[] = [];
    for (const server of servers) {
      const result = byId.get(server.id) as ProbeResult;
      results.push(result);
      // A refusal for consent started nothing: there is nothing to record about the server.
      const record = !result.ok && result.category === 'consent_required' ? null : recordProbe({ store }, server, result);
      recorded.push({ server, record, result });
    }
    return recorded;
  }).finally(() => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  });

  if (options.json === true) {
    printJson({
      probes: outcomes.map(({ server, record, result }) => ({
        name: server.name,
        server_id: server.id,
        ...result,
        ...(record === null ? {} : { probe_id: record.probe_id, pinned: record.pinned, diff: record.diff, findings: record.findings, alerts_opened: record.opened.map((a) => a.id) }),
      })),
    });
  } else {
    for (const { server, record, result } of outcomes) print(`${describe(server, result, record)}\n`);
  }
  if (outcomes.some((o) => !o.result.ok)) process.exitCode = 1;
}

/** One result in words. What the server sent (its name, version, stderr, tool names in findings) is shown `inline`: it cannot break a line. */
function describe(server: ServerDefinition, result: ProbeResult, record: RecordedProbe | null): string {
  if (!result.ok) {
    const stderr = result.stderr.trim() === '' ? '' : `\n  stderr: ${result.stderr.trim().split('\n').slice(-5).map(inline).join('\n          ')}`;
    return `✗ ${inline(server.name)}: ${result.category}: ${inline(result.message)}${stderr}`;
  }
  const counts = `${result.tools.length} tools, ${result.prompts.length} prompts, ${result.resources.length} resources, ${result.resource_templates.length} resource templates`;
  const diff = record?.diff;
  const state = record?.pinned
    ? 'pinned now'
    : diff === null || diff === undefined
      ? server.status === 'discovered' || server.status === 'pending' ? 'not pinned until approved' : 'no pin'
      : diff.added.length + diff.removed.length + diff.changed.length === 0 && diff.instructions === null && !diff.launch_changed
        ? 'matches the pin'
        : `DIFFERS from the pin: ${diff.changed.length} changed, ${diff.added.length} added, ${diff.removed.length} removed${diff.instructions !== null ? ', instructions changed' : ''}`;
  const findings = record !== null && record.findings.length > 0 ? `\n  findings: ${record.findings.map((f) => inline(`${f.severity} ${f.rule} at ${f.where}`)).join('; ')}` : '';
  const alerts = record !== null && record.opened.length > 0 ? `\n  alerts raised: ${record.opened.map((a) => inline(`${a.id} ${a.severity} ${a.title}`)).join('; ')}` : '';
  return `✓ ${inline(server.name)}: ${inline(result.server.name)} ${inline(result.server.version)}, ${counts}; ${state}${findings}${alerts}`;
}
