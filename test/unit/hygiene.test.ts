import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { DiscoveredServer } from '../../core/api/discovery.ts';
import {
  commandBasename,
  hygieneFindings,
  isLoopbackHost,
  npmPinState,
  pythonPinState,
  SECRET_PATTERNS,
  secretNameKind,
  shannonEntropy,
  type HygieneFinding,
} from '../../core/drift/hygiene.ts';

/** A config entry with everything empty but what the test sets. */
function entry(over: Partial<DiscoveredServer> = {}): DiscoveredServer {
  return { key: 'srv', pointer: '/mcpServers/srv', transport: 'stdio', command: 'node', args: ['server.js'], cwd: null, url: null, headers: {}, env: {}, disabled: false, ...over };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64URL = `${ALNUM}-_`;
/**
 * Deterministic random-looking text, built at run time so that no token-shaped literal sits in the
 * repository (secret scanners would rightly complain). Always holds a letter and a digit.
 */
function fake(seed: string, length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    for (const byte of createHash('sha256').update(`${seed}:${i}`).digest()) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  const hasLetter = /[A-Za-z]/.test(alphabet);
  const hasDigit = /[0-9]/.test(alphabet);
  if (!hasLetter || !hasDigit) return out;
  return `${out.slice(0, length - 2)}7${alphabet.includes('k') ? 'k' : 'K'}`;
}

const GHP = `ghp_${fake('ghp', 36)}`;
const JWT = `eyJ${fake('jwt-h', 30, B64URL)}.eyJ${fake('jwt-p', 60, B64URL)}.${fake('jwt-s', 43, B64URL)}`;
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${fake('pem1', 64)}\n${fake('pem2', 64)}\n-----END RSA PRIVATE KEY-----`;

/** One real-shaped sample per row of the pattern table, with the prefix the evidence must show. */
const SAMPLES: Record<string, { value: string; prefix: string }> = {
  'github-token': { value: GHP, prefix: 'ghp_' },
  'github-fine-grained-pat': { value: `github_pat_${fake('ghpat1', 22)}_${fake('ghpat2', 59)}`, prefix: 'github_pat_' },
  'anthropic-key': { value: `sk-ant-api03-${fake('ant', 93, B64URL)}AA`, prefix: 'sk-ant-' },
  'openai-project-key': { value: `sk-proj-${fake('proj', 120, B64URL)}`, prefix: 'sk-proj-' },
  'openai-key': { value: `sk-${fake('oai', 48)}`, prefix: 'sk-' },
  'slack-token': { value: `xoxb-${fake('sl1', 12, '0123456789')}-${fake('sl2', 13, '0123456789')}-${fake('sl3', 24)}`, prefix: 'xoxb-' },
  'slack-webhook': { value: `https://hooks.slack.com/services/T${fake('t', 8, UPPER_ALNUM)}/B${fake('b', 10, UPPER_ALNUM)}/${fake('w', 24)}`, prefix: 'https://hooks.slack.com/services/' },
  'aws-access-key-id': { value: `AKIA${fake('aws', 16, UPPER_ALNUM)}`, prefix: 'AKIA' },
  'gitlab-token': { value: `glpat-${fake('gl', 20, B64URL)}`, prefix: 'glpat-' },
  'google-api-key': { value: `AIza${fake('gapi', 35, B64URL)}`, prefix: 'AIza' },
  'stripe-key': { value: `sk_live_${fake('stripe', 24)}`, prefix: 'sk_live_' },
  'npm-token': { value: `npm_${fake('npm', 36)}`, prefix: 'npm_' },
  'huggingface-token': { value: `hf_${fake('hf', 34)}`, prefix: 'hf_' },
  'pem-private-key': { value: PEM, prefix: '-----BEGIN RSA PRIVATE KEY-----' },
  jwt: { value: JWT, prefix: 'eyJ' },
};

/** The secret must appear in no field of any finding, nor any 12-character piece of it past its prefix. */
function assertNoLeak(findings: HygieneFinding[], secret: string, prefix = ''): void {
  const text = JSON.stringify(findings);
  assert.ok(!text.includes(secret), `the secret value leaked into ${text}`);
  const body = secret.slice(prefix.length);
  for (let i = 0; i + 12 <= body.length; i += 6) {
    assert.ok(!text.includes(body.slice(i, i + 12)), `part of the secret leaked into ${text}`);
  }
}

const secretsOf = (e: DiscoveredServer): HygieneFinding[] => hygieneFindings(e).filter((f) => f.type === 'plaintext_secret');

test('the pattern table has one sample per row, and every sample is found with its label and a mask', () => {
  assert.deepEqual(Object.keys(SAMPLES).sort(), SECRET_PATTERNS.map((p) => p.id).sort());
  for (const pattern of SECRET_PATTERNS) {
    const sample = SAMPLES[pattern.id];
    assert.ok(sample !== undefined);
    // Under a name that says nothing, so only the shape can find it.
    const findings = secretsOf(entry({ env: { SOME_SETTING: sample.value } }));
    assert.equal(findings.length, 1, `${pattern.id}: ${JSON.stringify(findings)}`);
    const [f] = findings;
    assert.equal(f?.severity, 'high');
    assert.equal(f?.location, 'env.SOME_SETTING');
    assert.equal(f?.evidence, `${pattern.label} (${sample.prefix}…, ${sample.value.length} characters)`, pattern.id);
    assert.ok(f?.message.includes(`${pattern.label} in plain text`), f?.message);
    assert.ok(!JSON.stringify(findings).includes(sample.value));
    // The PEM END line is no secret; everything between the prefix and it is.
    assertNoLeak(findings, sample.value.replace(/-----END[\s\S]*$/, ''), sample.prefix);
  }
});

test('evidence gives the kind and a mask: GitHub token (ghp_…, 40 characters)', () => {
  const [f] = secretsOf(entry({ env: { GITHUB_TOKEN: GHP } }));
  assert.deepEqual(f, {
    type: 'plaintext_secret',
    severity: 'high',
    location: 'env.GITHUB_TOKEN',
    message: 'The environment variable GITHUB_TOKEN holds a GitHub token in plain text: store it in the OS keychain and refer to it with a {{secret:NAME}} handle.',
    evidence: 'GitHub token (ghp_…, 40 characters)',
  });
});

test('secrets are found in env values, args, header values and URL query values, each at its location', () => {
  const oai = SAMPLES['openai-key']?.value ?? '';
  const gapi = SAMPLES['google-api-key']?.value ?? '';
  const findings = secretsOf(
    entry({
      transport: 'http',
      command: null,
      args: ['--verbose', '--org', `--token=${GHP}`],
      env: { GITHUB_TOKEN: GHP, HARMLESS: 'yes' },
      headers: { Authorization: `Bearer ${JWT}`, 'Content-Type': 'application/json' },
      url: `https://api.example.com/mcp?format=json&api_key=${encodeURIComponent(oai)}&key=${gapi}`,
    }),
  );
  assert.deepEqual(findings.map((f) => f.location).sort(), ['args[2]', 'env.GITHUB_TOKEN', 'headers.Authorization', 'url.query.api_key', 'url.query.key']);
  for (const [secret, prefix] of [[GHP, 'ghp_'], [JWT, 'eyJ'], [oai, 'sk-'], [gapi, 'AIza']] as const) assertNoLeak(findings, secret, prefix);
  assert.equal(findings.find((f) => f.location === 'headers.Authorization')?.evidence, `JSON Web Token (eyJ…, ${JWT.length} characters)`);
});

test('an argument that holds a secret is told to move it out of the command line', () => {
  const [f] = secretsOf(entry({ command: 'docker', args: ['run', '-e', `GITHUB_PERSONAL_ACCESS_TOKEN=${GHP}`, 'ghcr.io/github/github-mcp-server'] }));
  assert.equal(f?.location, 'args[2]');
  assert.match(f?.message ?? '', /^Argument 3 holds a GitHub token in plain text: process arguments are visible/);
});

test('random-looking values under secret-sounding names are secrets, whatever their shape', () => {
  const random = fake('generic', 32);
  const hex = fake('hex', 40, '0123456789abcdef');
  const cases: [Partial<DiscoveredServer>, string][] = [
    [{ env: { MY_SERVICE_API_KEY: random } }, 'env.MY_SERVICE_API_KEY'],
    [{ env: { AWS_SECRET_ACCESS_KEY: fake('aws-secret', 40, `${ALNUM}/+`) } }, 'env.AWS_SECRET_ACCESS_KEY'],
    [{ env: { apiKey: random } }, 'env.apiKey'],
    [{ env: { OAUTH_CLIENT_SECRET: hex } }, 'env.OAUTH_CLIENT_SECRET'],
    [{ env: { NOTION_TOKEN: `ntn_${random}` } }, 'env.NOTION_TOKEN'],
    [{ env: { SERVICE_CREDENTIAL: random } }, 'env.SERVICE_CREDENTIAL'],
    [{ env: { LINEAR_ACCESS_KEY: random } }, 'env.LINEAR_ACCESS_KEY'],
    [{ env: { EXA_API_KEY: '550e8400-e29b-41d4-a716-446655440000' } }, 'env.EXA_API_KEY'],
    [{ headers: { 'X-API-Key': random } }, 'headers.X-API-Key'],
    [{ headers: { Authorization: `Bearer ${random}` } }, 'headers.Authorization'],
    [{ headers: { authorization: `token ${hex}` } }, 'headers.authorization'],
    [{ args: ['server.js', '--api-key', random] }, 'args[2]'],
    [{ args: ['server.js', `--auth-token=${random}`] }, 'args[1]'],
    [{ args: ['mcp-remote', 'https://x.example/sse', '--header', `Authorization: Bearer ${random}`] }, 'args[3]'],
    [{ transport: 'http', command: null, url: `https://x.example/mcp?access_token=${random}` }, 'url.query.access_token'],
  ];
  for (const [over, location] of cases) {
    const findings = secretsOf(entry(over));
    assert.deepEqual(findings.map((f) => f.location), [location], JSON.stringify(over));
    assert.match(findings[0]?.evidence ?? '', /^High-entropy value \(\d+ characters\)$/);
    assertNoLeak(findings, random);
    assertNoLeak(findings, hex);
  }
});

test('passwords, URL passwords and HTTP Basic credentials are secrets', () => {
  const password = 'Tr0ub4dor&3xyz';
  const cases: [Partial<DiscoveredServer>, string, string][] = [
    [{ env: { DB_PASSWORD: password } }, 'env.DB_PASSWORD', `Password (${password.length} characters)`],
    [{ env: { PGPASSWORD: 'postgres1' } }, 'env.PGPASSWORD', 'Password (9 characters)'],
    [{ env: { DATABASE_URL: `postgresql://app:${password}@db.internal:5432/app` } }, 'env.DATABASE_URL', `Password in a URL (${password.length} characters)`],
    [{ args: ['-y', '@modelcontextprotocol/server-postgres', `postgresql://app:${password}@localhost/app`] }, 'args[2]', `Password in a URL (${password.length} characters)`],
    [{ transport: 'http', command: null, url: `https://app:${password}@api.example.com/mcp` }, 'url.password', `Password in a URL (${password.length} characters)`],
    [{ headers: { Authorization: `Basic ${Buffer.from(`app:${password}`).toString('base64')}` } }, 'headers.Authorization', 'HTTP Basic credentials (24 characters)'],
  ];
  for (const [over, location, evidence] of cases) {
    const findings = secretsOf(entry(over));
    assert.deepEqual(findings.map((f) => [f.location, f.evidence]), [[location, evidence]], JSON.stringify(over));
    assertNoLeak(findings, password);
    assert.ok(!JSON.stringify(findings).includes('Tr0ub4dor'), 'not even part of the password');
  }
});

test('references, handles, empty values and placeholders are not secrets', () => {
  const values = [
    '{{secret:github}}',
    '{{ secret:github }}',
    '${env:GITHUB_TOKEN}',
    '${input:token}',
    '${GITHUB_TOKEN}',
    '$GITHUB_TOKEN',
    '%GITHUB_TOKEN%',
    '',
    '   ',
    '<your-token>',
    '<YOUR_GITHUB_TOKEN>',
    '[your api key]',
    'YOUR_API_KEY',
    'your-api-key-here',
    'xxxxxxxxxxxxxxxxxxxxxxxx',
    'XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX',
    '****************',
    'changeme',
    'change-me-please-1',
    'replace_me_with_a_real_key_42',
    'REDACTED',
    'sk-...',
    'ghp_...',
    `ghp_${'x'.repeat(36)}`,
    `ghp_${'X'.repeat(36)}`,
    `sk-${'0'.repeat(48)}`,
    'AKIAIOSFODNN7EXAMPLE', // the AWS documentation's example key id
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', // ... and its example secret
    'sk-proj-1234567890abcdefghijklmnopqrstuvwxyz1234567890',
    'Bearer ${env:API_TOKEN}',
    'Bearer {{secret:api}}',
    'Bearer $TOKEN',
    'Bearer <token>',
    '-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----',
    'postgresql://user:password@localhost/mydb',
    'postgresql://app:${env:PGPASSWORD}@db/app',
  ];
  for (const value of values) {
    for (const name of ['GITHUB_TOKEN', 'API_KEY', 'Authorization', 'DB_PASSWORD']) {
      assert.deepEqual(secretsOf(entry({ env: { [name]: value } })), [], `env ${name}=${value}`);
      assert.deepEqual(secretsOf(entry({ headers: { [name]: value } })), [], `header ${name}: ${value}`);
    }
    assert.deepEqual(secretsOf(entry({ args: ['server.js', '--token', value] })), [], `--token ${value}`);
  }
});

test('benign look-alikes raise nothing', () => {
  const clean = entry({
    command: 'npx',
    args: [
      '-y',
      '@modelcontextprotocol/server-filesystem@2025.8.21',
      '/home/me/projects',
      '--token-file',
      '/run/secrets/token',
      '--commit',
      '3f786850e387550fdab836ed7e6dc881de23001b', // a git hash, not under a secret name
      'risk-assessment-2024-quarterly-report-final', // holds "sk-" after a letter
      'desk-1234567890abcdefghijklmnopqrstuvwxyz0123',
      '--auth',
      'none',
      '--max-tokens=4096',
      'C:\\Users\\me\\AppData\\Roaming\\tokens',
    ],
    env: {
      TOKEN_FILE: '/home/me/.token',
      GOOGLE_APPLICATION_CREDENTIALS: '/home/me/.config/gcloud/application_default_credentials.json',
      AWS_SHARED_CREDENTIALS_FILE: '~/.aws/credentials',
      SSH_AUTH_SOCK: '/run/user/1000/keyring/ssh',
      AUTH_URL: 'https://auth.example.com/oauth2/authorize?client_id=abc123def456ghi789',
      TOKEN_ENDPOINT: 'https://auth.example.com/oauth2/token',
      AUTH_ENABLED: 'true',
      AUTH_TYPE: 'client_credentials',
      AUTH: 'oauth2-client-credentials',
      SECRET_NAME: 'prod-db-password-v2',
      API_KEY_HEADER: 'X-Api-Key',
      MAX_TOKENS: '4096',
      TOKEN_TTL: '3600',
      TOKEN_LIMIT: '100000',
      PASSWORD_MIN_LENGTH: '12',
      SECRETS_BACKEND: 'aws-secrets-manager',
      CLIENT_ID: '0oa1b2c3d4e5f6g7h8i9',
      AWS_REGION: 'eu-west-1',
      AWS_PROFILE: 'default',
      NODE_ENV: 'production',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/home/me',
      PWD: '/home/me/projects',
      LOG_LEVEL: 'debug',
      GITHUB_TOOLSETS: 'repos,issues,pull_requests',
      BRAVE_API_KEY: '${env:BRAVE_API_KEY}',
      SLACK_TEAM_ID: 'T01234567',
      KEYCHAIN_SERVICE: 'mcp-warden',
      TOKENIZER: 'cl100k_base',
    },
    headers: { Accept: 'application/json, text/event-stream', 'User-Agent': 'mcp-warden/0.1.0', 'X-Request-Id': '8a7c3e1f-3b9d-4f2a-9c11-0d2e5f6a7b8c' },
    cwd: '/home/me/projects/secret-project-2024',
  });
  assert.deepEqual(hygieneFindings(clean), []);
  const remote = entry({ transport: 'http', command: null, args: [], url: 'https://api.example.com/mcp/v1/sessions/3f786850e387550fdab836ed7e6dc881?format=json&page=2&token_type=bearer' });
  assert.deepEqual(hygieneFindings(remote), []);
});

test('secret-sounding names: tokens, keys and passwords yes; their files, URLs, names and types no', () => {
  for (const name of ['GITHUB_TOKEN', 'githubToken', 'X-API-Key', 'x-api-key', 'apiKey', 'APIKey', 'API_KEY', 'CLIENT_SECRET', 'Authorization', 'Proxy-Authorization', 'X-Auth-Token', 'SECRET_KEY', 'PRIVATE_KEY', 'ACCESS_KEY', 'key', 'SERVICE_CREDENTIALS']) {
    assert.equal(secretNameKind(name), 'secret', name);
  }
  for (const name of ['DB_PASSWORD', 'PGPASSWORD', 'SMTP_PASSWD', 'KEY_PASSPHRASE']) assert.equal(secretNameKind(name), 'password', name);
  for (const name of ['TOKEN_FILE', 'AUTH_URL', 'SECRET_NAME', 'AUTH_TYPE', 'AWS_ACCESS_KEY_ID', 'MAX_TOKENS', 'TOKENIZER', 'AUTHOR', 'PUBLIC_KEY', 'KEYBOARD', 'MONKEY', 'PASSWORD_FILE', 'Content-Type', 'HOME']) {
    assert.equal(secretNameKind(name), 'none', name);
  }
});

test('shannonEntropy is 0 for one repeated character and log2(n) for n distinct ones', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
  assert.equal(shannonEntropy('0123456789abcdef'), 4);
});

test('a low-entropy, repetitive value under a secret name is not flagged', () => {
  assert.deepEqual(secretsOf(entry({ env: { API_KEY: 'ab12ab12ab12ab12ab' } })), []);
  assert.deepEqual(secretsOf(entry({ env: { API_KEY: 'short1x' } })), [], 'shorter than 16 characters');
  assert.deepEqual(secretsOf(entry({ env: { API_KEY: 'abcdefghijklmnopqrstuvwxyz' } })), [], 'no digit: a word, not a key');
});

test('two secrets in one value are one finding that lists both, masked', () => {
  const aws = SAMPLES['aws-access-key-id']?.value ?? '';
  const findings = secretsOf(entry({ args: ['-c', `GH=${GHP} AWS=${aws} run`] }));
  assert.equal(findings.length, 1);
  assert.equal(findings[0]?.evidence, `GitHub token (ghp_…, 40 characters); AWS access key id (AKIA…, 20 characters)`);
  assert.match(findings[0]?.message ?? '', /holds secrets in plain text/);
  assertNoLeak(findings, GHP, 'ghp_');
  assertNoLeak(findings, aws, 'AKIA');
});

test('a secret in the URL path or as its user name is found at `url`, and never shown', () => {
  const webhook = SAMPLES['slack-webhook']?.value ?? '';
  const inPath = secretsOf(entry({ transport: 'http', command: null, url: webhook }));
  assert.deepEqual(inPath.map((f) => f.location), ['url']);
  assertNoLeak(inPath, webhook, 'https://hooks.slack.com/services/');
  const asUser = secretsOf(entry({ transport: 'http', command: null, url: `https://${GHP}@git.example.com/mcp` }));
  assert.deepEqual(asUser.map((f) => f.location), ['url.username']);
  assertNoLeak(asUser, GHP, 'ghp_');
});

// --- unpinned packages ---------------------------------------------------------------------------

const unpinned = (command: string, args: string[]): HygieneFinding[] => hygieneFindings(entry({ command, args })).filter((f) => f.type === 'unpinned_package');

test('package runners without an exact version are unpinned, at the argument that names the package', () => {
  const cases: [string, string[], string[]][] = [
    ['npx', ['-y', '@modelcontextprotocol/server-github'], ['args[1]']],
    ['npx', ['--yes', '@modelcontextprotocol/server-github@latest'], ['args[1]']],
    ['npx', ['@modelcontextprotocol/server-memory'], ['args[0]']],
    ['npx', ['-y', 'mcp-remote@^0.1.0', 'https://x.example/sse'], ['args[1]']],
    ['npx', ['-y', 'some-server@1.x'], ['args[1]']],
    ['npx', ['-y', 'some-server@1.2'], ['args[1]']],
    ['npx', ['-y', 'some-server@next'], ['args[1]']],
    ['npx', ['--registry', 'https://registry.example', '-y', 'some-server'], ['args[3]']],
    ['npx', ['-y', '--package=@scope/tool', 'tool-bin', '--flag'], ['args[1]']],
    ['npx', ['-p', '@scope/tool@1.2.3', '-p', 'helper', 'tool-bin'], ['args[3]']],
    ['npx', ['-y', '--', 'some-server'], ['args[2]']],
    ['npx', ['github:owner/repo'], ['args[0]']],
    ['/usr/local/bin/npx', ['-y', 'some-server'], ['args[1]']],
    ['C:\\Program Files\\nodejs\\npx.cmd', ['-y', 'some-server'], ['args[1]']],
    ['NPX.CMD', ['some-server'], ['args[0]']],
    ['npm', ['exec', '--yes', '--', '@scope/server'], ['args[3]']],
    ['npm', ['x', '@scope/server'], ['args[1]']],
    ['pnpm', ['dlx', '@scope/server'], ['args[1]']],
    ['pnpm', ['dlx', '--package=@scope/server@latest', 'server-bin'], ['args[1]']],
    ['yarn', ['dlx', 'some-server'], ['args[1]']],
    ['bunx', ['--bun', 'some-server'], ['args[1]']],
    ['bun', ['x', 'some-server'], ['args[1]']],
    ['uvx', ['mcp-server-fetch'], ['args[0]']],
    ['uvx', ['mcp-server-fetch@latest'], ['args[0]']],
    ['uvx', ['--python', '3.12', 'mcp-server-git'], ['args[2]']],
    ['uvx', ['--from', 'mcp-server-git>=0.6', 'mcp-server-git'], ['args[1]']],
    ['uvx', ['--from', 'git+https://github.com/owner/repo', 'tool'], ['args[1]']],
    ['uv', ['tool', 'run', 'mcp-server-time'], ['args[2]']],
    ['/home/me/.local/bin/uvx', ['mcp-server-time'], ['args[0]']],
    ['pipx', ['run', 'mcp-server-time'], ['args[1]']],
    ['pipx', ['run', '--spec', 'mcp-server-time~=1.0', 'mcp-server-time'], ['args[2]']],
    ['cmd', ['/c', 'npx', '-y', '@scope/server'], ['args[3]']],
    ['cmd.exe', ['/C', 'npx -y @scope/server'], ['args[1]']],
    ['bash', ['-lc', 'exec npx -y @scope/server'], ['args[1]']],
  ];
  for (const [command, args, locations] of cases) {
    const findings = unpinned(command, args);
    assert.deepEqual(findings.map((f) => f.location), locations, `${command} ${args.join(' ')}`);
    for (const f of findings) assert.equal(f.severity, 'medium');
  }
});

test('exact versions, commit hashes, local paths and other commands are not unpinned', () => {
  const cases: [string, string[]][] = [
    ['npx', ['-y', '@modelcontextprotocol/server-github@2025.4.8']],
    ['npx', ['-y', 'some-server@1.2.3']],
    ['npx', ['-y', 'some-server@1.2.3-beta.1']],
    ['npx', ['-y', 'alias@npm:some-server@1.2.3']],
    ['npx', ['-p', '@scope/tool@1.2.3', 'tool-bin']],
    ['npx', ['-y', `github:owner/repo#${'a1b2c3d4e5'.repeat(4)}`]],
    ['npx', ['-y', './local-server']],
    ['npx', ['-y', '/opt/servers/mine']],
    ['npx', []],
    ['npm', ['run', 'start']],
    ['npm', ['start']],
    ['pnpm', ['exec', 'server']],
    ['uvx', ['mcp-server-fetch==2025.4.7']],
    ['uvx', ['mcp-server-fetch@2025.4.7']],
    ['uvx', ['--from', 'mcp-server-git==0.6.2', 'mcp-server-git']],
    ['uvx', ['--from', `git+https://github.com/owner/repo@${'0123abcdef'.repeat(4)}`, 'tool']],
    ['uvx', ['--from', '.', 'tool']],
    ['uv', ['run', 'server.py']],
    ['pipx', ['run', 'mcp-server-time==1.0.0']],
    ['pipx', ['run', '--spec', 'mcp-server-time==1.0.0', 'mcp-server-time']],
    ['pipx', ['install', 'mcp-server-time']],
    ['node', ['npx', 'some-server']],
    ['/usr/bin/python3', ['-m', 'mcp_server_time']],
    ['docker', ['run', '-i', '--rm', 'mcp/fetch']],
    ['my-npx-wrapper', ['some-server']],
  ];
  for (const [command, args] of cases) assert.deepEqual(unpinned(command, args), [], `${command} ${args.join(' ')}`);
});

test('an unpinned finding names the runner, the spec and why; URL credentials in a spec are cut out', () => {
  const [f] = unpinned('npx', ['-y', '@scope/server@^1.4.0']);
  assert.equal(f?.evidence, 'npx @scope/server@^1.4.0 (range "^1.4.0")');
  assert.match(f?.message ?? '', /^npx fetches @scope\/server@\^1\.4\.0 without an exact version, so each launch may run different code: pin an exact version \(@scope\/server@1\.2\.3\)\.$/);
  assert.equal(unpinned('npx', ['-y', 'srv@latest'])[0]?.evidence, 'npx srv@latest (tag "latest")');
  assert.equal(unpinned('npx', ['srv'])[0]?.evidence, 'npx srv (no version)');
  assert.equal(unpinned('uvx', ['mcp-server-fetch'])[0]?.evidence, 'uvx mcp-server-fetch (no version)');
  assert.equal(unpinned('uvx', ['--from', 'pkg>=1.0', 'pkg'])[0]?.evidence, 'uvx pkg>=1.0 (range ">=1.0")');
  assert.match(unpinned('uvx', ['pkg'])[0]?.message ?? '', /pin an exact version \(pkg==1\.2\.3\)/);

  const withToken = hygieneFindings(entry({ command: 'uvx', args: ['--from', `git+https://${GHP}@github.com/owner/repo`, 'tool'] }));
  assert.deepEqual(withToken.map((f) => [f.type, f.location]), [['plaintext_secret', 'args[1]'], ['unpinned_package', 'args[1]']]);
  assertNoLeak(withToken, GHP, 'ghp_');
  assert.equal(withToken[1]?.evidence, 'uvx git+https://…@github.com/owner/repo (no commit pinned)');
});

test('pin states: ranges and tags are unpinned (documented decision)', () => {
  assert.equal(npmPinState('pkg'), 'unpinned');
  assert.equal(npmPinState('@scope/pkg'), 'unpinned');
  assert.equal(npmPinState('@scope/pkg@1.2.3'), 'pinned');
  assert.equal(npmPinState('pkg@^1'), 'unpinned');
  assert.equal(npmPinState('pkg@~1.2.3'), 'unpinned');
  assert.equal(npmPinState('pkg@1.x'), 'unpinned');
  assert.equal(npmPinState('pkg@>=1.0.0'), 'unpinned');
  assert.equal(npmPinState('pkg@1.2.3 || 2.0.0'), 'unpinned');
  assert.equal(npmPinState('pkg@latest'), 'unpinned');
  assert.equal(npmPinState('https://example.com/pkg-1.0.0.tgz'), 'not-a-registry-package');
  assert.equal(pythonPinState('pkg'), 'unpinned');
  assert.equal(pythonPinState('pkg==1.0'), 'pinned');
  assert.equal(pythonPinState('pkg[cli]==1.0'), 'pinned');
  assert.equal(pythonPinState('pkg===1.0'), 'pinned');
  assert.equal(pythonPinState('pkg==1.*'), 'unpinned');
  assert.equal(pythonPinState('pkg~=1.0'), 'unpinned');
  assert.equal(pythonPinState('pkg@latest'), 'unpinned');
  assert.equal(pythonPinState('pkg@1.0.0'), 'pinned');
});

test('commandBasename strips directories (either slash) and the extension, and lowercases', () => {
  assert.equal(commandBasename('/usr/local/bin/npx'), 'npx');
  assert.equal(commandBasename('C:\\Program Files\\nodejs\\npx.cmd'), 'npx');
  assert.equal(commandBasename('C:/tools/uvx.exe'), 'uvx');
  assert.equal(commandBasename('npx'), 'npx');
});

// --- plain http ----------------------------------------------------------------------------------

const insecure = (url: string): HygieneFinding[] => hygieneFindings(entry({ transport: 'http', command: null, args: [], url })).filter((f) => f.type === 'insecure_http');

test('plain http to a host that is not loopback is insecure_http (high)', () => {
  for (const url of ['http://api.example.com/mcp', 'http://192.168.1.20:8080/mcp', 'http://10.0.0.5/sse', 'http://[2001:db8::1]/mcp', 'http://0.0.0.0:3000/mcp', 'HTTP://Example.COM/mcp', 'http://localhost.example.com/mcp', 'http://128.0.0.1/mcp']) {
    const findings = insecure(url);
    assert.equal(findings.length, 1, url);
    assert.equal(findings[0]?.severity, 'high');
    assert.equal(findings[0]?.location, 'url');
  }
  const [f] = insecure(`http://192.168.1.20:8080/mcp?api_key=${GHP}`);
  assert.equal(f?.evidence, 'http://192.168.1.20:8080 (not loopback)');
  assert.ok(!JSON.stringify(f).includes('api_key'), 'the query is not shown');
});

test('loopback and https are not insecure_http', () => {
  for (const url of ['http://localhost:3000/mcp', 'http://LOCALHOST/mcp', 'http://127.0.0.1:8080/mcp', 'http://127.1.2.3/mcp', 'http://[::1]:3000/mcp', 'http://[0:0:0:0:0:0:0:1]/mcp', 'http://[::ffff:127.0.0.1]/mcp', 'https://api.example.com/mcp', 'https://192.168.1.20/mcp', 'not a url']) {
    assert.deepEqual(insecure(url), [], url);
  }
  assert.equal(isLoopbackHost('::1'), true);
  assert.equal(isLoopbackHost('[::1]'), true);
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('127.300.0.1'), false);
  assert.equal(isLoopbackHost('192.168.0.1'), false);
});
