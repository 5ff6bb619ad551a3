/**
 * `mcp-warden apply -f FILE.yaml`: parse and validate the whole manifest, plan against the registry
 * (core/manifest/plan.ts), then carry the plan out through the registry's own paths: registerServer,
 * updateServer (only the fields that differ), setServerPolicies and attachServer. Nothing is written
 * before the whole file has passed, so an invalid file changes nothing; a second run finds every
 * server `unchanged` and writes nothing at all.
 */
import path from 'node:path';
import type { PlatformEnv } from '../api/discovery.ts';
import { WardenError } from '../api/errors.ts';
import type { ApplyResult } from '../api/launcher.ts';
import type { ServerInput } from '../api/server.ts';
import { attachServer } from '../attach/attach.ts';
import type { LauncherContext } from '../attach/launcher-entry.ts';
import { readConfigFile } from '../discovery/read-config-file.ts';
import type { ScanOptions } from '../discovery/scan.ts';
import { setServerPolicies } from '../launcher/policy.ts';
import { registerServer } from '../registry/register.ts';
import { updateServer } from '../registry/update.ts';
import { planManifest, type ServerPlan } from './plan.ts';
import { parseManifest } from './schema.ts';

export interface ApplyContext {
  /** The manifest file. */
  file: string;
  dryRun: boolean;
  launcher: LauncherContext;
}

/** Reads, validates, plans and (unless dry run) applies a manifest file. */
export function applyManifestFile(options: ScanOptions & { where: PlatformEnv }, ctx: ApplyContext): ApplyResult {
  const text = readManifest(ctx.file);
  const manifest = parseManifest(text, ctx.file);
  const plan = planManifest(manifest, { db: options.store.db, file: ctx.file, env: options.env });
  if (!ctx.dryRun) for (const server of plan.servers) execute(options, server, ctx);
  return { dry_run: ctx.dryRun, changes: plan.changes };
}

/**
 * A manifest usually comes with a repository (the team's servers, applied by everyone who clones it),
 * so it is read like a client config from one: a link to /dev/zero, a FIFO or a huge file is named,
 * never read whole or waited on.
 */
function readManifest(file: string): string {
  const read = readConfigFile(file);
  if (read.ok) return read.bytes.toString('utf8');
  if (read.problem === 'missing') throw new WardenError('not_found', `The manifest ${file} does not exist.`, 'file');
  throw new WardenError('failed', `The manifest ${file} cannot be read: ${read.detail}.`, 'file');
}

function execute(options: ScanOptions & { where: PlatformEnv }, plan: ServerPlan, ctx: ApplyContext): void {
  const { input } = plan.server;
  const reg = { cwd: path.dirname(path.resolve(ctx.file)), env: options.env, ...(options.now !== undefined ? { now: options.now } : {}) };
  if (plan.action === 'register') registerServer(options.store, input, reg);
  else if (plan.action === 'update' && plan.existing !== undefined) updateServer(options, plan.existing.id, changeOf(input, plan.fields), reg);
  if (plan.policy !== null) setServerPolicies(options.store, input.name, plan.policy, (options.now ?? (() => new Date()))());
  for (const target of plan.attach) {
    attachServer(options, input.name, { client: target.client, ...(target.configPath !== undefined ? { configPath: target.configPath } : {}), launcher: ctx.launcher });
  }
}

/** The PATCH body for the fields that differ; a field the file leaves out gets the registry's default. */
function changeOf(input: ServerInput, fields: readonly (keyof ServerInput)[]): Record<string, unknown> {
  const defaults: Partial<Record<keyof ServerInput, unknown>> = { display_name: input.name, description: '', capabilities: [], args: [], headers: {}, env_template: [] };
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = input[field] ?? defaults[field];
    if (value !== undefined) body[field] = value;
  }
  // A new launch is given whole, so the transport, command and URL agree with each other.
  if (fields.some((f) => f === 'transport' || f === 'command' || f === 'url')) {
    body.transport = input.transport;
    if (input.transport === 'stdio') body.command = input.command;
    else body.url = input.url;
  }
  return body;
}
