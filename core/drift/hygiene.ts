/**
 * Configuration hygiene: what a single client-config entry says about itself, with no network, no
 * file system and no registry. Three kinds of finding:
 *
 * - `plaintext_secret` (high): a credential written into the config (env values, args, header values,
 *   URL query values, URL passwords), found by its known shape (SECRET_PATTERNS) or, under a
 *   secret-sounding name, by looking random (length and Shannon entropy) or, for password names, by
 *   being any literal at all. References (`{{secret:NAME}}`, `${env:X}`, `${input:x}`, `$X`, `%X%`),
 *   placeholders, booleans, numbers, paths and URLs are not secrets.
 * - `unpinned_package` (medium): a package runner (npx, npm exec, pnpm dlx, yarn dlx, bunx, uvx,
 *   pipx run) fetching a registry package without an exact version. Ranges (`^1`, `1.x`, `1.2`) and
 *   tags (`latest`, `next`) are unpinned: they resolve to different code over time.
 * - `insecure_http` (high): a `url` over plain `http://` to a host that is not loopback.
 *
 * A finding never carries a secret value: `evidence` names the kind and gives a mask
 * (`GitHub token (ghp_…, 40 characters)`), `location` names the place (`env.GITHUB_TOKEN`).
 */
import type { Severity } from '../api/alert.ts';
import type { DiscoveredServer } from '../api/discovery.ts';

export type HygieneFindingType = 'plaintext_secret' | 'unpinned_package' | 'insecure_http';

export interface HygieneFinding {
  type: HygieneFindingType;
  severity: Severity;
  /** Where: `env.GITHUB_TOKEN`, `args[2]`, `headers.Authorization`, `url.query.api_key`, `url`, `command`. */
  location: string;
  /** One sentence for the user, with the fix. Never holds a secret value. */
  message: string;
  /** What was seen, masked: the kind of secret, a non-secret prefix and the length; or the package spec. */
  evidence: string;
}

export const HYGIENE_SEVERITY: Readonly<Record<HygieneFindingType, Severity>> = {
  plaintext_secret: 'high',
  unpinned_package: 'medium',
  insecure_http: 'high',
};

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

export interface SecretPattern {
  id: string;
  /** What it is, for the evidence: `GitHub token`. */
  label: string;
  /**
   * Global regular expression for the whole token. The named group `prefix`, when present, is a
   * well-known, non-secret prefix (`ghp_`) shown in the evidence; nothing else of the match is.
   */
  regex: RegExp;
  /** Extra test on the matched token, to keep look-alikes out (e.g. must contain a digit). */
  check?: (token: string) => boolean;
}

/** Letters and digits both present: true of real keys, rarely of words and names. */
const lettersAndDigits = (token: string): boolean => /[A-Za-z]/.test(token) && /[0-9]/.test(token);

/** Not preceded by a letter or digit: `desk-` does not start an `sk-` key. */
const B = '(?<![A-Za-z0-9])';
/** Not followed by a letter or digit. */
const E = '(?![A-Za-z0-9])';
const rx = (source: string): RegExp => new RegExp(source, 'g');

/** The known token shapes. One row per kind; order is the order evidence lists them in. */
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  { id: 'github-token', label: 'GitHub token', regex: rx(`${B}(?<prefix>gh[pousr]_)[A-Za-z0-9]{36}${E}`) },
  { id: 'github-fine-grained-pat', label: 'GitHub fine-grained token', regex: rx(`${B}(?<prefix>github_pat_)[A-Za-z0-9_]{22,}${E}`) },
  {
    id: 'anthropic-key',
    label: 'Anthropic API key',
    regex: rx(`${B}(?<prefix>sk-ant-)[A-Za-z0-9_-]{32,}`),
    check: (token) => lettersAndDigits(token.slice('sk-ant-'.length)),
  },
  {
    id: 'openai-project-key',
    label: 'OpenAI-style API key',
    regex: rx(`${B}(?<prefix>sk-(?:proj|svcacct|admin)-)[A-Za-z0-9_-]{40,}`),
    check: (token) => lettersAndDigits(token.replace(/^sk-[a-z]+-/, '')),
  },
  {
    // Legacy `sk-` + 32 or more letters and digits: OpenAI, and the many APIs that copied its shape.
    id: 'openai-key',
    label: 'OpenAI-style API key',
    regex: rx(`${B}(?<prefix>sk-)[A-Za-z0-9]{32,}${E}`),
    check: (token) => lettersAndDigits(token.slice(3)),
  },
  {
    id: 'slack-token',
    label: 'Slack token',
    regex: rx(`${B}(?<prefix>xox[abeprs]-)\\d+-[A-Za-z0-9-]{8,}`),
  },
  {
    id: 'slack-webhook',
    label: 'Slack webhook URL',
    regex: rx('(?<prefix>https://hooks\\.slack\\.com/services/)T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}'),
  },
  { id: 'aws-access-key-id', label: 'AWS access key id', regex: rx(`${B}(?<prefix>AKIA|ASIA)[A-Z0-9]{16}${E}`) },
  { id: 'gitlab-token', label: 'GitLab token', regex: rx(`${B}(?<prefix>glpat-)[A-Za-z0-9_-]{20,}`) },
  { id: 'google-api-key', label: 'Google API key', regex: rx(`${B}(?<prefix>AIza)[A-Za-z0-9_-]{35}${E}`) },
  { id: 'stripe-key', label: 'Stripe secret key', regex: rx(`${B}(?<prefix>[sr]k_live_)[A-Za-z0-9]{20,}`) },
  { id: 'npm-token', label: 'npm token', regex: rx(`${B}(?<prefix>npm_)[A-Za-z0-9]{36}${E}`) },
  { id: 'huggingface-token', label: 'Hugging Face token', regex: rx(`${B}(?<prefix>hf_)[A-Za-z0-9]{34}${E}`) },
  {
    id: 'pem-private-key',
    label: 'PEM private key',
    regex: rx('(?<prefix>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)[\\s\\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)'),
  },
  {
    id: 'jwt',
    label: 'JSON Web Token',
    regex: rx(`${B}(?<prefix>eyJ)[A-Za-z0-9_-]{7,}\\.eyJ[A-Za-z0-9_-]{7,}\\.[A-Za-z0-9_-]*`),
  },
];

/** Length and entropy a value under a secret-sounding name must reach to count as a secret. */
export const GENERIC_SECRET_MIN_LENGTH = 16;
/**
 * Shannon entropy in bits per character. Random base62 of 16+ characters scores 3.6 to 4, random hex
 * of 16 about 3.3 (below 2.5 about once in a thousand); repetitive strings (`abc1abc1abc1abc1`) score lower.
 */
export const GENERIC_SECRET_MIN_ENTROPY = 2.5;
/** A literal under a password name of at least this many characters is a plaintext password. */
export const PASSWORD_MIN_LENGTH = 6;

/** Shannon entropy of a string, in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const total = [...value].length;
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / total;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** `githubToken`, `X-API-Key`, `github.token` -> `GITHUB_TOKEN`, `X_API_KEY`, `GITHUB_TOKEN`. */
function normaliseName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Run-together names (`PGPASSWORD`, `GITHUBTOKEN`, `CLIENTSECRET`) end with one of these. */
const SECRET_SUFFIXES = ['TOKEN', 'SECRET', 'APIKEY', 'PASSWORD', 'PASSWD'];
const SECRET_WORDS = new Set(['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'APIKEY', 'AUTH', 'AUTHORIZATION', 'CREDENTIAL', 'CREDENTIALS', 'BEARER']);
const KEY_QUALIFIERS = new Set(['API', 'ACCESS', 'PRIVATE', 'SECRET', 'SIGNING', 'ENCRYPTION', 'MASTER', 'SUBSCRIPTION', 'LICENSE', 'AUTH']);
const PASSWORD_WORDS = new Set(['PASSWORD', 'PASSWD', 'PASSPHRASE']);
/**
 * A last word that makes the name describe a secret rather than hold one: `TOKEN_FILE`, `AUTH_URL`,
 * `SECRET_NAME`, `AUTH_TYPE`, `AWS_ACCESS_KEY_ID` (a key id's own shape is caught by its pattern).
 */
const DESCRIPTOR_WORDS = new Set([
  'FILE', 'PATH', 'DIR', 'FOLDER', 'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'NAME', 'ID', 'TYPE', 'MODE', 'KIND',
  'METHOD', 'PROVIDER', 'SCHEME', 'SCOPE', 'SCOPES', 'HEADER', 'ENABLED', 'DISABLED', 'ENABLE', 'DISABLE', 'REQUIRED',
  'LENGTH', 'TTL', 'EXPIRY', 'EXPIRES', 'TIMEOUT', 'REGION', 'ENV', 'VAR', 'STORE', 'CACHE', 'COMMAND', 'CMD', 'HELPER', 'LIMIT',
]);

type NameKind = 'none' | 'secret' | 'password';

/** Whether a name (env key, header, flag, query parameter) says its value is a secret. */
export function secretNameKind(name: string): NameKind {
  const words = normaliseName(name).split('_').filter((w) => w !== '');
  const last = words.at(-1);
  if (last === undefined || DESCRIPTOR_WORDS.has(last)) return 'none';
  if (words.some((w) => PASSWORD_WORDS.has(w) || w.endsWith('PASSWORD') || w.endsWith('PASSWD'))) return 'password';
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_SUFFIXES.some((suffix) => w.endsWith(suffix)))) return 'secret';
  for (let i = 1; i < words.length; i++) {
    if (words[i] === 'KEY' && KEY_QUALIFIERS.has(words[i - 1] ?? '')) return 'secret';
  }
  // `KEY` alone (`?key=`, `--key`) names an API key as often as anything else.
  if (words.length === 1 && words[0] === 'KEY') return 'secret';
  return 'none';
}

/** `{{secret:NAME}}` handles and `${...}` substitutions (`${env:X}`, `${input:x}`, `${X}`), anywhere. */
const EMBEDDED_REFERENCE = /\{\{\s*secret:[^{}]*\}\}|\$\{[^{}]*\}/g;
/** A whole value that is a shell or cmd reference: `$TOKEN`, `%TOKEN%`, `$env:TOKEN`. */
const WHOLE_REFERENCE = /^(?:\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_()]*%|\$env:[A-Za-z_][A-Za-z0-9_]*)$/i;

const PLACEHOLDER_WORDS =
  /example|placeholder|change[-_ ]?me|replace[-_ ]?(?:me|with|this)|your[-_ ]?|insert[-_ ]|dummy|redacted|sample|fake|not[-_ ]?a[-_ ]?real|todo|fixme/i;
const PLACEHOLDER_EXACT = /^(?:none|null|nil|undefined|empty|unset|n\/a|na|tbd|secret|password|passwd|token|apikey|api[-_]key|key|test|demo|pass|admin|root|user)$/i;

/** Obviously not a real secret: `<your-token>`, `YOUR_API_KEY`, `xxxxxxxx`, `changeme`, `sk-...`. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (/^<[^<>]*>$/.test(v) || /^\[[^[\]]*\]$/.test(v)) return true;
  if (/^\{\{[^{}]*\}\}$/.test(v)) return true; // a template slot of some other tool
  if (PLACEHOLDER_EXACT.test(v) || PLACEHOLDER_WORDS.test(v)) return true;
  if (v.includes('...') || v.includes('…')) return true; // elided in a doc or a screenshot
  if (/(.)\1{5,}/.test(v)) return true; // xxxxxx, 000000, ******
  if (/0123456|1234567|abcdefg/i.test(v)) return true;
  return false;
}

const BOOLEAN = /^(?:true|false|yes|no|on|off|enabled|disabled)$/i;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const PATH = /^(?:~|\.{1,2})?[/\\]|^[A-Za-z]:[/\\]|^file:/;
const FILE_NAME = /^[\w.-]+\.(?:json|pem|key|crt|cer|p12|pfx|txt|env|ya?ml|toml|ini|cfg|conf)$/i;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
/** `Bearer x`, `Basic x`, `token x`: the scheme is not part of the credential. */
const AUTH_SCHEME = /^(?:Bearer|Basic|Token|Bot|Digest|ApiKey|Key)\s+/i;
/** `scheme://user:password@host`: the password part. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s:]*:([^/?#@\s]+)@/i;

export interface SecretMatch {
  label: string;
  /** The masked description: `GitHub token (ghp_…, 40 characters)`. */
  mask: string;
}

const maskOf = (label: string, token: string, prefix?: string): string =>
  prefix !== undefined && prefix !== '' ? `${label} (${prefix}…, ${token.length} characters)` : `${label} (${token.length} characters)`;

function removeReferences(value: string): string {
  const stripped = value.replace(EMBEDDED_REFERENCE, '').trim();
  return WHOLE_REFERENCE.test(stripped) ? '' : stripped;
}

/** Known token shapes anywhere in a value. */
function knownShapes(value: string): SecretMatch[] {
  const found: SecretMatch[] = [];
  for (const pattern of SECRET_PATTERNS) {
    for (const m of value.matchAll(pattern.regex)) {
      const token = m[0];
      const prefix = m.groups?.['prefix'];
      const body = prefix !== undefined ? token.slice(prefix.length) : token;
      if (pattern.check !== undefined && !pattern.check(token)) continue;
      if (pattern.id === 'pem-private-key' ? isPemPlaceholder(body) : isPlaceholder(body)) continue;
      found.push({ label: pattern.label, mask: maskOf(pattern.label, token, prefix) });
    }
  }
  return found;
}

/** A PEM body that is no key: missing, elided (`...`), or a doc's stand-in text. */
function isPemPlaceholder(body: string): boolean {
  const inner = body.replace(/-----END[\s\S]*$/, '').replace(/\\n/g, '').replace(/\s+/g, '');
  return inner.length < 40 || inner.includes('...') || inner.includes('…') || PLACEHOLDER_WORDS.test(inner);
}

/** `Basic <base64 of user:password>`: the password, when there is a real one. */
function basicCredentials(value: string): SecretMatch | undefined {
  const encoded = /^Basic\s+([A-Za-z0-9+/]+=*)$/i.exec(value.trim())?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const password = removeReferences(decoded.slice(colon + 1));
  if (password === '' || isPlaceholder(password)) return undefined;
  return { label: 'HTTP Basic credentials', mask: maskOf('HTTP Basic credentials', encoded) };
}

function urlPassword(value: string): SecretMatch | undefined {
  const m = URL_PASSWORD.exec(value);
  const raw = m?.[1];
  if (raw === undefined) return undefined;
  let password = raw;
  try {
    password = decodeURIComponent(raw);
  } catch {
    // keep it as written
  }
  password = removeReferences(password);
  if (password === '' || isPlaceholder(password)) return undefined;
  return { label: 'Password in a URL', mask: maskOf('Password in a URL', password) };
}

/**
 * `oauth2-client-credentials`, `production-2024-key`, `my-secret-name-v2`: words (optionally ending in
 * a few digits) joined by `-`, `_` or `.`, which is how names are written and random keys are not.
 */
function isWordSequence(value: string): boolean {
  const segments = value.split(/[-_.]+/).filter((s) => s !== '');
  return segments.length >= 2 && segments.every((s) => /^(?:[a-z]+|[A-Z][a-z]+|[A-Z]+)\d{0,4}$/.test(s) || /^\d{1,4}$/.test(s));
}

/** Does this literal, under a secret-sounding name, look like a credential? */
function secretByName(value: string, kind: NameKind): SecretMatch | undefined {
  if (kind === 'none') return undefined;
  const credential = removeReferences(value.replace(AUTH_SCHEME, ''));
  if (credential === '' || isPlaceholder(credential)) return undefined;
  if (BOOLEAN.test(credential) || NUMBER.test(credential) || PATH.test(credential) || URL_LIKE.test(credential) || FILE_NAME.test(credential)) {
    return undefined;
  }
  if (/\s/.test(credential)) return undefined; // prose, a command line, a list: not one credential
  if (kind === 'password') {
    if (credential.length < PASSWORD_MIN_LENGTH) return undefined;
    return { label: 'Password', mask: maskOf('Password', credential) };
  }
  if (credential.length < GENERIC_SECRET_MIN_LENGTH) return undefined;
  if (!lettersAndDigits(credential) || isWordSequence(credential)) return undefined;
  if (shannonEntropy(credential) < GENERIC_SECRET_MIN_ENTROPY) return undefined;
  return { label: 'High-entropy value', mask: maskOf('High-entropy value', credential) };
}

/** Every secret in one value. `name` is what the value stands under (env key, header, flag), if anything. */
export function secretsInValue(value: string, name: string | null): SecretMatch[] {
  const literal = value.replace(EMBEDDED_REFERENCE, ' ');
  const found = knownShapes(literal);
  const inUrl = urlPassword(literal.trim());
  if (inUrl !== undefined) found.push(inUrl);
  const basic = basicCredentials(literal);
  if (basic !== undefined) found.push(basic);
  if (found.length === 0 && name !== null) {
    const byName = secretByName(value, secretNameKind(name));
    if (byName !== undefined) found.push(byName);
  }
  return found;
}

interface Place {
  location: string;
  /** For the message: `The env var GITHUB_TOKEN`. */
  where: string;
  value: string;
  name: string | null;
  /** Extra advice for this kind of place. */
  advice: string;
}

const KEYCHAIN_ADVICE = 'store it in the OS keychain and refer to it with a {{secret:NAME}} handle';

/** `GitHub token` -> `a GitHub token`; `AWS access key id` -> `an AWS access key id`. */
function describeKind(label: string): string {
  if (label === 'High-entropy value') return 'a random-looking value under a secret-sounding name';
  const noun = /^Password/.test(label) ? `p${label.slice(1)}` : label;
  return `${/^(?:[AEIOU]|HTTP)/.test(noun) ? 'an' : 'a'} ${noun}`;
}

function secretFinding(place: Place, matches: SecretMatch[]): HygieneFinding {
  const kinds = [...new Set(matches.map((m) => m.label))];
  const what = kinds.length === 1 ? describeKind(kinds[0] ?? 'secret') : 'secrets';
  return {
    type: 'plaintext_secret',
    severity: HYGIENE_SEVERITY.plaintext_secret,
    location: place.location,
    message: `${place.where} holds ${what} in plain text: ${place.advice}.`,
    evidence: matches.map((m) => m.mask).join('; '),
  };
}

/** `--api-key=x` -> [`api-key`, `x`]; `GITHUB_TOKEN=x` -> [`GITHUB_TOKEN`, `x`]; `Authorization: Bearer x` -> [`Authorization`, `Bearer x`]. */
function namedArg(arg: string): [string, string] | undefined {
  const flag = /^--?([A-Za-z][\w.-]*)=([\s\S]*)$/.exec(arg);
  if (flag?.[1] !== undefined && flag[2] !== undefined) return [flag[1], flag[2]];
  const assignment = /^([A-Za-z_][\w.-]*)=([\s\S]*)$/.exec(arg);
  if (assignment?.[1] !== undefined && assignment[2] !== undefined) return [assignment[1], assignment[2]];
  const header = /^([A-Za-z][\w-]*):\s*([\s\S]+)$/.exec(arg);
  if (header?.[1] !== undefined && header[2] !== undefined && !header[2].startsWith('//') && !/^[\\/]/.test(header[2])) return [header[1], header[2]];
  return undefined;
}

function argPlaces(args: readonly string[]): Place[] {
  const advice = `process arguments are visible to other users of the machine: pass it through an environment variable that holds a {{secret:NAME}} handle`;
  const places: Place[] = [];
  args.forEach((arg, i) => {
    const named = namedArg(arg);
    // `--token VALUE`: the flag names the next argument.
    const prev = i > 0 ? args[i - 1] : undefined;
    const flagName = prev !== undefined && /^--?[A-Za-z][\w.-]*$/.test(prev) ? prev.replace(/^-+/, '') : null;
    places.push({
      location: `args[${i}]`,
      where: `Argument ${i + 1}`,
      value: named !== undefined ? named[1] : arg,
      name: named !== undefined ? named[0] : flagName,
      advice,
    });
  });
  return places;
}

function urlPlaces(raw: string): { places: Place[]; parsed: URL | undefined } {
  const advice = `a URL is logged and shown in many places: send the secret in a header that holds a {{secret:NAME}} handle`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined) return { places: [{ location: 'url', where: 'The URL', value: raw, name: null, advice }], parsed };
  const places: Place[] = [];
  for (const [name, value] of parsed.searchParams) {
    places.push({ location: `url.query.${name}`, where: `The URL query parameter ${name}`, value, name, advice });
  }
  if (parsed.username !== '') {
    places.push({ location: 'url.username', where: 'The URL', value: decodeSafe(parsed.username), name: null, advice });
  }
  if (parsed.password !== '') {
    let password = parsed.password;
    try {
      password = decodeURIComponent(password);
    } catch {
      // keep it as written
    }
    places.push({ location: 'url.password', where: 'The URL', value: password, name: 'password', advice });
  }
  // Known shapes elsewhere in the URL (path, fragment): everything but the query and the user info.
  const rest = `${parsed.protocol}//${parsed.host}${parsed.pathname}${parsed.hash}`;
  places.push({ location: 'url', where: 'The URL', value: decodeSafe(rest), name: null, advice });
  return { places, parsed };
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function secretFindings(entry: DiscoveredServer): HygieneFinding[] {
  const places: Place[] = [];
  for (const [key, value] of Object.entries(entry.env)) {
    places.push({ location: `env.${key}`, where: `The environment variable ${key}`, value, name: key, advice: KEYCHAIN_ADVICE });
  }
  if (entry.command !== null) {
    places.push({ location: 'command', where: 'The command', value: entry.command, name: null, advice: 'remove it from the command line and pass it through an environment variable that holds a {{secret:NAME}} handle' });
  }
  // Not push(...spread): a config's list of 200,000 arguments would overflow the stack.
  for (const place of argPlaces(entry.args)) places.push(place);
  for (const [name, value] of Object.entries(entry.headers)) {
    places.push({ location: `headers.${name}`, where: `The header ${name}`, value, name, advice: KEYCHAIN_ADVICE });
  }
  if (entry.url !== null) places.push(...urlPlaces(entry.url).places);
  if (entry.cwd !== null) places.push({ location: 'cwd', where: 'The working directory', value: entry.cwd, name: null, advice: KEYCHAIN_ADVICE });

  const findings: HygieneFinding[] = [];
  for (const place of places) {
    // `url.password` is a password by position, whatever it looks like.
    let matches = secretsInValue(place.value, place.location === 'url.password' ? null : place.name);
    if (matches.length === 0 && place.location === 'url.password') matches = passwordAt(place.value);
    if (matches.length > 0) findings.push(secretFinding(place, dedupeMatches(matches)));
  }
  return findings;
}

function passwordAt(value: string): SecretMatch[] {
  const literal = removeReferences(value);
  if (literal === '' || isPlaceholder(literal)) return [];
  return [{ label: 'Password in a URL', mask: maskOf('Password in a URL', literal) }];
}

function dedupeMatches(matches: SecretMatch[]): SecretMatch[] {
  const seen = new Set<string>();
  return matches.filter((m) => (seen.has(m.mask) ? false : (seen.add(m.mask), true)));
}

// ---------------------------------------------------------------------------------------------
// Unpinned packages
// ---------------------------------------------------------------------------------------------

/** `/usr/local/bin/npx`, `C:\Program Files\nodejs\npx.cmd` -> `npx`. */
export function commandBasename(command: string): string {
  const base = command.split(/[\\/]/).at(-1) ?? command;
  return base.replace(/\.(?:cmd|exe|bat|ps1|com|sh|js|mjs|cjs)$/i, '').toLowerCase();
}

type Ecosystem = 'npm' | 'python';

interface RunnerSpec {
  ecosystem: Ecosystem;
  /** Flags that take the next argument as their value (`--registry URL`). */
  valueFlags: ReadonlySet<string>;
  /** Flags whose value is a package to install (`-p pkg`, `--from pkg==1`); the positional is then a command name. */
  packageFlags: ReadonlySet<string>;
}

const NPM_RUNNER: RunnerSpec = {
  ecosystem: 'npm',
  valueFlags: new Set(['-c', '--call', '--registry', '--cache', '--prefix', '--userconfig', '--node-options', '-w', '--workspace', '--loglevel', '--script-shell']),
  packageFlags: new Set(['-p', '--package']),
};
const PNPM_DLX: RunnerSpec = { ecosystem: 'npm', valueFlags: new Set(['-c', '--reporter', '--dir', '-C', '--registry']), packageFlags: new Set(['--package']) };
const YARN_DLX: RunnerSpec = { ecosystem: 'npm', valueFlags: new Set(['--cwd']), packageFlags: new Set(['-p', '--package']) };
const BUNX: RunnerSpec = { ecosystem: 'npm', valueFlags: new Set(['--cwd']), packageFlags: new Set(['-p', '--package']) };
const UVX: RunnerSpec = {
  ecosystem: 'python',
  valueFlags: new Set([
    '--with', '--with-editable', '--with-requirements', '-p', '--python', '--index', '--index-url', '-i', '--extra-index-url', '--default-index',
    '--find-links', '-f', '--directory', '--project', '--config-file', '--cache-dir', '--env-file', '--constraints', '-c', '--overrides',
    '--index-strategy', '--keyring-provider', '--resolution', '--prerelease', '--exclude-newer', '--python-platform', '--refresh-package', '--reinstall-package',
    '--upgrade-package', '-P', '--color', '--allow-insecure-host',
  ]),
  packageFlags: new Set(['--from']),
};
const PIPX_RUN: RunnerSpec = {
  ecosystem: 'python',
  valueFlags: new Set(['--python', '--pip-args', '--index-url', '-i', '--backend', '--fetch-python']),
  packageFlags: new Set(['--spec']),
};

/** The runner an entry's command starts, and where its own arguments begin. */
function findRunner(command: string, args: readonly string[]): { runner: RunnerSpec; name: string; start: number } | undefined {
  const base = commandBasename(command);
  const sub = args[0];
  switch (base) {
    case 'npx':
      return { runner: NPM_RUNNER, name: 'npx', start: 0 };
    case 'npm':
      return sub === 'exec' || sub === 'x' ? { runner: NPM_RUNNER, name: `npm ${sub}`, start: 1 } : undefined;
    case 'pnpm':
      return sub === 'dlx' ? { runner: PNPM_DLX, name: 'pnpm dlx', start: 1 } : undefined;
    case 'pnpx':
      return { runner: PNPM_DLX, name: 'pnpx', start: 0 };
    case 'yarn':
      return sub === 'dlx' ? { runner: YARN_DLX, name: 'yarn dlx', start: 1 } : undefined;
    case 'bunx':
      return { runner: BUNX, name: 'bunx', start: 0 };
    case 'bun':
      return sub === 'x' ? { runner: BUNX, name: 'bun x', start: 1 } : undefined;
    case 'uvx':
      return { runner: UVX, name: 'uvx', start: 0 };
    case 'uv':
      return sub === 'tool' && args[1] === 'run' ? { runner: UVX, name: 'uv tool run', start: 2 } : undefined;
    case 'pipx':
      return sub === 'run' ? { runner: PIPX_RUN, name: 'pipx run', start: 1 } : undefined;
    default:
      return undefined;
  }
}

export type PinState = 'pinned' | 'unpinned' | 'not-a-registry-package';

const EXACT_SEMVER = /^v?=?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const GIT_SHA = /^[0-9a-f]{40}$/i;

/**
 * Whether an npm package spec names one exact version. `pkg`, `pkg@latest` (any dist-tag), `pkg@^1`,
 * `pkg@1.x`, `pkg@1.2` are unpinned; `pkg@1.2.3` and `@scope/pkg@1.2.3-beta.1` are pinned; git
 * specs are pinned only by a full commit hash; local paths and tarball URLs are not registry packages.
 */
export function npmPinState(spec: string): PinState {
  if (/^(?:\.{0,2}[/\\]|~[/\\]|[A-Za-z]:[/\\]|file:)/.test(spec)) return 'not-a-registry-package';
  if (/^https?:\/\//i.test(spec)) return /\.t(?:ar\.)?gz$/i.test(spec) ? 'not-a-registry-package' : 'unpinned';
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:)/i.test(spec) || /^[\w.-]+\/[\w.-]+(?:#.*)?$/.test(spec)) {
    const ref = spec.split('#')[1];
    return ref !== undefined && GIT_SHA.test(ref) ? 'pinned' : 'unpinned';
  }
  const alias = /^(?:@[^/@]+\/)?[^/@]+@npm:(.+)$/.exec(spec);
  if (alias?.[1] !== undefined) return npmPinState(alias[1]);
  const m = /^((?:@[^/@\s]+\/)?[^/@\s]+)(?:@(.*))?$/.exec(spec);
  if (m === null) return 'unpinned';
  const version = m[2];
  return version !== undefined && EXACT_SEMVER.test(version) ? 'pinned' : 'unpinned';
}

/**
 * Whether a Python requirement names one exact version: `pkg==1.0`, `pkg===1.0`, `pkg@1.0` (uvx) are
 * pinned; `pkg`, `pkg@latest`, `pkg>=1`, `pkg~=1.0` are not; `git+…@<40-hex>` is pinned; local paths
 * are not registry packages.
 */
export function pythonPinState(spec: string): PinState {
  const s = spec.trim();
  if (/^(?:\.{0,2}[/\\]|~[/\\]|[A-Za-z]:[/\\]|file:)/.test(s) || s === '.') return 'not-a-registry-package';
  if (/^git\+/i.test(s) || / @ git\+/i.test(s)) {
    const ref = /@([^@/#]+)(?:#.*)?$/.exec(s.replace(/^.*?git\+[a-z]+:\/\/[^/]*/i, ''))?.[1];
    return ref !== undefined && GIT_SHA.test(ref) ? 'pinned' : 'unpinned';
  }
  if (/^https?:\/\//i.test(s)) return 'not-a-registry-package';
  const exact = /^[A-Za-z0-9][\w.-]*(?:\[[^\]]*\])?\s*===?\s*([^\s,;*]+)\s*(?:;.*)?$/.exec(s);
  if (exact?.[1] !== undefined) return 'pinned';
  const at = /^[A-Za-z0-9][\w.-]*(?:\[[^\]]*\])?@([^\s@]+)$/.exec(s);
  if (at?.[1] !== undefined) return at[1] !== 'latest' && /^\d/.test(at[1]) && !/\*/.test(at[1]) ? 'pinned' : 'unpinned';
  return 'unpinned';
}

interface PackageArg {
  spec: string;
  index: number;
}

/** The packages a runner invocation fetches, with the index of the argument that names each. */
function runnerPackages(runner: RunnerSpec, args: readonly string[], start: number): PackageArg[] {
  const fromFlags: PackageArg[] = [];
  let positional: PackageArg | undefined;
  for (let i = start; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      const next = args[i + 1];
      if (next !== undefined) positional = { spec: next, index: i + 1 };
      break;
    }
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const flag = eq === -1 ? arg : arg.slice(0, eq);
      const inlineValue = eq === -1 ? undefined : arg.slice(eq + 1);
      if (runner.packageFlags.has(flag)) {
        if (inlineValue !== undefined) fromFlags.push({ spec: inlineValue, index: i });
        else if (args[i + 1] !== undefined) fromFlags.push({ spec: args[i + 1] ?? '', index: ++i });
      } else if (runner.valueFlags.has(flag) && inlineValue === undefined) {
        i++;
      }
      continue;
    }
    positional = { spec: arg, index: i };
    break;
  }
  // With `-p pkg` / `--from pkg`, the positional is the command to run, not a package.
  if (fromFlags.length > 0) return fromFlags;
  return positional !== undefined ? [positional] : [];
}

/** `cmd /c npx -y pkg` and `sh -c "npx -y pkg"`: the command line inside the wrapper. */
function unwrapShell(command: string, args: readonly string[]): { command: string; args: string[]; offset: number; joined: boolean } | undefined {
  const base = commandBasename(command);
  if (base === 'cmd') {
    const i = args.findIndex((a) => /^\/[ck]$/i.test(a));
    const rest = i === -1 ? [] : args.slice(i + 1);
    if (rest.length === 1) return splitJoined(rest[0] ?? '', i + 1);
    const [inner, ...innerArgs] = rest;
    return inner === undefined ? undefined : { command: inner, args: innerArgs, offset: i + 2, joined: false };
  }
  if (['sh', 'bash', 'zsh', 'dash'].includes(base)) {
    const i = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    const script = i === -1 ? undefined : args[i + 1];
    return script === undefined ? undefined : splitJoined(script, i + 1);
  }
  return undefined;
}

function splitJoined(line: string, index: number): { command: string; args: string[]; offset: number; joined: boolean } | undefined {
  // A simple command line: words split on spaces, quotes removed. `exec` is skipped.
  const words = (line.match(/"[^"]*"|'[^']*'|[^\s"']+/g) ?? []).map((w) => w.replace(/^(["'])([\s\S]*)\1$/, '$2'));
  if (words[0] === 'exec') words.shift();
  const [inner, ...innerArgs] = words;
  return inner === undefined ? undefined : { command: inner, args: innerArgs, offset: index, joined: true };
}

function unpinnedFindings(entry: DiscoveredServer): HygieneFinding[] {
  if (entry.command === null) return [];
  let command = entry.command;
  let args: readonly string[] = entry.args;
  let locate = (i: number): string => `args[${i}]`;
  const wrapped = unwrapShell(command, args);
  if (wrapped !== undefined) {
    command = wrapped.command;
    args = wrapped.args;
    const { offset, joined } = wrapped;
    locate = joined ? () => `args[${offset}]` : (i) => `args[${i + offset}]`;
  }
  const found = findRunner(command, args);
  if (found === undefined) return [];
  const { runner, name, start } = found;
  const findings: HygieneFinding[] = [];
  for (const pkg of runnerPackages(runner, args, start)) {
    const state = runner.ecosystem === 'npm' ? npmPinState(pkg.spec) : pythonPinState(pkg.spec);
    if (state !== 'unpinned') continue;
    const advice =
      describeVersion(runner.ecosystem, pkg.spec) === 'no commit pinned'
        ? 'pin a full commit hash'
        : runner.ecosystem === 'npm'
          ? `pin an exact version (${npmNameOf(pkg.spec)}@1.2.3)`
          : `pin an exact version (${pythonNameOf(pkg.spec)}==1.2.3)`;
    findings.push({
      type: 'unpinned_package',
      severity: HYGIENE_SEVERITY.unpinned_package,
      location: locate(pkg.index),
      message: `${name} fetches ${showSpec(pkg.spec)} without an exact version, so each launch may run different code: ${advice}.`,
      evidence: `${name} ${showSpec(pkg.spec)} (${describeVersion(runner.ecosystem, pkg.spec)})`,
    });
  }
  return findings;
}

function npmNameOf(spec: string): string {
  return /^((?:@[^/@\s]+\/)?[^/@\s]+)/.exec(spec)?.[1] ?? spec;
}
function pythonNameOf(spec: string): string {
  return /^([A-Za-z0-9][\w.-]*)/.exec(spec)?.[1] ?? spec;
}

function describeVersion(ecosystem: Ecosystem, spec: string): string {
  if (/^(?:git\+|git:|github:|gitlab:|bitbucket:|gist:|https?:)/i.test(spec) || / @ git\+/.test(spec)) return 'no commit pinned';
  if (ecosystem === 'npm') {
    const version = /^(?:@[^/@\s]+\/)?[^/@\s]+@(.+)$/.exec(spec)?.[1];
    if (version === undefined) return spec.includes('/') && !spec.startsWith('@') ? 'no commit pinned' : 'no version';
    return /^[A-Za-z]/.test(version) && !/^v\d/.test(version) ? `tag "${version}"` : `range "${version}"`;
  }
  const rest = spec.slice(pythonNameOf(spec).length).replace(/^\[[^\]]*\]/, '').trim();
  if (rest === '') return 'no version';
  if (rest === '@latest') return 'tag "latest"';
  return `range "${rest.replace(/^@/, '')}"`;
}

/** A spec as shown to the user: user info in a URL (`https://token@host`) is cut out. */
function showSpec(spec: string): string {
  return spec.replace(/(\/\/)[^/@\s]*@/, '$1…@');
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP
// ---------------------------------------------------------------------------------------------

/** `localhost`, 127.0.0.0/8, `::1` (as URL hostnames: `[::1]`), and IPv4-mapped loopback. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return true;
  if (h === '::1' || h === '[::1]') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return h.split('.').every((n) => Number(n) <= 255);
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h)) return true;
  return false;
}

function insecureHttpFindings(entry: DiscoveredServer): HygieneFinding[] {
  if (entry.url === null) return [];
  let url: URL;
  try {
    url = new URL(entry.url.trim());
  } catch {
    return [];
  }
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return [];
  // Scheme, host and port only: the path or query may carry a token.
  const shown = `http://${url.host}`;
  return [
    {
      type: 'insecure_http',
      severity: HYGIENE_SEVERITY.insecure_http,
      location: 'url',
      message: `The server is reached over plain http:// at ${url.host}, so anyone on the network path can read and change its traffic, headers included: use https://.`,
      evidence: `${shown} (not loopback)`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------

/** Every hygiene finding for one config entry: secrets first, then packages, then transport. */
export function hygieneFindings(entry: DiscoveredServer): HygieneFinding[] {
  return [...secretFindings(entry), ...unpinnedFindings(entry), ...insecureHttpFindings(entry)];
}
