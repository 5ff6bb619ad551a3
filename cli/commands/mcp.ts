import { WardenError } from '../../core/api/errors.ts';
import type { EnvVar, ServerDefinition, ServerInput } from '../../core/api/server.ts';
import { getServer, listServers } from '../../core/registry/read.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatFields, formatTable, print, printJson, truncate } from '../output.ts';

export interface AddOptions extends GlobalOptions {
  /** --args and --arg values in command-line order. */
  argv: string[];
  command?: string;
  url?: string;
  header?: string[];
  env?: string[];
  cwd?: string;
  displayName?: string;
  description?: string;
  capabilities?: string;
  json?: boolean;
}

export async function add(name: string, transport: string, options: AddOptions): Promise<void> {
  const input: Record<keyof ServerInput, unknown> = {
    name,
    transport,
    display_name: options.displayName,
    description: options.description,
    command: options.command,
    args: options.argv.length > 0 ? options.argv : undefined,
    cwd: options.cwd,
    url: options.url,
    headers: options.header === undefined ? undefined : Object.fromEntries(options.header.map((h) => splitPair(h, '--header', 'NAME=VALUE'))),
    env_template: options.env?.map((e): EnvVar => {
      const [key, value] = splitPair(e, '--env', 'KEY=VALUE');
      return { key, value };
    }),
    capabilities: options.capabilities === undefined ? undefined : splitList(options.capabilities),
  };
  const { registerServer } = await import('../../core/registry/register.ts');
  const server = await withStore(options, (store) => registerServer(store, dropUndefined(input), { cwd: process.cwd(), env: process.env }));
  if (options.json === true) printJson({ server });
  else print(`Registered ${server.transport} server "${server.name}" (${server.id}): ${launchLine(server)}\n`);
}

export async function list(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { latestTrustScores } = await import('../../core/trust/record.ts');
  const { servers, scores } = await withStore(options, (store) => ({ servers: listServers(store.db), scores: latestTrustScores(store.db) }));
  if (options.json === true) return printJson({ servers: servers.map((s) => ({ ...s, trust_score: scores.get(s.id)?.score ?? null })) });
  if (servers.length === 0) {
    print('No servers are registered. Add one with `mcp-warden mcp add <name> stdio --command <path>`.\n');
    return;
  }
  const rows = servers.map((s) => [s.name, s.status, String(scores.get(s.id)?.score ?? '-'), s.transport, launchLine(s), truncate(s.description, 40), s.env_template.map((e) => e.key).join(',')]);
  print(`${formatTable(['NAME', 'STATUS', 'TRUST', 'TRANSPORT', 'COMMAND/URL', 'DESCRIPTION', 'ENV'], rows)}\n`);
}

export async function show(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { latestProbe, readPin } = await import('../../core/pins/record.ts');
  const { server, pin, lastDiff } = await withStore(options, (store) => {
    const found = getServer(store.db, name);
    return { server: found, pin: readPin(store.db, found.id), lastDiff: latestProbe(store.db, found.id)?.diff ?? null };
  });
  if (options.json === true) return printJson({ server, pin: pin ?? null, last_diff: lastDiff });
  const fields: [string, string][] = [
    ['Name', server.name],
    ['Display name', server.display_name],
    ['Id', server.id],
    ['Description', server.description || '-'],
    ['Transport', server.transport],
    ['Server URL', server.server_url],
  ];
  if (server.transport === 'stdio') {
    fields.push(['Command', server.command ?? '-'], ['Args', server.args.length > 0 ? server.args.map(quoteArg).join(' ') : '-'], ['Working dir', server.cwd ?? '-']);
  } else {
    fields.push(['URL', server.url ?? '-']);
    for (const [header, value] of Object.entries(server.headers)) fields.push([`Header ${header}`, value]);
  }
  for (const pair of server.env_template) fields.push([`Env ${pair.key}`, pair.value]);
  fields.push(
    ['Capabilities', server.capabilities.join(', ') || '-'],
    ['Status', server.status],
    ['Source', server.source.kind === 'manual' ? 'registered by hand' : `${server.source.client}: ${server.source.config_path} (${server.source.key})`],
    ['Executable SHA-256', server.command_sha256 ?? '-'],
    ['Fingerprint', server.fingerprint],
    ['Created', server.created_at],
    ['Updated', server.updated_at],
  );
  if (pin !== undefined) {
    fields.push(['Pinned manifest', pin.manifest_sha256]);
    for (const entry of pin.entries) fields.push([`Pinned ${entry.kind}`, `${entry.key}  sha256:${entry.sha256.slice(0, 16)}`]);
  }
  if (lastDiff !== null) fields.push(['Last diff', JSON.stringify(lastDiff)]);
  print(`${formatFields(fields)}\n`);
}

export async function remove(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { removeServer } = await import('../../core/registry/register.ts');
  const server = await withStore(options, (store) => removeServer(store, name));
  if (options.json === true) printJson({ removed: server });
  else print(`Removed server "${server.name}" (${server.id}).\n`);
}

function launchLine(s: ServerDefinition): string {
  if (s.status === 'declared') return '(declared: no client config lists it yet)';
  return s.transport === 'stdio' ? [s.command ?? '', ...s.args.map(quoteArg)].join(' ') : (s.url ?? '');
}

const quoteArg = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

function splitPair(text: string, flag: string, shape: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new WardenError('invalid_input', `${flag} expects ${shape}, but got ${JSON.stringify(text)}.`, flag.slice(2));
  return [text.slice(0, at), text.slice(at + 1)];
}

export const splitList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function dropUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

export async function approve(name: string, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { approveServer } = await import('../../core/registry/approve.ts');
  const { confirmedMessage } = await import('../../core/probe/consent.ts');
  const { server, before } = await withStore(options, (store) => approveServer({ store, env: process.env }, name));
  if (options.json === true) return printJson({ server });
  const what = before.fingerprint === server.fingerprint ? '' : ` Its definition now follows the config: ${launchLine(server)}.`;
  if (before.status === 'pending') return print(`${confirmedMessage(server)}\n`);
  print(`Approved server "${server.name}" (was ${before.status}).${what}\n`);
}

export async function link(name: string, options: GlobalOptions & { client?: string; config?: string; key?: string; json?: boolean }): Promise<void> {
  const { linkServer } = await import('../../core/registry/link.ts');
  const { hostPlatform } = await import('../platform.ts');
  const linked = await withStore(options, (store) =>
    linkServer({ store, env: process.env, where: hostPlatform() }, name, { client: options.client ?? '', configPath: options.config, key: options.key }),
  );
  if (options.json === true) return printJson({ link: { server: linked.server.name, client: linked.location.client, config_path: linked.location.path, pointer: linked.pointer } });
  print(`Linked "${linked.server.name}" to ${linked.location.client} (${linked.location.path}, entry ${linked.pointer}): that entry is now checked against this definition.\n`);
}

export async function allowRule(name: string, rule: string, allowed: boolean, options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { setRuleAllowed } = await import('../../core/registry/allow-rule.ts');
  const server = await withStore(options, (store) => setRuleAllowed(store, name, rule, allowed));
  if (options.json === true) return printJson({ server });
  print(allowed ? `Content-scan rule ${rule} is now allowed for "${server.name}": its findings no longer raise alerts.\n` : `Content-scan rule ${rule} applies to "${server.name}" again.\n`);
}
