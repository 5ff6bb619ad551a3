import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.ts';
import type { ServerDefinition } from '../api/server.ts';

/** What decides what runs: the launch fields of a definition. */
export type Launch = Pick<ServerDefinition, 'transport' | 'command' | 'args' | 'cwd' | 'url' | 'headers' | 'env_template'>;

/**
 * SHA-256 over the RFC 8785 canonical JSON of what decides what runs. Header and env *names* only:
 * values may be secrets, and a rotated secret is not a different server.
 */
export function launchFingerprint(def: Launch): string {
  const material = {
    transport: def.transport,
    command: def.command,
    args: def.args,
    cwd: def.cwd,
    url: def.url,
    header_names: Object.keys(def.headers).map((h) => h.toLowerCase()).sort(),
    env_keys: def.env_template.map((e) => e.key).sort(),
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}
