// Records what popular npm MCP servers really say about themselves, as fixtures for the content scan's
// false-positive test (test/unit/content-scan.test.ts). Run by hand, rarely; the fixtures are committed.
//
//   node scripts/record-server-fixtures.ts [package ...]     (default: every candidate below)
//
// For each candidate it:
// 1. asks the registry for the version and the package's own scripts, and skips a package with an
//    install script of its own (preinstall, install, postinstall);
// 2. installs it outside the repo (`npm install --no-save --ignore-scripts --prefix /tmp/mcp-warden-fixtures/<name>`),
//    so no install script of any dependency runs either, then lists the dependencies that have one and
//    skips the candidate unless each is known to be harmless (BENIGN_INSTALL_SCRIPTS): such a script
//    usually downloads a binary or a browser, which the server would then need;
// 3. starts it with the MCP SDK `Client` over `StdioClientTransport` (HOME and the working directory
//    in a scratch folder, dummy credentials, 20 s for everything), lists tools, prompts, resources and
//    resource templates (every page), and writes test/fixtures/popular-servers/<flattened name>.json.
// Nothing is called but the list methods: no tool runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as z from 'zod';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'test', 'fixtures', 'popular-servers');
const WORK = '/tmp/mcp-warden-fixtures';
/** Fixed paths, so a fixture that echoes them (filesystem's allowed directory) is the same on every run. */
const SCRATCH_HOME = path.join(WORK, 'home');
const SCRATCH_ROOT = path.join(WORK, 'allowed-root');
const TIMEOUT_MS = 20_000;

interface Candidate {
  pkg: string;
  /** Which `bin` entry to run, when the package has several. */
  bin?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Known reason not to record it, decided by reading its scripts and dependencies. */
  skip?: string;
}

const DUMMY = 'dummy-not-a-real-credential';

export const CANDIDATES: Candidate[] = [
  { pkg: '@modelcontextprotocol/server-everything', args: ['stdio'] },
  { pkg: '@modelcontextprotocol/server-memory', env: { MEMORY_FILE_PATH: path.join(WORK, 'memory.jsonl') } },
  { pkg: '@modelcontextprotocol/server-filesystem', args: [SCRATCH_ROOT] },
  { pkg: '@modelcontextprotocol/server-sequential-thinking' },
  { pkg: '@modelcontextprotocol/server-github', env: { GITHUB_PERSONAL_ACCESS_TOKEN: DUMMY } },
  { pkg: '@modelcontextprotocol/server-gitlab', env: { GITLAB_PERSONAL_ACCESS_TOKEN: DUMMY, GITLAB_API_URL: 'https://gitlab.invalid/api/v4' } },
  { pkg: '@modelcontextprotocol/server-slack', env: { SLACK_BOT_TOKEN: DUMMY, SLACK_TEAM_ID: 'T00000000' } },
  { pkg: '@modelcontextprotocol/server-brave-search', env: { BRAVE_API_KEY: DUMMY } },
  { pkg: '@modelcontextprotocol/server-google-maps', env: { GOOGLE_MAPS_API_KEY: DUMMY } },
  { pkg: '@modelcontextprotocol/server-postgres', args: ['postgresql://127.0.0.1:1/none'] },
  { pkg: '@modelcontextprotocol/server-puppeteer', skip: 'depends on puppeteer, whose install script downloads a Chrome build' },
  { pkg: '@modelcontextprotocol/server-redis', args: ['redis://127.0.0.1:1'] },
  { pkg: '@modelcontextprotocol/server-everart', env: { EVERART_API_KEY: DUMMY } },
  { pkg: '@modelcontextprotocol/server-aws-kb-retrieval', env: { AWS_ACCESS_KEY_ID: DUMMY, AWS_SECRET_ACCESS_KEY: DUMMY, AWS_REGION: 'us-east-1' } },
  { pkg: '@playwright/mcp' },
  { pkg: '@upstash/context7-mcp' },
  { pkg: '@notionhq/notion-mcp-server', env: { NOTION_TOKEN: DUMMY } },
  { pkg: 'firecrawl-mcp', env: { FIRECRAWL_API_KEY: `fc-${DUMMY}` } },
  { pkg: 'tavily-mcp', env: { TAVILY_API_KEY: `tvly-${DUMMY}` } },
  { pkg: 'exa-mcp-server', env: { EXA_API_KEY: DUMMY } },
  { pkg: '@supabase/mcp-server-supabase', args: ['--access-token', DUMMY], env: { SUPABASE_ACCESS_TOKEN: DUMMY } },
  { pkg: 'mcp-server-kubernetes' },
  { pkg: '@browserbasehq/mcp-server-browserbase', env: { BROWSERBASE_API_KEY: DUMMY, BROWSERBASE_PROJECT_ID: DUMMY, GEMINI_API_KEY: DUMMY } },
  { pkg: '@heroku/mcp-server', env: { HEROKU_API_KEY: DUMMY } },
  { pkg: '@sentry/mcp-server', args: [`--access-token=${DUMMY}`], env: { SENTRY_ACCESS_TOKEN: DUMMY } },
  { pkg: '@cloudflare/mcp-server-cloudflare', args: ['run', '00000000000000000000000000000000'], env: { CLOUDFLARE_API_TOKEN: DUMMY } },
  { pkg: 'figma-developer-mcp', args: ['--stdio'], env: { FIGMA_API_KEY: DUMMY } },
  { pkg: '@stripe/mcp', args: ['--tools=all', `--api-key=sk_test_${DUMMY}`] },
  { pkg: '@executeautomation/playwright-mcp-server' },
  { pkg: '@21st-dev/magic', env: { API_KEY: DUMMY } },
  { pkg: '@benborla29/mcp-server-mysql', env: { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: '1', MYSQL_USER: 'none', MYSQL_PASS: '', MYSQL_DB: 'none' } },
  { pkg: 'mcp-server-code-runner' },
  { pkg: 'mongodb-mcp-server', env: { MDB_MCP_CONNECTION_STRING: 'mongodb://127.0.0.1:1/none', MDB_MCP_TELEMETRY: 'disabled' } },
  { pkg: '@neondatabase/mcp-server-neon', skip: 'a dependency (@fastify/otel) is a GitHub tarball, which only the npm registry is reachable to replace' },
  { pkg: '@circleci/mcp-server-circleci', env: { CIRCLECI_TOKEN: DUMMY } },
  { pkg: '@apify/actors-mcp-server', env: { APIFY_TOKEN: DUMMY } },
  { pkg: '@kimtaeyoon83/mcp-server-youtube-transcript' },
  { pkg: '@hubspot/mcp-server', env: { PRIVATE_APP_ACCESS_TOKEN: DUMMY } },
  { pkg: '@agentdeskai/browser-tools-mcp' },
  { pkg: '@wonderwhy-er/desktop-commander' },
  { pkg: '@azure/mcp', args: ['server', 'start'] },
];

/**
 * Dependencies whose install script neither downloads nor builds anything the listing needs: read
 * before adding one here. Everything else with an install script makes the candidate a skip.
 */
const BENIGN_INSTALL_SCRIPTS: Readonly<Record<string, string>> = {
  protobufjs: 'postinstall only warns when a dependent names it with the wrong version scheme',
  tldjs: 'postinstall downloads the public-suffix list only when npm_config_tldjs_update_rules=true; the package ships a copy',
};

/** `@scope/name` -> `scope__name`. */
export function fixtureName(pkg: string): string {
  return pkg.replace(/^@/, '').replace('/', '__');
}

function npm(args: string[], cwd = WORK): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Every installed package (name) under node_modules that has an install-time script. */
function installScriptsIn(nodeModules: string): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const full = path.join(dir, entry);
      if (entry.startsWith('@')) {
        visit(full);
        continue;
      }
      const manifest = path.join(full, 'package.json');
      if (existsSync(manifest)) {
        const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; scripts?: Record<string, string>; gypfile?: boolean };
        const scripts = json.scripts ?? {};
        const hooks = ['preinstall', 'install', 'postinstall'].filter((h) => scripts[h] !== undefined);
        // npm runs `node-gyp rebuild` for a package with a binding.gyp and no install script.
        if (hooks.length === 0 && existsSync(path.join(full, 'binding.gyp'))) hooks.push('install (implicit node-gyp)');
        if (hooks.length > 0) found.push(`${json.name ?? entry} (${hooks.map((h) => `${h}: ${scripts[h] ?? 'node-gyp rebuild'}`).join('; ')})`);
      }
      visit(path.join(full, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found.sort();
}

function binOf(pkgDir: string, pkg: string, wanted?: string): string | undefined {
  const json = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  if (typeof json.bin === 'string') return path.join(pkgDir, json.bin);
  if (json.bin === undefined) return undefined;
  const entries = Object.entries(json.bin);
  const plain = pkg.replace(/^@[^/]+\//, '');
  const chosen = entries.find(([name]) => name === wanted) ?? entries.find(([name]) => name === plain) ?? entries[0];
  return chosen === undefined ? undefined : path.join(pkgDir, chosen[1]);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

type Page<K extends string> = { [key in K]: unknown[] } & { nextCursor?: string };

async function allPages<K extends string>(key: K, list: (cursor?: string) => Promise<Page<K>>): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await list(cursor);
    items.push(...page[key]);
    cursor = page.nextCursor;
    if (cursor === undefined) break;
  }
  return items;
}

interface Recorded {
  package: { name: string; version: string };
  server: { name: string; version: string };
  instructions: string | null;
  tools: unknown[];
  prompts: unknown[];
  resources: unknown[];
  resource_templates: unknown[];
  /** List methods the server declared but that failed (e.g. resources needing a live database). */
  list_errors?: Record<string, string>;
}

async function probe(candidate: Candidate, version: string, bin: string): Promise<Recorded> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...(candidate.args ?? [])],
    env: { ...getDefaultEnvironment(), HOME: SCRATCH_HOME, USERPROFILE: SCRATCH_HOME, ...(candidate.env ?? {}) },
    cwd: SCRATCH_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'mcp-warden-fixture-recorder', version: '0.1.0' });
  const deadline = Date.now() + TIMEOUT_MS;
  const left = (): number => Math.max(1, deadline - Date.now());
  try {
    await withTimeout(client.connect(transport, { timeout: left() }), left(), 'initialize');
    const capabilities = client.getServerCapabilities() ?? {};
    const server = client.getServerVersion() ?? { name: '', version: '' };
    const errors: Record<string, string> = {};
    const list = async <K extends string>(capability: unknown, key: K, call: (cursor?: string) => Promise<Page<K>>): Promise<unknown[]> => {
      if (capability === undefined) return [];
      try {
        return await withTimeout(allPages(key, call), left(), key);
      } catch (error) {
        // Declared `resources` but no templates method: nothing to record, not an error worth keeping.
        if ((error as { code?: unknown }).code === -32601 && key !== 'tools') return [];
        errors[key] = (error as Error).message.slice(0, 300);
        return [];
      }
    };
    // Raw requests with a loose result schema: the fixture holds exactly what the server sent, even
    // where the SDK's own list methods would reject it (server-gitlab's non-object input schemas).
    const page = <K extends string>(method: string, key: K) => (cursor?: string): Promise<Page<K>> =>
      client.request({ method, params: cursor === undefined ? {} : { cursor } }, z.looseObject({}), { timeout: left() }).then((result) => {
        const r = result as Record<string, unknown>;
        const items = r[key];
        if (!Array.isArray(items)) throw new Error(`${method} answered without a "${key}" array`);
        return { [key]: items, ...(typeof r['nextCursor'] === 'string' ? { nextCursor: r['nextCursor'] } : {}) } as Page<K>;
      });
    const tools = await list(capabilities.tools, 'tools', page('tools/list', 'tools'));
    if (errors['tools'] !== undefined) throw new Error(`tools/list failed: ${errors['tools']}`);
    const prompts = await list(capabilities.prompts, 'prompts', page('prompts/list', 'prompts'));
    const resources = await list(capabilities.resources, 'resources', page('resources/list', 'resources'));
    const resourceTemplates = await list(capabilities.resources, 'resourceTemplates', page('resources/templates/list', 'resourceTemplates'));
    return {
      package: { name: candidate.pkg, version },
      server: { name: server.name, version: server.version },
      instructions: client.getInstructions() ?? null,
      tools,
      prompts,
      resources,
      resource_templates: resourceTemplates,
      ...(Object.keys(errors).length > 0 ? { list_errors: errors } : {}),
    };
  } catch (error) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${(error as Error).message}${tail !== '' ? ` (stderr: ${tail.slice(0, 400)})` : ''}`);
  } finally {
    await client.close().catch(() => {});
  }
}

interface Outcome {
  pkg: string;
  recorded?: string;
  skipped?: string;
}

async function record(candidate: Candidate): Promise<Outcome> {
  const { pkg } = candidate;
  if (candidate.skip !== undefined) return { pkg, skipped: candidate.skip };
  const view = npm(['view', pkg, 'version', 'scripts', '--json']);
  if (!view.ok) return { pkg, skipped: `npm view failed: ${view.stderr.trim().split('\n')[0] ?? ''}` };
  const meta = JSON.parse(view.stdout) as { version: string; scripts?: Record<string, string> };
  const own = ['preinstall', 'install', 'postinstall'].filter((h) => meta.scripts?.[h] !== undefined);
  if (own.length > 0) return { pkg, skipped: `${pkg}@${meta.version} has its own install script (${own.map((h) => `${h}: ${meta.scripts?.[h]}`).join('; ')})` };

  const prefix = path.join(WORK, fixtureName(pkg));
  mkdirSync(prefix, { recursive: true });
  const spec = `${pkg}@${meta.version}`;
  const install = npm(['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, spec], prefix);
  if (!install.ok) return { pkg, skipped: `npm install ${spec} failed: ${install.stderr.trim().split('\n').slice(-2).join(' ')}` };

  const scripted = installScriptsIn(path.join(prefix, 'node_modules')).filter((line) => BENIGN_INSTALL_SCRIPTS[line.split(' (')[0] ?? ''] === undefined);
  if (scripted.length > 0) return { pkg, skipped: `dependencies with install scripts (not run, and the server may need what they fetch): ${scripted.join(', ')}` };

  const pkgDir = path.join(prefix, 'node_modules', ...pkg.split('/'));
  const bin = binOf(pkgDir, pkg, candidate.bin);
  if (bin === undefined) return { pkg, skipped: `${spec} has no bin entry` };
  try {
    const recorded = await probe(candidate, meta.version, bin);
    const file = path.join(OUT, `${fixtureName(pkg)}.json`);
    writeFileSync(file, `${JSON.stringify(recorded, null, 2)}\n`);
    const counts = `${recorded.tools.length} tools, ${recorded.prompts.length} prompts, ${recorded.resources.length} resources, ${recorded.resource_templates.length} templates`;
    const errors = recorded.list_errors === undefined ? '' : `; list errors: ${JSON.stringify(recorded.list_errors)}`;
    return { pkg, recorded: `${spec} -> ${path.relative(ROOT, file)} (${counts}${errors})` };
  } catch (error) {
    return { pkg, skipped: `${spec} did not answer: ${(error as Error).message}` };
  }
}

if (import.meta.main) {
  const wanted = process.argv.slice(2);
  const candidates = wanted.length === 0 ? CANDIDATES : CANDIDATES.filter((c) => wanted.includes(c.pkg));
  for (const dir of [WORK, SCRATCH_HOME, SCRATCH_ROOT, OUT]) mkdirSync(dir, { recursive: true });
  const outcomes: Outcome[] = [];
  for (const candidate of candidates) {
    const outcome = await record(candidate);
    outcomes.push(outcome);
    process.stdout.write(outcome.recorded !== undefined ? `recorded  ${outcome.recorded}\n` : `skipped   ${outcome.pkg}: ${outcome.skipped}\n`);
  }
  const n = outcomes.filter((o) => o.recorded !== undefined).length;
  process.stdout.write(`\n${n} recorded, ${outcomes.length - n} skipped\n`);
}
