/**
 * The registry side of moving secrets: the server's definition gets `{{secret:NAME}}` handles where
 * its env_template (a discovered server's holds redaction digests there) and headers held the values.
 * Written through the registry's own write paths (writeServer, checkSecretReferences,
 * writeSecretReferences) and audited as `server.updated`, like any change of a definition.
 */
import type { ServerDefinition } from '../api/server.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { launchFingerprint } from '../registry/fingerprint.ts';
import { getServer } from '../registry/read.ts';
import { checkSecretReferences, writeSecretReferences, writeServer } from '../registry/register.ts';
import type { Db } from '../store/database.ts';
import { recomputeTrust } from '../trust/record.ts';

export interface HandleChanges {
  /** Env key -> its new template value (a handle). */
  env: Record<string, string>;
  /** Header name -> its new value (`Bearer {{secret:NAME}}`). */
  headers: Record<string, string>;
}

/** The definition with the changes applied; env keys and headers it lacked are added. */
export function withHandles(server: ServerDefinition, changes: HandleChanges): ServerDefinition {
  const env_template = server.env_template.map((pair) => (Object.hasOwn(changes.env, pair.key) ? { key: pair.key, value: changes.env[pair.key] as string } : pair));
  for (const [key, value] of Object.entries(changes.env)) if (!env_template.some((p) => p.key === key)) env_template.push({ key, value });
  const headers = { ...server.headers, ...changes.headers };
  const next = { ...server, env_template, headers };
  return { ...next, fingerprint: launchFingerprint(next) };
}

/** Writes the handles into the stored definition (its own transaction); returns it as stored. */
export function setSecretHandles(db: Db, serverId: string, changes: HandleChanges, now: Date): ServerDefinition {
  return db
    .transaction(() => {
      const current = getServer(db, serverId);
      const next = { ...withHandles(current, changes), updated_at: now.toISOString() };
      const fields = [
        ...(JSON.stringify(current.env_template) !== JSON.stringify(next.env_template) ? ['env_template'] : []),
        ...(JSON.stringify(current.headers) !== JSON.stringify(next.headers) ? ['headers'] : []),
      ];
      if (fields.length === 0) return current;
      const refs = checkSecretReferences(db, next);
      writeServer(db, next);
      writeSecretReferences(db, next.id, refs);
      appendAudit(db, {
        actor: 'user',
        type: 'server.updated',
        server_id: next.id,
        details: { name: next.name, fields, reason: 'secrets moved to the keychain', fingerprint_before: current.fingerprint, fingerprint: next.fingerprint },
      }, now);
      recomputeTrust(db, next.id, now);
      return getServer(db, next.id);
    })
    .immediate();
}
