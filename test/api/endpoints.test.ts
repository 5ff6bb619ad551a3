/**
 * Every endpoint of `/api/v1` against a real `serve` watching a fake home's Claude Desktop config:
 * its happy path and its 4xx answers, each an `{"error": {code, message, field}}` naming the problem.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { Alert } from '../../core/api/alert.ts';
import type { AuditEvent } from '../../core/api/audit.ts';
import type { AgentView, AlertsPage, AuditPage, Page, ServerView, TrustResponse } from '../../core/api/rest.ts';
import { ROOT } from '../helpers/cli.ts';
import { claudeDesktopConfig, fakeHome, writeByRename } from '../helpers/fake-home.ts';
import { expectOk, refused } from '../helpers/api-assert.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const WELL_BEHAVED = path.join(ROOT, 'test', 'fixtures', 'servers', 'well-behaved.mjs');

/** Polls `probe` until it returns something (bounded: 10 s). */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function serveWithConfig(t: Parameters<typeof startServe>[0]): Promise<Served> {
  const fake = fakeHome(t);
  writeByRename(fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: [WELL_BEHAVED] } }));
  return startServe(t, { fake });
}

test('mcp-servers: register, list with search and paging, read by id or name, change, remove', async (t) => {
  const served = await serveWithConfig(t);
  const { request } = served;

  const stdio = await expectOk(request<ServerView>('POST', '/mcp-servers', { name: 'wb', server_url: 'stdio://wb', command: process.execPath, args: [WELL_BEHAVED], capabilities: ['echo'], description: 'well behaved' }), 201);
  // A command line registered through the API waits for a person to confirm it (test/security/api-command-consent.test.ts).
  assert.deepEqual([stdio.transport, stdio.command, stdio.status, stdio.server_url], ['stdio', process.execPath, 'pending', 'stdio://wb']);
  const http = await expectOk(request<ServerView>('POST', '/mcp-servers', { name: 'remote', display_name: 'Remote', server_url: 'https://mcp.example.com/mcp', description: 'an http server' }), 201);
  assert.deepEqual([http.transport, http.url, http.status], ['http', 'https://mcp.example.com/mcp', 'approved']);

  refused(await request('POST', '/mcp-servers', { name: 'wb', server_url: 'https://other.example/mcp' }), 409, 'conflict', 'name');
  refused(await request('POST', '/mcp-servers', { name: 'bad name!', server_url: 'stdio://x' }), 400, 'invalid_input', 'name');
  refused(await request('POST', '/mcp-servers', { name: 'x', server_url: 'ftp://x' }), 400, 'invalid_input', 'server_url');
  refused(await request('POST', '/mcp-servers', { name: 'x', server_url: 'stdio://x', colour: 'red' }), 400, 'invalid_input', undefined, /Unknown field "colour"/);
  refused(await request('POST', '/mcp-servers', { name: 'x', server_url: 'stdio://x', command: 'no-such-command-mcpw' }), 404, 'not_found', 'command');
  refused(await request('POST', '/mcp-servers'), 400, 'invalid_input');

  // The list: the discovered `memory` from the fake home, and the two registered.
  const all = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers'));
  assert.deepEqual(all.items.map((s) => [s.name, s.status]), [['memory', 'discovered'], ['remote', 'approved'], ['wb', 'pending']]);
  assert.deepEqual([all.total, all.limit, all.offset, all.next_offset], [3, 100, 0, null]);
  assert.deepEqual(all.items.find((s) => s.name === 'memory')?.clients, ['claude-desktop']);
  const searched = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?q=WELL'));
  assert.deepEqual(searched.items.map((s) => s.name), ['wb'], 'q matches the description, ignoring case');
  const page = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?limit=1&offset=1'));
  assert.deepEqual([page.items.map((s) => s.name), page.next_offset, page.total], [['remote'], 2, 3]);
  const discovered = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?status=discovered&client=claude-desktop'));
  assert.deepEqual(discovered.items.map((s) => s.name), ['memory']);
  assert.deepEqual((await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?status=discovered'))).items.map((s) => s.name), ['memory'], 'a pending server is not a discovered one');
  assert.deepEqual((await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?status=pending'))).items.map((s) => s.name), ['wb']);
  refused(await request('GET', '/mcp-servers?limit=0'), 400, 'invalid_input', 'limit');
  refused(await request('GET', '/mcp-servers?limit=9999'), 400, 'invalid_input', 'limit');
  refused(await request('GET', '/mcp-servers?status=lost'), 400, 'invalid_input', 'status');
  refused(await request('GET', '/mcp-servers?order=name'), 400, 'invalid_input', undefined, /Unknown query parameter "order"/);
  refused(await request('GET', '/mcp-servers?sort=newest'), 400, 'invalid_input', 'sort', /^sort must be name, trust or alerts\.$/);
  refused(await request('GET', '/mcp-servers?severity=loud'), 400, 'invalid_input', 'severity');
  const byTrust = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers?sort=trust'));
  assert.deepEqual(byTrust.items.map((s) => s.name), [...byTrust.items].sort((a, b) => (a.trust?.score ?? 101) - (b.trust?.score ?? 101) || a.name.localeCompare(b.name)).map((s) => s.name));
  refused(await request('GET', '/mcp-servers?q=a&q=b'), 400, 'invalid_input', 'q', /^q must be given once\.$/);

  // The list is cached per state of the database: a write here or in another process shows at once.
  assert.equal(served.cli('mcp', 'add', 'from-cli', 'http', '--url', 'https://cli.example/mcp').code, 0);
  const afterCli = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers'));
  assert.ok(afterCli.items.some((s) => s.name === 'from-cli'), 'a server added by the CLI is listed');
  await expectOk(request('PATCH', '/mcp-servers/from-cli', { description: 'changed through the API' }));
  const afterPatch = await expectOk(request<Page<ServerView>>('GET', '/mcp-servers'));
  assert.equal(afterPatch.items.find((s) => s.name === 'from-cli')?.description, 'changed through the API');

  // One server, by id or by name.
  assert.equal((await expectOk(request<ServerView>('GET', `/mcp-servers/${stdio.id}`))).name, 'wb');
  assert.equal((await expectOk(request<ServerView>('GET', '/mcp-servers/wb'))).id, stdio.id);
  refused(await request('GET', '/mcp-servers/nothing-here'), 404, 'not_found', 'name');

  // PATCH: describing fields on any server; launch fields not on a discovered one.
  const patched = await expectOk(request<ServerView>('PATCH', '/mcp-servers/remote', { display_name: 'Remote MCP', capabilities: ['search'] }));
  assert.deepEqual([patched.display_name, patched.capabilities, patched.url], ['Remote MCP', ['search'], 'https://mcp.example.com/mcp']);
  refused(await request('PATCH', '/mcp-servers/remote', {}), 400, 'invalid_input', 'body');
  refused(await request('PATCH', '/mcp-servers/remote', { id: 'srv_x' }), 400, 'invalid_input', undefined, /Unknown field "id"/);
  refused(await request('PATCH', '/mcp-servers/memory', { command: '/bin/sh' }), 409, 'conflict', 'command');
  refused(await request('PATCH', '/mcp-servers/nothing-here', { description: 'x' }), 404, 'not_found');

  // DELETE answers the server as it was; then it is gone.
  const removed = await expectOk(request<ServerView>('DELETE', '/mcp-servers/remote'));
  assert.equal(removed.id, http.id);
  refused(await request('GET', `/mcp-servers/${http.id}`), 404, 'not_found');
  refused(await request('DELETE', '/mcp-servers/remote'), 404, 'not_found');
});

test('mcp-servers actions: probe with consent, tools, approve, trust, attest and verify', async (t) => {
  const served = await serveWithConfig(t);
  const { request } = served;
  const memory = await expectOk(request<ServerView>('GET', '/mcp-servers/memory'));

  // Probing a discovered server needs consent (409) until it is given or the server approved.
  refused(await request('POST', '/mcp-servers/memory/probe'), 409, 'conflict', 'consent', /send \{"consent": true\}/);
  refused(await request('POST', '/mcp-servers/memory/probe', { consent: 'yes' }), 400, 'invalid_input', 'consent');
  refused(await request('POST', '/mcp-servers/memory/probe', { consent: true, force: true }), 400, 'invalid_input');
  const once = await expectOk(request<{ ok: boolean; pinned: boolean; tools: { name: string }[]; server_id: string }>('POST', '/mcp-servers/memory/probe', { consent: true }));
  assert.deepEqual([once.ok, once.pinned, once.server_id], [true, false, memory.id], 'a server nobody approved is not pinned');
  assert.ok(once.tools.length > 0);
  // With the probe-consent setting at `allow`, no consent is asked; back at `ask`, it is again.
  await expectOk(request('PUT', '/settings/probe-consent', { value: 'allow' }));
  assert.equal((await expectOk(request<{ ok: boolean }>('POST', '/mcp-servers/memory/probe'))).ok, true);
  await expectOk(request('PUT', '/settings/probe-consent', { value: 'ask' }));
  refused(await request('POST', '/mcp-servers/memory/probe'), 409, 'conflict', 'consent');

  // Approval accepts it as it is now, pin included.
  const approved = await expectOk(request<ServerView>('POST', '/mcp-servers/memory/approve'));
  assert.equal(approved.status, 'approved');
  refused(await request('POST', '/mcp-servers/nothing-here/approve'), 404, 'not_found');
  const probed = await expectOk(request<{ ok: boolean; diff: { added: unknown[]; changed: unknown[] } | null; probe_id: number }>('POST', `/mcp-servers/${memory.id}/probe`));
  assert.equal(probed.ok, true);
  assert.deepEqual([probed.diff?.added.length, probed.diff?.changed.length], [0, 0], 'the approved pin matches');

  const tools = await expectOk(request<{ server_id: string; pin: { entries: { key: string }[]; manifest_sha256: string } | null; last_probe: { probe_id: number; tools: { name: string }[] } | null }>('GET', '/mcp-servers/memory/tools'));
  assert.equal(tools.server_id, memory.id);
  assert.match(tools.pin?.manifest_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(tools.pin?.entries.filter((e) => once.tools.some((x) => x.name === e.key)).length, once.tools.length, 'every probed tool is pinned');
  assert.equal(tools.last_probe?.probe_id, probed.probe_id);
  refused(await request('GET', '/mcp-servers/nothing-here/tools'), 404, 'not_found');

  const trust = await expectOk(request<TrustResponse>('GET', '/mcp-servers/memory/trust'));
  assert.equal(trust.server_id, memory.id);
  assert.ok(Number.isInteger(trust.trust.score) && trust.trust.score >= 0 && trust.trust.score <= 100);
  assert.ok(trust.trust.factors.length > 0 && trust.history.length > 0);
  assert.equal(trust.history.at(-1)?.score, trust.trust.score);
  refused(await request('GET', '/mcp-servers/nothing-here/trust'), 404, 'not_found');

  // Verify before any attestation, attest, verify.
  refused(await request('POST', '/mcp-servers/memory/verify'), 404, 'not_found', 'name', /never been attested/);
  refused(await request('POST', '/mcp-servers/memory/attest', { public_key: 'ed25519:short' }), 400, 'invalid_input', 'public_key');
  refused(await request('POST', '/mcp-servers/memory/attest', { signature: 'AAAA' }), 400, 'invalid_input', 'attestation_data');
  refused(await request('POST', '/mcp-servers/memory/attest', { attestation_data: { checksum: `sha256:${'1'.repeat(64)}` } }), 422, 'failed', 'attestation_data.checksum');
  const attested = await expectOk(request<{ attestation: { id: number; status: string } }>('POST', '/mcp-servers/memory/attest'), 201);
  assert.equal(attested.attestation.status, 'valid');
  const verified = await expectOk(request<{ ok: boolean; attestation_id: number; differences: unknown[] }>('POST', '/mcp-servers/memory/verify'));
  assert.deepEqual([verified.ok, verified.attestation_id, verified.differences], [true, attested.attestation.id, []]);
  refused(await request('POST', '/mcp-servers/nothing-here/attest'), 404, 'not_found');

  // A declared server has nothing to run: no probe, no attestation.
  await expectOk(request('POST', '/mcp-servers', { name: 'github', server_url: 'stdio://github', capabilities: ['create_issue'] }), 201);
  refused(await request('POST', '/mcp-servers/github/attest'), 409, 'conflict', 'name', /declared only/);
});

test('agents: register, list, read, link, unlink and set their servers', async (t) => {
  const served = await serveWithConfig(t);
  const { request } = served;
  await expectOk(request('POST', '/mcp-servers', { name: 'wb', server_url: 'stdio://wb', command: process.execPath, args: [WELL_BEHAVED] }), 201);
  await expectOk(request('POST', '/mcp-servers', { name: 'github', server_url: 'stdio://github' }), 201);

  const agent = await expectOk(request<AgentView>('POST', '/agents', { name: 'my-agent', display_name: 'My agent', description: 'secure()' }), 201);
  assert.match(agent.id, /^agn_/);
  assert.deepEqual([agent.name, agent.kind, agent.servers], ['my-agent', 'registered', []]);
  refused(await request('POST', '/agents', { name: 'my-agent' }), 409, 'conflict', 'name');
  refused(await request('POST', '/agents', { name: '../etc' }), 400, 'invalid_input', 'name');
  refused(await request('POST', '/agents', { name: 'x', owner: 'me' }), 400, 'invalid_input', undefined, /Unknown field "owner"/);

  const agents = await expectOk(request<{ items: AgentView[] }>('GET', '/agents'));
  const client = agents.items.find((a) => a.kind === 'client' && a.client === 'claude-desktop');
  assert.ok(client !== undefined, 'the Claude Desktop config is an agent');
  assert.deepEqual(client.servers.map((s) => s.name), ['memory']);
  assert.ok(agents.items.some((a) => a.id === agent.id));
  assert.equal((await expectOk(request<AgentView>('GET', '/agents/my-agent'))).id, agent.id);
  assert.equal((await expectOk(request<AgentView>('GET', `/agents/${agent.id}`))).name, 'my-agent');
  refused(await request('GET', '/agents/nobody'), 404, 'not_found');

  const linked = await expectOk(request<AgentView>('POST', `/agents/${agent.id}/mcp-servers/wb`));
  assert.deepEqual(linked.servers.map((s) => s.name), ['wb']);
  refused(await request('POST', `/agents/${agent.id}/mcp-servers/nothing-here`), 404, 'not_found');
  refused(await request('POST', '/agents/nobody/mcp-servers/wb'), 404, 'not_found');
  const set = await expectOk(request<AgentView>('PUT', `/agents/${agent.id}/mcp-servers`, { mcp_server_ids: ['github', 'memory'] }));
  assert.deepEqual(set.servers.map((s) => s.name).sort(), ['github', 'memory']);
  refused(await request('PUT', `/agents/${agent.id}/mcp-servers`, { mcp_server_ids: ['github', 'nothing-here'] }), 404, 'not_found');
  assert.deepEqual((await expectOk(request<AgentView>('GET', `/agents/${agent.id}`))).servers.map((s) => s.name).sort(), ['github', 'memory'], 'a refused list changes nothing');
  refused(await request('PUT', `/agents/${agent.id}/mcp-servers`, { servers: [] }), 400, 'invalid_input');
  const unlinked = await expectOk(request<AgentView>('DELETE', `/agents/${agent.id}/mcp-servers/github`));
  assert.deepEqual(unlinked.servers.map((s) => s.name), ['memory']);
  refused(await request('DELETE', `/agents/${agent.id}/mcp-servers/nothing-here`), 404, 'not_found');
});

test('alerts and audit: filters, acknowledge, resolve, paging, chain verification, OpenAPI', async (t) => {
  const served = await serveWithConfig(t);
  const { request } = served;
  // A second server appearing after the first scan raises an unapproved_server alert.
  writeByRename(served.fake.claudeDesktop, claudeDesktopConfig({ memory: { command: process.execPath, args: [WELL_BEHAVED] }, other: { command: process.execPath, args: [WELL_BEHAVED, '--other'] } }));
  const unapproved = await until('the unapproved_server alert', async () => (await expectOk(request<AlertsPage>('GET', '/alerts?state=open'))).items.find((a) => a.type === 'unapproved_server'));
  assert.equal(unapproved.server_name, 'other');

  const high = await expectOk(request<AlertsPage>('GET', '/alerts?severity=high'));
  assert.ok(high.items.every((a) => a.severity === 'high' || a.severity === 'critical'));
  const forServer = await expectOk(request<AlertsPage>('GET', '/alerts?server=other'));
  assert.ok(forServer.items.length > 0 && forServer.items.every((a) => a.server_name === 'other'));
  const paged = await expectOk(request<AlertsPage>('GET', '/alerts?limit=1'));
  assert.deepEqual([paged.items.length, paged.next_offset], [1, paged.total > 1 ? 1 : null]);
  refused(await request('GET', '/alerts?severity=loud'), 400, 'invalid_input', 'severity');
  refused(await request('GET', '/alerts?server=nothing-here'), 404, 'not_found');
  assert.equal((await expectOk(request<Alert>('GET', `/alerts/${unapproved.id}`))).id, unapproved.id);

  const acked = await expectOk(request<Alert>('POST', `/alerts/${unapproved.id}/acknowledge`));
  assert.equal(acked.state, 'acknowledged');
  refused(await request('POST', `/alerts/${unapproved.id}/acknowledge`), 409, 'conflict', 'id', /already acknowledged/);
  const resolved = await expectOk(request<Alert>('POST', `/alerts/${unapproved.id}/resolve`));
  assert.deepEqual([resolved.state, resolved.resolved_reason], ['resolved', 'resolved by the user']);
  refused(await request('POST', `/alerts/${unapproved.id}/resolve`), 409, 'conflict', 'id', /already resolved/);
  refused(await request('POST', '/alerts/abc/acknowledge'), 400, 'invalid_input', 'id');
  refused(await request('POST', '/alerts/999999/resolve'), 404, 'not_found', 'id');

  // The audit trail, a page at a time.
  const first = await expectOk(request<AuditPage>('GET', '/audit?limit=2'));
  assert.equal(first.items.length, 2);
  assert.equal(first.next_after, first.items[1]?.seq);
  const second = await expectOk(request<AuditPage>('GET', `/audit?limit=2&after=${first.next_after}`));
  assert.equal(second.items[0]?.seq, (first.items[1]?.seq ?? 0) + 1);
  const everything: AuditEvent[] = [];
  for (let after = 0; ; ) {
    const p = await expectOk(request<AuditPage>('GET', `/audit?limit=500&after=${after}`));
    everything.push(...p.items);
    if (p.next_after === null) break;
    after = p.next_after;
  }
  assert.ok(everything.some((e) => e.type === 'alert.resolved' && e.details.alert_id === unapproved.id));
  const typed = await expectOk(request<AuditPage>('GET', '/audit?type=alert.acknowledged'));
  assert.deepEqual(typed.items.map((e) => e.details.alert_id), [unapproved.id]);
  refused(await request('GET', '/audit?after=-1'), 400, 'invalid_input', 'after');
  const chain = await expectOk(request<{ ok: boolean; events: number }>('GET', '/audit/verify'));
  assert.deepEqual([chain.ok, chain.events], [true, everything.length]);

  // The OpenAPI document lists every route with the request schemas the server validates with.
  const doc = await expectOk(request<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required?: string[] } }> }; security?: unknown[] }>> }>('GET', '/openapi.json'));
  assert.equal(doc.openapi, '3.1.0');
  const register = doc.paths['/api/v1/mcp-servers']?.post?.requestBody?.content['application/json']?.schema;
  assert.deepEqual(Object.keys(register?.properties ?? {}).slice(0, 6), ['name', 'server_url', 'display_name', 'description', 'capabilities', 'command']);
  assert.deepEqual(register?.required, ['name', 'server_url']);
  assert.deepEqual(doc.paths['/api/v1/health']?.get?.security, [], 'health is public');
  for (const p of ['/api/v1/mcp-servers/{id}/attest', '/api/v1/agents/{agentId}/mcp-servers/{mcpId}', '/api/v1/alerts/{id}/resolve', '/api/v1/audit/verify', '/api/v1/events']) assert.ok(doc.paths[p] !== undefined, p);
});
