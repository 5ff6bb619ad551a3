/**
 * Names for secrets moved out of client configs: `<server>-<env key or header, lowercased>`
 * (`github-github_token`, `api-authorization`), made valid for NAME_PATTERN and unique among the
 * stored secrets (`-2`, `-3`, ...). A name is only a label; the value never shapes it.
 */
import { NAME_PATTERN } from '../api/names.ts';
import { validateSecretName } from '../secrets/secrets.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';

const MAX = 64;

/** `base` made to fit the secret name rules: only [A-Za-z0-9_.-], no leading '.', at most 64 characters. */
function sanitise(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '').replace(/-+$/, '');
  return cleaned.slice(0, MAX) || 'secret';
}

/**
 * A free secret name for `what` (an env key or header name) of `server`. `reserved` holds names
 * already handed out in this run (not yet stored), compared case-insensitively like stored names.
 */
export function generateSecretName(db: Db, server: string, what: string, reserved: ReadonlySet<string> = new Set()): string {
  const base = sanitise(`${server}-${what.toLowerCase()}`);
  const taken = (name: string): boolean =>
    reserved.has(name.toLowerCase()) || stmt<[string], { name: string }>(db, 'SELECT name FROM secrets WHERE name = ? COLLATE NOCASE').get(name) !== undefined;
  let name = base;
  for (let i = 2; !NAME_PATTERN.test(name) || taken(name); i++) {
    const suffix = `-${i}`;
    name = `${base.slice(0, MAX - suffix.length)}${suffix}`;
  }
  validateSecretName(name);
  return name;
}
