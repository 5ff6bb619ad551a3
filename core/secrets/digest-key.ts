/**
 * The key of the config-value digests (`[redacted:<hmac>]`, core/discovery/redact.ts). The digests
 * are in the database; the key must not be beside them, or anyone holding a copy of the file can
 * try likely values (a short password, a PIN) against a digest offline.
 *
 * Where it lives, recorded in `meta.digest_key_store` (never the key itself):
 * - `keychain`: the OS keychain entry DIGEST_KEY_ENTRY of this data directory's service (the
 *   install id scopes it, as for secrets). Chosen whenever the keychain is available and persistent.
 * - `file`: `<data dir>/digest-key`, mode 0600, when no usable keychain answered at creation. It
 *   stays there (moving it later would need a step outside the scan's transaction); `secrets status`
 *   says where it is, and a notice said so when it was made.
 * A key kept in the database by an older version (`meta.redaction_key`) is moved, the same value (so
 * every stored digest still compares), and its row deleted with secure_delete on, then the WAL is
 * truncated at close: the old bytes do not linger in warden.db or its -wal.
 *
 * `meta.digest_key_check` (an HMAC of a constant under the key) catches a keychain entry or file that
 * now holds another key. A key that is gone or different is replaced by a new one, audited and said:
 * scanning must not stop (that would blind the monitor), and the digests it writes from then on differ
 * from the stored ones, so secret-bearing headers and arguments read as changed once.
 */
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { appendAudit } from '../audit/audit-log.ts';
import { PRIVATE_FILE_MODE } from '../home/private-files.ts';
import { truncateWal, truncateWalOnClose, type Db } from '../store/database.ts';
import { addNotice } from '../store/notices.ts';
import { stmt } from '../store/statements.ts';
import { OsKeychain, type Keychain } from './keychain.ts';

export const DIGEST_KEY_ENTRY = '.digest-hmac-key';
export const DIGEST_KEY_FILE = 'digest-key';
const STORE_META = 'digest_key_store';
const CHECK_META = 'digest_key_check';
/** Where versions up to 0.1 kept the key, in the database. */
export const LEGACY_KEY_META = 'redaction_key';

export type DigestKeyStore = 'keychain' | 'file';

export interface DigestKeyStatus {
  /** `none` before the first scan made one. */
  store: DigestKeyStore | 'none';
  /** The key file, when `store` is `file`. */
  file?: string;
}

export type KeychainFor = (installId: string) => Keychain;
const osKeychain: KeychainFor = (installId) => new OsKeychain(installId);

const cache = new WeakMap<Db, KeyObject>();

const meta = (db: Db, key: string): string | undefined => stmt<[string], { value: string }>(db, 'SELECT value FROM meta WHERE key = ?').get(key)?.value;
const setMeta = (db: Db, key: string, value: string): void => {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
};
const keyFile = (db: Db): string => path.join(path.dirname(db.name), DIGEST_KEY_FILE);
const checkOf = (hex: string): string => createHmac('sha256', Buffer.from(hex, 'hex')).update('mcp-warden digest key check').digest('hex').slice(0, 16);
const isKeyHex = (value: string | null | undefined): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

export function digestKeyStatus(db: Db): DigestKeyStatus {
  const store = meta(db, STORE_META);
  if (store === 'keychain') return { store };
  if (store === 'file') return { store, file: keyFile(db) };
  return { store: 'none' };
}

/**
 * The digest key of this database, made (or moved out of the database) on first use. Runs inside the
 * caller's transaction when there is one (the scan's), so a rolled-back scan leaves no record of a
 * key it made; such a key is therefore not cached, and the next call reads what was committed.
 */
export function digestKey(db: Db, keychainFor: KeychainFor = osKeychain): KeyObject {
  const known = cache.get(db);
  if (known !== undefined) return known;
  const { hex, recorded } = db.transaction(() => resolve(db, keychainFor)).immediate();
  const key = createSecretKey(Buffer.from(hex, 'hex'));
  if (recorded) cache.set(db, key);
  return key;
}

function resolve(db: Db, keychainFor: KeychainFor): { hex: string; recorded: boolean } {
  const installId = meta(db, 'install_id') as string;
  const where = meta(db, STORE_META);
  const legacy = meta(db, LEGACY_KEY_META);
  let result: { hex: string; recorded: boolean };
  if (where === 'keychain' || where === 'file') {
    // The keychain's own one-sentence error propagates when it is locked or gone: the digests
    // cannot be made comparable without the key, and a new one would make every value read as changed.
    const stored = where === 'keychain' ? keychainFor(installId).get(DIGEST_KEY_ENTRY) : readKeyFile(keyFile(db));
    const check = meta(db, CHECK_META);
    result = isKeyHex(stored) && checkOf(stored) === check ? { hex: stored, recorded: legacy === undefined } : { hex: replace(db, keychainFor, installId, where, stored === null ? 'missing' : 'different'), recorded: false };
  } else if (isKeyHex(legacy)) {
    // The same value, so every digest already stored still compares.
    const placed = place(db, keychainFor, installId, legacy);
    appendAudit(db, { actor: 'system', type: 'digest_key.moved', details: { from: 'database', to: placed.store, ...(placed.file === undefined ? {} : { file: placed.file }) } });
    result = { hex: legacy, recorded: false };
  } else {
    const hex = randomBytes(32).toString('hex');
    const placed = place(db, keychainFor, installId, hex);
    appendAudit(db, { actor: 'system', type: 'digest_key.created', details: { store: placed.store, ...(placed.file === undefined ? {} : { file: placed.file }) } });
    result = { hex, recorded: false };
  }
  if (legacy !== undefined) removeLegacyRow(db);
  return result;
}

/**
 * Moves a key an older version kept in the database out of it, then empties the WAL, so its bytes are
 * gone from warden.db and warden.db-wal as soon as the command starts, not at the first scan. Called by
 * the shells right after opening the store, outside any transaction; nothing to do (no keychain call)
 * when the database holds no such key. True when it moved one.
 */
export function moveLegacyDigestKey(db: Db, keychainFor: KeychainFor = osKeychain): boolean {
  if (meta(db, LEGACY_KEY_META) === undefined) return false;
  digestKey(db, keychainFor);
  truncateWal(db);
  return true;
}

/** Stores the key in the keychain when it is usable, else in the key file; records where and its check. */
function place(db: Db, keychainFor: KeychainFor, installId: string, hex: string, only?: DigestKeyStore): { store: DigestKeyStore; file?: string } {
  const keychain = keychainFor(installId);
  const state = only === 'file' ? undefined : keychain.status();
  let store: DigestKeyStore;
  let file: string | undefined;
  if (only === 'keychain' || (state !== undefined && state.available && state.persistent)) {
    keychain.set(DIGEST_KEY_ENTRY, hex);
    store = 'keychain';
  } else {
    file = keyFile(db);
    writeKeyFile(file, hex);
    store = 'file';
    if (only === undefined) {
      const why = state?.problem?.replace(/\.$/, '') ?? 'The OS keychain is not available or does not keep entries across a logout';
      addNotice(db, `${why}; so the key of the config-value digests is kept in ${file} (mode 0600, outside the database) instead of the OS keychain.`);
    }
  }
  setMeta(db, STORE_META, store);
  setMeta(db, CHECK_META, checkOf(hex));
  return file === undefined ? { store } : { store, file };
}

function replace(db: Db, keychainFor: KeychainFor, installId: string, where: DigestKeyStore, reason: 'missing' | 'different'): string {
  const hex = randomBytes(32).toString('hex');
  const placed = place(db, keychainFor, installId, hex, where);
  const whereText = placed.store === 'keychain' ? `the OS keychain entry ${DIGEST_KEY_ENTRY}` : placed.file;
  appendAudit(db, { actor: 'system', type: 'digest_key.replaced', details: { store: placed.store, reason, ...(placed.file === undefined ? {} : { file: placed.file }) } });
  addNotice(
    db,
    `The key of the config-value digests ${reason === 'missing' ? 'was missing from' : 'no longer matched'} ${whereText}, so MCP Warden made a new one: secret values in client configs (headers, arguments) read as changed once, so review the alerts this raises.`,
  );
  return hex;
}

/**
 * Deletes the old row so that its bytes are overwritten, not just unlinked: secure_delete zeroes the
 * freed cell in the page (the meta table's one page, rewritten in place, so no VACUUM of a database
 * that may be large), and the WAL frames that still hold older images of that page are checkpointed
 * and truncated when this connection closes.
 */
function removeLegacyRow(db: Db): void {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    stmt(db, 'DELETE FROM meta WHERE key = ?').run(LEGACY_KEY_META);
  } finally {
    db.pragma(`secure_delete = ${before === 2 ? 'FAST' : before}`);
  }
  truncateWalOnClose(db);
}

function readKeyFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Written to a temporary 0600 file and renamed, so a reader never sees half of one. */
function writeKeyFile(file: string, hex: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, PRIVATE_FILE_MODE);
  try {
    if (process.platform !== 'win32') fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeSync(fd, `${hex}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
