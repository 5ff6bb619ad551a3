/** User settings stored in the database, each validated against its allowed values. */
import { invalidInput } from '../api/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

export const SETTINGS = {
  /** What happens to a server that appears in a client config: registered as discovered, or only alerted on. */
  'new-server-policy': { values: ['register', 'alert'], default: 'register' },
  /** How many servers `mcp probe --all` starts at once. */
  'probe-concurrency': { values: ['1', '2', '3', '4', '6', '8', '12', '16'], default: '4' },
  /**
   * Probing starts a server: `ask` (default) starts one that was only discovered, never approved, only
   * when the user says yes for that probe (`--yes`, `{"consent": true}`, the UI's dialog); `allow`
   * starts discovered servers without asking (for people who probe everything their clients list).
   */
  'probe-consent': { values: ['ask', 'allow'], default: 'ask' },
  /**
   * What `mcp-warden run` does for a server without its own policy. attestation-policy: when the
   * server no longer matches its attestation, `warn` starts it and raises a high alert, `block` does
   * not start it. undeclared-tool-policy: when the client calls a tool that is neither pinned nor
   * declared, `warn` passes the call and raises a high alert, `block` answers it with an error.
   */
  'attestation-policy': { values: ['warn', 'block'], default: 'warn' },
  'undeclared-tool-policy': { values: ['warn', 'block'], default: 'warn' },
  /** Which new alerts the desktop app shows as OS notifications: high and critical, critical only, or none. */
  notifications: { values: ['high', 'critical', 'off'], default: 'high' },
  /** Whether the desktop app starts when the user logs in (the desktop shell registers it with the OS). */
  'start-at-login': { values: ['off', 'on'], default: 'off' },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K]['values'][number];

export function getSetting<K extends SettingKey>(db: Db, key: K): SettingValue<K> {
  const row = stmt<[string], { value: string }>(db, 'SELECT value FROM settings WHERE key = ?').get(key);
  const allowed: readonly string[] = SETTINGS[key].values;
  return (row !== undefined && allowed.includes(row.value) ? row.value : SETTINGS[key].default) as SettingValue<K>;
}

export function allSettings(db: Db): Record<SettingKey, string> {
  return Object.fromEntries(Object.keys(SETTINGS).map((k) => [k, getSetting(db, k as SettingKey)])) as Record<SettingKey, string>;
}

/** The values each setting accepts, in the order to offer them. */
export function settingChoices(): Record<SettingKey, string[]> {
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, setting]) => [key, [...setting.values]])) as Record<SettingKey, string[]>;
}

export function assertSettingKey(key: string): asserts key is SettingKey {
  // An own key only: `in` also finds Object.prototype's names (`__proto__`, `constructor`, `toString`).
  if (!Object.hasOwn(SETTINGS, key)) throw invalidInput('key', `Unknown setting "${key}": the settings are ${Object.keys(SETTINGS).join(', ')}.`);
}

export function validateSetting(key: SettingKey, value: string): void {
  const allowed: readonly string[] = SETTINGS[key].values;
  if (!allowed.includes(value)) throw invalidInput('value', `The setting ${key} takes ${allowed.join(' or ')}, not "${value}".`);
}

/** Stores a setting (audited). */
export function setSetting(db: Db, key: string, value: string, now: Date = new Date()): void {
  assertSettingKey(key);
  validateSetting(key, value);
  db.transaction(() => {
    stmt(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    appendAudit(db, { actor: 'user', type: 'setting.changed', details: { key, value } }, now);
  }).immediate();
}
