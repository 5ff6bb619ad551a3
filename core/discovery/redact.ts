/**
 * What MCP Warden keeps of a config entry. Client configs often hold plaintext secrets; none may be
 * copied into the database. Env and header values are always replaced by a keyed digest (enough to
 * notice a change, useless to read back); args and URL query values are replaced where the hygiene
 * rules see a secret. References (`${env:X}`, `{{secret:X}}`, `$X`) are kept: they are not values.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import type { DiscoveredServer } from '../api/discovery.ts';
import { digestKey } from '../secrets/digest-key.ts';
import type { Db } from '../store/database.ts';

const REFERENCE = /^(\$\{[^}]+\}|\{\{secret:[^}]+\}\}|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%)$/;
export const REDACTED = /^\[redacted:[0-9a-f]{16}\]$/;

/**
 * A per-database random key for the digests, so equal values in two databases do not match. It lives
 * in the OS keychain, never beside the digests (core/secrets/digest-key.ts); kept as a KeyObject:
 * createHmac would otherwise import raw key bytes again on every call.
 */
export function redactionKey(db: Db): KeyObject {
  return digestKey(db);
}

export function digestValue(key: KeyObject, value: string): string {
  return `[redacted:${createHmac('sha256', key).update(value).digest('hex').slice(0, 16)}]`;
}

const keepOrDigest = (key: KeyObject, value: string): string => (value === '' || REFERENCE.test(value.trim()) ? value : digestValue(key, value));

/**
 * The entry as it may be stored. `secretLocations` are the hygiene findings' locations
 * (`args[2]`, `url.query.api_key`) whose values are secrets.
 */
export function redactEntry(entry: DiscoveredServer, key: KeyObject, secretLocations: ReadonlySet<string>): DiscoveredServer {
  const mapValues = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, keepOrDigest(key, v)]));
  const whole = (location: string, value: string | null) => (value !== null && secretLocations.has(location) ? digestValue(key, value) : value);
  return {
    ...entry,
    command: whole('command', entry.command),
    cwd: whole('cwd', entry.cwd),
    args: entry.args.map((arg, i) => (secretLocations.has(`args[${i}]`) ? digestValue(key, arg) : arg)),
    url: entry.url === null ? null : secretLocations.has('url') ? digestValue(key, entry.url) : redactUrl(entry.url, key, secretLocations),
    headers: mapValues(entry.headers),
    env: mapValues(entry.env),
  };
}

function redactUrl(raw: string, key: KeyObject, secretLocations: ReadonlySet<string>): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [...secretLocations].some((l) => l.startsWith('url')) ? digestValue(key, raw) : raw;
  }
  let changed = false;
  // Credentials in a URL are secrets whether or not a rule named them.
  if (url.username !== '' || url.password !== '') {
    const credentials = `${url.username}:${url.password}`;
    url.username = 'redacted';
    url.password = digestValue(key, credentials).slice(10, 26);
    changed = true;
  }
  for (const [name, value] of [...url.searchParams]) {
    if (secretLocations.has(`url.query.${name}`)) {
      url.searchParams.set(name, digestValue(key, value));
      changed = true;
    }
  }
  // Untouched URLs stay exactly as written: URL.toString() would normalise them (a trailing '/').
  return changed ? url.toString() : raw;
}
