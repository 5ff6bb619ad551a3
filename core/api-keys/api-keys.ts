/**
 * REST API keys (`mcp-warden api-key create|list|revoke`). A key is shown once, at creation; the
 * database keeps its SHA-256 and its first characters only, so a copy of the database grants nothing.
 * Keys are checked against the table on every request (a key revoked by another process fails at
 * once), in time that does not depend on which stored hash the presented key resembles.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyInfo, CreatedApiKey } from '../api/rest.ts';
import { conflict, invalidInput, notFound } from '../api/errors.ts';
import { nameProblem } from '../api/names.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db, Store } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

export const API_KEY_PREFIX = 'mcpw_';
/** Characters of the key kept to tell keys apart: `mcpw_` and 7 of its 256 random bits. */
const SHOWN_CHARS = 12;
/** last_used_at is written at most this often per key, so a burst of requests does not write each time. */
const LAST_USED_EVERY_MS = 60_000;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

type KeyRow = ApiKeyInfo & { id: number; hash: string };

export function createApiKey(store: Store, name: string, now: Date = new Date()): CreatedApiKey {
  const problem = typeof name === 'string' ? nameProblem(name) : 'it must be a string';
  if (problem !== null) throw invalidInput('name', `The API key name ${JSON.stringify(String(name).slice(0, 80))} is invalid: ${problem}.`);
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, SHOWN_CHARS);
  const { db } = store;
  db.transaction(() => {
    const taken = stmt<[string], { name: string }>(db, 'SELECT name FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(name);
    if (taken !== undefined) throw conflict(`An API key named "${taken.name}" already exists: revoke it first, or choose another name.`, 'name');
    stmt(db, 'INSERT INTO api_keys (name, hash, prefix, created_at) VALUES (?, ?, ?, ?)').run(name, sha256(key).toString('hex'), prefix, now.toISOString());
    appendAudit(db, { actor: 'user', type: 'api_key.created', details: { name, prefix } }, now);
  }).immediate();
  return { name, key };
}

/** Every key, active and revoked, oldest first: names, prefixes and dates, never a key or its hash. */
export function listApiKeys(db: Db): ApiKeyInfo[] {
  return stmt<[], ApiKeyInfo>(db, 'SELECT name, prefix, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id').all();
}

export function revokeApiKey(store: Store, name: string, now: Date = new Date()): ApiKeyInfo {
  const { db } = store;
  return db.transaction(() => {
    const row = stmt<[string], KeyRow>(db, 'SELECT * FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(name);
    if (row === undefined) throw notFound(`No active API key is named "${name}".`, 'name');
    const at = now.toISOString();
    stmt(db, 'UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(at, row.id);
    appendAudit(db, { actor: 'user', type: 'api_key.revoked', details: { name: row.name, prefix: row.prefix } }, now);
    return { name: row.name, prefix: row.prefix, created_at: row.created_at, last_used_at: row.last_used_at, revoked_at: at };
  }).immediate();
}

/**
 * The key's name when `presented` is an active key, else null. Every active hash is compared, with
 * no early exit, using timingSafeEqual over equal-length digests: the time taken says nothing about
 * how close the presented key came to a stored one.
 */
export function authenticateApiKey(db: Db, presented: string, now: Date = new Date()): { name: string } | null {
  if (typeof presented !== 'string' || presented === '') return null;
  const digest = sha256(presented);
  let match: Pick<KeyRow, 'id' | 'name' | 'last_used_at'> | null = null;
  for (const row of stmt<[], Pick<KeyRow, 'id' | 'name' | 'hash' | 'last_used_at'>>(db, 'SELECT id, name, hash, last_used_at FROM api_keys WHERE revoked_at IS NULL').all()) {
    const stored = Buffer.from(row.hash, 'hex');
    if (stored.length === digest.length && timingSafeEqual(stored, digest) && match === null) match = row;
  }
  if (match === null) return null;
  const last = match.last_used_at === null ? 0 : Date.parse(match.last_used_at);
  if (now.getTime() - last >= LAST_USED_EVERY_MS) {
    // Not audited: use is not a change. A failure to record it (database busy) must not refuse the request.
    try {
      stmt(db, 'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), match.id);
    } catch {
      // recorded on a later request
    }
  }
  return { name: match.name };
}
