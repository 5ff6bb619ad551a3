/**
 * The endpoint table (core/api/endpoints.ts) is the one declaration of `/api/v1`: the server's
 * router holds exactly its entries, each handled once; the UI client reaches every endpoint the UI
 * needs and the SDK the ones it needs, each through the router to the entry expected; the OpenAPI
 * document lists exactly the table; and the SDK bundle that imports the table stays import-free.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { createWardenClient, type HttpMethod, type WardenClient } from '../../core/api/client.ts';
import { ENDPOINT_SPECS } from '../../core/api/endpoint-specs.ts';
import { ENDPOINT_LIST, ENDPOINTS, type DeclaredEndpoint, type EndpointName } from '../../core/api/endpoints.ts';
import { API_PREFIX } from '../../core/api/rest.ts';
import { openApiDocument } from '../../server/openapi.ts';
import { handle, ok, type Route } from '../../server/route.ts';
import { RouteTable, routeTable } from '../../server/routing.ts';
import { ROUTES } from '../../server/routes/index.ts';
import { WardenClient as SdkClient } from '../../sdk/client.ts';
import { ROOT } from '../helpers/cli.ts';

/** Every way a router and the table can disagree, one sentence each; empty when they agree. */
function disagreements(table: RouteTable): string[] {
  const problems: string[] = [];
  const declared = new Map(ENDPOINT_LIST.map((e) => [`${e.method} ${API_PREFIX}${e.path}`, e]));
  const seen = new Map<string, number>();
  for (const { method, path: routePath, route } of table.registered()) {
    const key = `${method} ${routePath}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const entry = declared.get(key);
    if (entry === undefined) problems.push(`${key} is routed but not declared in ENDPOINTS.`);
    else if (route.endpoint !== entry) problems.push(`${key} is routed with an endpoint object that is not ENDPOINTS.${entry.name}.`);
  }
  for (const [key, entry] of declared) if (!seen.has(key)) problems.push(`ENDPOINTS.${entry.name} (${key}) is declared but not handled.`);
  return problems;
}

test('the router holds exactly the declared endpoints, each handled once by its own table entry', () => {
  assert.deepEqual(disagreements(routeTable()), []);
  assert.equal(ROUTES.length, ENDPOINT_LIST.length);
  assert.equal(new Set(ROUTES.map((r) => r.endpoint)).size, ROUTES.length, 'no endpoint has two handlers');
  assert.deepEqual(Object.keys(ENDPOINT_SPECS).sort(), Object.keys(ENDPOINTS).sort(), 'every endpoint has its OpenAPI words and schemas, and nothing else does');
  // Names are stamped from the keys, and no two entries share a method and path.
  for (const [name, entry] of Object.entries(ENDPOINTS)) assert.equal(entry.name, name);
  assert.equal(new Set(ENDPOINT_LIST.map((e) => `${e.method} ${e.path}`)).size, ENDPOINT_LIST.length);
});

test('the check names an endpoint declared but not handled, and a route handled without a declaration', () => {
  const withoutHealth = new RouteTable(ROUTES.filter((r) => r.endpoint !== ENDPOINTS.health));
  assert.deepEqual(disagreements(withoutHealth), [`ENDPOINTS.health (GET ${API_PREFIX}/health) is declared but not handled.`]);

  // What a hand-written route would be: the types refuse it (handle takes a table entry; tsc checks this file), so it takes a cast.
  const _refusedByTypes = () =>
    // @ts-expect-error a method and path that are not an entry of ENDPOINTS
    handle({ name: 'export', method: 'GET', path: '/export' }, () => ok({}));
  const undeclared = { name: 'export', method: 'GET', path: '/export' } as unknown as DeclaredEndpoint;
  const copied = { ...ENDPOINTS.health } as DeclaredEndpoint;
  const extra: Route[] = [...ROUTES.filter((r) => r.endpoint !== ENDPOINTS.health), handle(undeclared, () => ok({})), handle(copied, () => ok({}))];
  assert.deepEqual(disagreements(new RouteTable(extra)), [
    `GET ${API_PREFIX}/export is routed but not declared in ENDPOINTS.`,
    `GET ${API_PREFIX}/health is routed with an endpoint object that is not ENDPOINTS.health.`,
  ]);
});

test('the OpenAPI document lists exactly the table', () => {
  const doc = openApiDocument('0.0.0') as { paths: Record<string, Record<string, unknown>> };
  const listed = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
  const declared = ENDPOINT_LIST.map((e) => `${e.method} ${API_PREFIX}${e.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  assert.deepEqual(listed.sort(), declared.sort());
});

/** The endpoint the server's router answers `method url` with. */
function routedTo(method: string, url: string): EndpointName {
  const found = routeTable().find(method, url, url.split('?')[0] as string, true);
  return found.route.endpoint.name;
}

/** What the UI does not call, and why: anything else missing from the UI client fails the next test. */
const UI_DOES_NOT_CALL: Partial<Record<EndpointName, string>> = {
  registerAgent: 'agents register themselves through the SDK',
  setAgentServers: 'the UI links and unlinks one server at a time',
  health: 'a liveness probe for scripts',
  events: 'the transport subscribes to events itself (subscribe)',
  openApi: 'for API clients and tooling',
};

type Calls = { [K in Exclude<keyof WardenClient, 'subscribe'>]: Parameters<WardenClient[K]> };

// Typed by the client's own interface: a new method without arguments here does not compile.
const UI_CALLS: Calls = {
  listServers: [{ q: 'git hub', status: 'approved', limit: 5 }],
  getServer: ['srv/1'],
  registerServer: [{ name: 'a', server_url: 'stdio://a' }],
  patchServer: ['a', { description: 'x' }],
  removeServer: ['a'],
  probeServer: ['a', { consent: true }],
  approveServer: ['a'],
  attestServer: ['a'],
  verifyServer: ['a'],
  trust: ['a'],
  tools: ['a'],
  attachServer: ['a', { client: 'cursor' }],
  detachServer: ['a', { client: 'cursor', remove: true }],
  secureServer: ['a'],
  getPolicy: ['a'],
  setPolicy: ['a', { attestation: 'block' }],
  toolCalls: ['a', { limit: 3 }],
  listAgents: [],
  getAgent: ['agt_1'],
  linkAgentServer: ['agt_1', 'a'],
  unlinkAgentServer: ['agt_1', 'a'],
  listAlerts: [{ state: 'open' }],
  getAlert: [7],
  acknowledgeAlert: [7],
  resolveAlert: [7],
  listAudit: [{ after: 3 }],
  verifyAudit: [],
  listSecrets: [],
  addSecret: [{ name: 'S', value: 'v' }],
  removeSecret: ['S'],
  getSettings: [],
  setSetting: ['probe-consent', 'ask'],
  listClients: [],
  scanNow: [],
  listApiKeys: [],
  createApiKey: ['k'],
  revokeApiKey: ['k'],
};

test('the UI client reaches every endpoint the UI needs, each through the router to its own entry', async () => {
  const requests: { method: HttpMethod; path: string; body: unknown }[] = [];
  const client = createWardenClient({
    request: async (method, p, body) => {
      requests.push({ method, path: p, body });
      return { status: 200, body: {} };
    },
    subscribe: () => () => undefined,
  });
  const reached = new Map<string, EndpointName>();
  for (const [method, args] of Object.entries(UI_CALLS)) {
    const before = requests.length;
    await (client[method as keyof Calls] as (...a: unknown[]) => Promise<unknown>)(...args);
    assert.equal(requests.length, before + 1, `${method} makes one request`);
    const sent = requests.at(-1) as (typeof requests)[number];
    reached.set(method, routedTo(sent.method, `${API_PREFIX}${sent.path}`));
  }
  const missing = ENDPOINT_LIST.map((e) => e.name).filter((name) => ![...reached.values()].includes(name) && UI_DOES_NOT_CALL[name] === undefined);
  assert.deepEqual(missing, [], 'every endpoint is called by the UI client or listed with the reason it is not');
  for (const name of Object.keys(UI_DOES_NOT_CALL) as EndpointName[]) assert.ok(![...reached.values()].includes(name), `${name} is listed as not called, but the UI calls it`);
  assert.equal(new Set(reached.values()).size, reached.size, 'no two client methods call the same endpoint');
  // Parameters are encoded as one segment, and empty query values dropped.
  assert.ok(requests.some((r) => r.path === '/mcp-servers/srv%2F1'));
  assert.ok(requests.some((r) => r.path === '/mcp-servers?q=git%20hub&status=approved&limit=5'));
  // Changes carry a JSON object even without arguments; reads and deletes carry none.
  assert.deepEqual(requests.filter((r) => r.body === undefined).map((r) => r.method).sort(), requests.filter((r) => r.method === 'GET' || r.method === 'DELETE').map((r) => r.method).sort());
});

test('the SDK calls its endpoints through the router to the entries expected, and its bundle stays import-free', async (t) => {
  const seen: { method: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'agn_1', servers: [], trust: {} }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const sdk = new SdkClient({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, apiKey: 'k' });

  const calls: [string, () => Promise<unknown>, EndpointName][] = [
    ['registerServer', () => sdk.registerServer({ serverName: 'a', serverUrl: 'stdio://a' }), 'registerServer'],
    ['getServer', () => sdk.getServer('a b'), 'getServer'],
    ['listServers', () => sdk.listServers({ q: 'x', limit: 2 }), 'listServers'],
    ['registerAgent', () => sdk.registerAgent({ name: 'me' }), 'registerAgent'],
    ['getAgent', () => sdk.getAgent('me'), 'getAgent'],
    ['linkServer', () => sdk.linkServer('me', 'a'), 'linkAgentServer'],
    ['unlinkServer', () => sdk.unlinkServer('me', 'a'), 'unlinkAgentServer'],
    ['attest', () => sdk.attest('a'), 'attestServer'],
    ['trust', () => sdk.trust('a'), 'getTrust'],
  ];
  for (const [method, call, expected] of calls) {
    await call();
    const sent = seen.at(-1) as (typeof seen)[number];
    assert.equal(routedTo(sent.method, sent.url), expected, `${method} sends ${sent.method} ${sent.url}`);
  }
  assert.equal(seen.length, calls.length);
  assert.deepEqual(seen.slice(1, 3).map((s) => s.url), [`${API_PREFIX}/mcp-servers/a%20b`, `${API_PREFIX}/mcp-servers?q=x&limit=2`]);

  // The bundle users get (built by scripts/build-cli.mjs before the tests): no import of anything, no zod.
  const bundle = readFileSync(path.join(ROOT, 'dist', 'sdk', 'index.js'), 'utf8');
  assert.doesNotMatch(bundle, /^\s*import\s|\bimport\s*\(|\brequire\s*\(/m);
  assert.doesNotMatch(bundle, /\b_zod\b|ZodError|ZodType/, 'no schema library came along with the table');
  assert.match(bundle, /\/mcp-servers\/:id\/trust/, 'the bundle carries the table');
});
