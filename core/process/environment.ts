/**
 * What a probed server gets to see: a built environment (never this process's whole env) and its
 * secrets, resolved from the keychain in memory only. A `Redactor` (secret-redactor.ts) then scrubs
 * every resolved value out of whatever comes back, so a server that echoes its env cannot leak a
 * secret into a result: whole, in part, or encoded.
 */
import { SECRET_HANDLE, secretHandlesIn } from '../api/names.ts';
import type { EnvVar } from '../api/server.ts';
import type { Keychain } from '../secrets/keychain.ts';

/** Passed through from this process on every platform, when set. */
export const SAFE_ENV_KEYS = ['HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'TEMP', 'TMP', 'SHELL'] as const;
/** Also passed through on Windows, where programs fail without them. */
export const SAFE_ENV_KEYS_WINDOWS = ['SystemRoot', 'APPDATA', 'LOCALAPPDATA', 'USERPROFILE', 'PATHEXT', 'ComSpec'] as const;

export interface BuildEnvironmentInput {
  /** The PATH to give the server: the login shell's (see `login-path.ts`). */
  path: string;
  env_template: readonly EnvVar[];
  /** Secret values by name, resolved beforehand with `resolveSecrets`. */
  secrets: ReadonlyMap<string, string>;
  /** Where the safe keys are read from (default `process.env`). */
  parentEnv?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/**
 * The server's environment: the safe keys from the parent, then PATH, then the definition's
 * `env_template` with handles filled in (the template wins, PATH included).
 */
export function buildEnvironment(input: BuildEnvironmentInput): Record<string, string> {
  const parent = input.parentEnv ?? process.env;
  const platform = input.platform ?? process.platform;
  const env: Record<string, string> = {};
  const keys: readonly string[] = platform === 'win32' ? [...SAFE_ENV_KEYS, ...SAFE_ENV_KEYS_WINDOWS] : SAFE_ENV_KEYS;
  for (const key of keys) {
    const value = lookup(parent, key, platform);
    // A value that starts with "()" is a shell function export: never pass those on.
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  if (input.path !== '') env[platform === 'win32' ? 'Path' : 'PATH'] = input.path;
  for (const { key, value } of input.env_template) env[key] = fillHandles(value, input.secrets);
  return env;
}

/** Windows environment names are case-insensitive; elsewhere they are not. */
function lookup(env: NodeJS.ProcessEnv, key: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[key];
  const found = Object.keys(env).find((name) => name.toUpperCase() === key.toUpperCase());
  return found === undefined ? undefined : env[found];
}

/** Every secret name the texts' handles refer to, in order, without repeats. */
export function handlesIn(texts: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const text of texts) for (const name of secretHandlesIn(text)) names.add(name);
  return [...names];
}

export type SecretResolution =
  | { ok: true; secrets: Map<string, string> }
  | { ok: false; missing: string[] }
  | { ok: false; unavailable: string };

/** Looks every name up in the keychain. Missing names are all reported at once. */
export function resolveSecrets(names: readonly string[], keychain: Keychain | undefined): SecretResolution {
  const secrets = new Map<string, string>();
  if (names.length === 0) return { ok: true, secrets };
  if (keychain === undefined) return { ok: false, missing: [...names] };
  const missing: string[] = [];
  for (const name of names) {
    let value: string | null;
    try {
      value = keychain.get(name);
    } catch (error) {
      // The keychain's own sentence (locked, no Secret Service); it never holds a value.
      return { ok: false, unavailable: String((error as Error)?.message ?? error) };
    }
    if (value === null) missing.push(name);
    else secrets.set(name, value);
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, secrets };
}

/** Replaces every `{{secret:NAME}}` handle in `text` with its value. */
export function fillHandles(text: string, secrets: ReadonlyMap<string, string>): string {
  return text.replace(new RegExp(SECRET_HANDLE.source, 'g'), (handle, name: string) => secrets.get(name) ?? handle);
}

/** The Redactor scrubs resolved secret values (whole, in part and encoded) out of results: see secret-redactor.ts. */
export { Redactor } from './secret-redactor.ts';
