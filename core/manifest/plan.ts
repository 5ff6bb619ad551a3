/**
 * What `apply` must do so the machine matches a manifest: per server, register it (not in the
 * registry), update the fields that differ, set the policies the file names, and attach it to each
 * client it lists that does not run it through the launcher yet. Reads only: every check against the
 * world (commands found, folders exist, secrets stored, names not taken by a discovered server)
 * happens here, so an invalid file changes nothing.
 *
 * Decisions:
 * - A field the file leaves out has the registry's default (no args, no description, the name as
 *   display name): the file is the whole definition. Policies are the exception: a policy the file
 *   leaves out is left as it is (the app's Settings may have set it).
 * - Apply never removes: servers missing from the file stay registered, and it never detaches (a
 *   client entry is removed with `mcp detach`). Removing a line from a manifest is then never a
 *   surprise outage; the file says what must exist, not all that may.
 * - A name held by a server discovered in a client config is refused: that server's launch is its
 *   config entry, which a manifest does not own.
 */
import path from 'node:path';
import type { ApplyChange } from '../api/launcher.ts';
import type { ServerDefinition, ServerInput } from '../api/server.ts';
import { WardenError } from '../api/errors.ts';
import { getServerPolicies, type PolicyChange } from '../launcher/policy.ts';
import { findServer } from '../registry/read.ts';
import { launchOf, resolveCwd, secretReferences } from '../registry/register.ts';
import { resolveCommand } from '../registry/resolve-command.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { isAttachedFor } from '../links/index.ts';
import { envPath, manifestError, type AttachTarget, type Manifest, type ManifestServer } from './schema.ts';

export interface PlannedAttach extends AttachTarget {
  /** The config path resolved against the manifest's folder. */
  configPath?: string;
}

export interface ServerPlan {
  server: ManifestServer;
  existing: ServerDefinition | undefined;
  action: 'register' | 'update' | 'unchanged';
  /** Definition fields that differ (update). */
  fields: (keyof ServerInput)[];
  /** The policies to set, when they differ from the server's own. */
  policy: PolicyChange | null;
  attach: PlannedAttach[];
}

export interface ApplyPlan {
  servers: ServerPlan[];
  changes: ApplyChange[];
}

export interface PlanContext {
  db: Db;
  /** The manifest file (messages) and its folder (relative commands, cwd and config paths). */
  file: string;
  env: Record<string, string | undefined>;
}

const COMPARED = ['display_name', 'description', 'capabilities', 'transport', 'command', 'args', 'cwd', 'url', 'headers', 'env_template'] as const;

export function planManifest(manifest: Manifest, ctx: PlanContext): ApplyPlan {
  const dir = path.dirname(path.resolve(ctx.file));
  const servers = manifest.servers.map((server) => planServer(manifest, server, ctx, dir));
  return { servers, changes: servers.flatMap(changesOf) };
}

function planServer(manifest: Manifest, server: ManifestServer, ctx: PlanContext, dir: string): ServerPlan {
  const fail = (field: (string | number)[], message: string): WardenError => manifestError(ctx.file, manifest, ['servers', server.index, ...field], message);
  const { input } = server;
  const existing = findServer(ctx.db, input.name);
  if (existing !== undefined && existing.source.kind === 'discovered') {
    throw fail(['name'], `"${existing.name}" is a server found in ${existing.source.config_path}; its launch is that config entry, so a manifest cannot manage it: give the manifest's server another name.`);
  }

  const desired = desiredDefinition(input, ctx, dir, fail);
  for (const ref of secretReferences({ env_template: input.env_template ?? [], headers: input.headers ?? {} })) {
    if (stmt<[string], { name: string }>(ctx.db, 'SELECT name FROM secrets WHERE name = ?').get(ref.secret) === undefined) {
      const at = ref.field.startsWith('headers.') ? ['headers', ref.field.slice('headers.'.length)] : envPath(['env_template', Number(/\[(\d+)\]/.exec(ref.field)?.[1] ?? 0), 'value'], input.env_template, server.envAsObject);
      throw fail(at, `The secret "${ref.secret}" does not exist: add it first with \`mcp-warden secrets add ${ref.secret}\`.`);
    }
  }

  const fields = existing === undefined || existing.status === 'declared' ? [] : COMPARED.filter((f) => JSON.stringify(normalise(desired[f])) !== JSON.stringify(normalise(existing[f])));
  if (existing !== undefined && existing.name !== input.name) fields.unshift('name' as (typeof COMPARED)[number]);
  const action = existing === undefined ? 'register' : existing.status === 'declared' ? 'update' : fields.length > 0 ? 'update' : 'unchanged';

  const own = existing === undefined ? { attestation: null, undeclared: null } : getServerPolicies(ctx.db, existing.id);
  const policy: PolicyChange = {};
  if (server.policy.attestation !== undefined && server.policy.attestation !== own.attestation) policy.attestation = server.policy.attestation;
  if (server.policy.undeclared !== undefined && server.policy.undeclared !== own.undeclared) policy.undeclared = server.policy.undeclared;

  const attach = server.attach
    .map((target): PlannedAttach => (target.config === undefined ? { client: target.client } : { ...target, configPath: path.resolve(dir, target.config) }))
    .filter((target) => existing === undefined || !isAttached(ctx.db, existing.id, target));
  return { server, existing, action, fields: existing?.status === 'declared' ? COMPARED.filter((f) => desired[f] !== undefined && f !== 'display_name') : fields, policy: Object.keys(policy).length > 0 ? policy : null, attach };
}

/** The definition fields as the registry would store them (command and cwd resolved). */
function desiredDefinition(input: ServerInput, ctx: PlanContext, dir: string, fail: (field: (string | number)[], message: string) => WardenError): Pick<ServerDefinition, (typeof COMPARED)[number]> {
  const cwd = resolveCwd(input.cwd, dir, (message) => fail(['cwd'], message));
  let command: string | null = null;
  if (input.transport === 'stdio') {
    try {
      command = resolveCommand(input.command as string, { cwd: cwd ?? dir, env: ctx.env });
    } catch (error) {
      if (error instanceof WardenError) throw fail(['command'], error.message);
      throw error;
    }
  }
  return {
    display_name: input.display_name?.trim() || input.name,
    description: input.description ?? '',
    capabilities: input.capabilities ?? [],
    ...launchOf(input, command, cwd),
  };
}

/** Objects compared regardless of key order (headers); lists keep theirs. */
function normalise(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

/** Whether a config entry of that client (that file, when named) already runs the server through the launcher. */
export function isAttached(db: Db, serverId: string, target: PlannedAttach): boolean {
  return isAttachedFor(db, serverId, target.client, target.configPath ?? null);
}

const POLICY_FIELDS: Record<keyof PolicyChange, string> = { attestation: 'policy.attestation', undeclared: 'policy.undeclared_tools' };

function changesOf(plan: ServerPlan): ApplyChange[] {
  const name = plan.server.input.name;
  const policyFields = plan.policy === null ? [] : (Object.keys(plan.policy) as (keyof PolicyChange)[]).map((k) => POLICY_FIELDS[k]);
  const changes: ApplyChange[] = [];
  if (plan.action === 'register') changes.push({ action: 'register', server: name, detail: plan.server.input.transport });
  const updated = [...(plan.action === 'update' ? plan.fields : []), ...(plan.action === 'register' ? [] : policyFields)];
  if (updated.length > 0) changes.push({ action: 'update', server: name, detail: updated.join(', ') });
  for (const target of plan.attach) changes.push({ action: 'attach', server: name, detail: target.configPath === undefined ? target.client : `${target.client} (${target.configPath})` });
  if (changes.length === 0) changes.push({ action: 'unchanged', server: name, detail: '' });
  return changes;
}
