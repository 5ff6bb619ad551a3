import { conflict, invalidInput, notFound } from '../api/errors.ts';
import { nameProblem } from '../api/names.ts';
import type { SecretInfo } from '../api/secret.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db, Store } from '../store/database.ts';
import type { Keychain } from './keychain.ts';
import { stmt } from '../store/statements.ts';

/** Largest value accepted; keychains reject much larger blobs anyway. */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface AddSecretInput {
  name: string;
  value: string;
  description?: string | undefined;
  /** Replace the value of an existing secret (rotation) instead of refusing. */
  replace?: boolean | undefined;
}

export function validateSecretName(name: string): void {
  const problem = nameProblem(name);
  if (problem !== null) throw invalidInput('name', `The secret name ${JSON.stringify(name)} is invalid: ${problem}.`);
  // Names starting with '.' are MCP Warden's own keychain entries (the device signing key).
  if (name.startsWith('.')) throw invalidInput('name', `The secret name ${JSON.stringify(name)} is reserved: names starting with '.' are MCP Warden's own keychain entries.`);
}

/**
 * Stores the value in the OS keychain and only the name in the database. The keychain is written
 * first: if it is unavailable nothing is stored anywhere.
 */
export function addSecret(store: Store, keychain: Keychain, input: AddSecretInput, now: Date = new Date()): SecretInfo {
  validateSecretName(input.name);
  if (input.value === '') throw invalidInput('value', `The value for secret ${input.name} is empty.`);
  if (Buffer.byteLength(input.value) > MAX_SECRET_BYTES) throw invalidInput('value', `The value for secret ${input.name} is larger than ${MAX_SECRET_BYTES} bytes.`);
  const description = input.description ?? '';
  if (description.length > 4096) throw invalidInput('description', 'The description is longer than 4096 characters.');

  const existing = findSecretRow(store.db, input.name);
  if (existing !== undefined && input.replace !== true) {
    throw conflict(`A secret named "${input.name}" already exists: pass --replace to change its value.`, 'name');
  }
  keychain.set(input.name, input.value);
  try {
    store.db.transaction(() => {
      stmt(store.db, 
          `INSERT INTO secrets (name, description, created_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET description = CASE WHEN excluded.description = '' THEN description ELSE excluded.description END`,
        )
        .run(input.name, description, now.toISOString());
      // The name only: an audit event never holds a value.
      appendAudit(store.db, { actor: 'user', type: existing === undefined ? 'secret.added' : 'secret.replaced', details: { name: input.name } }, now);
    }).immediate();
  } catch (error) {
    // Keep the keychain and the database in step: a value with no record is never left behind.
    if (existing === undefined) keychain.delete(input.name);
    throw error;
  }
  return getSecretInfo(store.db, input.name);
}

/** Every secret's metadata, or only the one named `name`. */
export function listSecrets(db: Db, name?: string): SecretInfo[] {
  const rows = stmt<[string | null, string | null], { name: string; description: string; created_at: string; used_by: string | null }>(db, 
      `SELECT s.name, s.description, s.created_at,
              (SELECT json_group_array(name) FROM (SELECT v.name FROM server_secret_refs r JOIN servers v ON v.id = r.server_id
                                                   WHERE r.secret_name = s.name ORDER BY v.name)) AS used_by
         FROM secrets s WHERE ? IS NULL OR s.name = ? ORDER BY s.name`,
    )
    .all(name ?? null, name ?? null);
  return rows.map((row) => ({ ...row, used_by: JSON.parse(row.used_by ?? '[]') as string[] }));
}

export function getSecretInfo(db: Db, name: string): SecretInfo {
  const info = listSecrets(db, name)[0];
  if (info === undefined) throw notFound(`No secret named "${name}" exists.`, 'name');
  return info;
}

/**
 * Removes a secret from the keychain and the database. Refused while a server references it,
 * unless `force`: then those servers keep a dangling handle and fail to launch with a clear error.
 */
export function removeSecret(store: Store, keychain: Keychain, name: string, options: { force?: boolean } = {}): SecretInfo {
  validateSecretName(name);
  const info = getSecretInfo(store.db, name);
  if (info.used_by.length > 0 && options.force !== true) {
    const servers = info.used_by.map((s) => `"${s}"`).join(', ');
    throw conflict(`The secret "${name}" is used by ${servers}: change or remove ${info.used_by.length === 1 ? 'that server' : 'those servers'} first, or pass --force.`, 'name');
  }
  keychain.delete(name);
  store.db.transaction(() => {
    stmt(store.db, 'DELETE FROM secrets WHERE name = ?').run(name);
    appendAudit(store.db, { actor: 'user', type: 'secret.removed', details: { name, forced: info.used_by.length > 0, used_by: info.used_by } });
  }).immediate();
  return info;
}

function findSecretRow(db: Db, name: string): { name: string } | undefined {
  return stmt<[string], { name: string }>(db, 'SELECT name FROM secrets WHERE name = ?').get(name);
}
