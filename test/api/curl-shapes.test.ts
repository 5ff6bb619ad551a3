/**
 * The three requests users already send to agent-identity dashboards, sent byte for byte with curl
 * (or with fetch and the identical bytes where curl is missing) to a real `serve`: register a
 * server, link it to an agent, and attest it with a publisher's real Ed25519 signature.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as ed from '@noble/ed25519';
import type { AgentView, AttestResponse, ServerView } from '../../core/api/rest.ts';
import { verifyEnvelope } from '../../core/attest/dsse.ts';
import { canonicalJson } from '../../core/util/canonical-json.ts';
import { tempDir } from '../helpers/cli.ts';
import { startServe, type Served } from '../helpers/serve.ts';

const HAVE_CURL = spawnSync('sh', ['-c', 'command -v curl']).status === 0;

/** POST `body` (a string, sent as is) the way the users' curl command line does. */
async function post(served: Served, urlPath: string, body: string): Promise<{ status: number; json: unknown }> {
  const url = `${served.api}${urlPath}`;
  if (HAVE_CURL) {
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-X', 'POST', url, '-H', `Authorization: Bearer ${served.key}`, '-H', 'Content-Type: application/json', '-d', body, '-w', '\n%{http_code}']);
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), json: JSON.parse(stdout.slice(0, cut)) };
  }
  const response = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${served.key}`, 'Content-Type': 'application/json' }, body });
  return { status: response.status, json: await response.json() };
}

test('the three curl shapes: register github, link it to an agent, attest a node script with a publisher signature', async (t) => {
  const served = await startServe(t);

  // (a) Registration as the dashboards send it: declared (no client config lists github).
  const a = await post(served, '/mcp-servers', '{"name":"github","display_name":"GitHub","server_url":"stdio://github","capabilities":["create_issue","list_repos"],"description":"GitHub MCP server"}');
  assert.equal(a.status, 201, JSON.stringify(a.json));
  const github = a.json as ServerView;
  assert.match(github.id, /^srv_[0-9a-f]{24}$/);
  assert.deepEqual(
    [github.name, github.display_name, github.server_url, github.capabilities, github.description, github.status, github.transport, github.command],
    ['github', 'GitHub', 'stdio://github', ['create_issue', 'list_repos'], 'GitHub MCP server', 'declared', 'stdio', null],
  );

  // (b) Link it to an agent registered through the API.
  const agent = await post(served, '/agents', '{"name":"my-agent","display_name":"My agent","description":"Calls secure() at start-up"}');
  assert.equal(agent.status, 201, JSON.stringify(agent.json));
  const agentId = (agent.json as AgentView).id;
  const b = await post(served, `/agents/${agentId}/mcp-servers/${github.id}`, '');
  assert.equal(b.status, 200, JSON.stringify(b.json));
  assert.deepEqual((b.json as AgentView).servers.map((s) => [s.id, s.name]), [[github.id, 'github']]);

  // (c) Attest a stdio server that runs `node server.js`: the script is what the checksum names.
  const work = tempDir(t, 'mcp-warden-script-');
  const script = path.join(work, 'server.js');
  writeFileSync(script, "process.stdin.on('data', () => {}); // a publisher's MCP server v1.2.0\n");
  const checksum = `sha256:${createHash('sha256').update("process.stdin.on('data', () => {}); // a publisher's MCP server v1.2.0\n").digest('hex')}`;
  const registered = await post(served, '/mcp-servers', JSON.stringify({ name: 'scripted', server_url: 'stdio://scripted', command: 'node', args: [script] }));
  assert.equal(registered.status, 201, JSON.stringify(registered.json));
  const scripted = registered.json as ServerView;

  const publisher = ed.utils.randomSecretKey();
  const publicKey = `ed25519:${Buffer.from(await ed.getPublicKeyAsync(publisher)).toString('base64')}`;
  const attestationData = { version: '1.2.0', checksum };
  const signature = Buffer.from(await ed.signAsync(Buffer.from(canonicalJson(attestationData)), publisher)).toString('base64');
  const c = await post(served, `/mcp-servers/${scripted.id}/attest`, JSON.stringify({ public_key: publicKey, attestation_data: attestationData, signature }));
  assert.equal(c.status, 201, JSON.stringify(c.json));
  const { attestation, envelope } = c.json as AttestResponse;
  assert.equal(attestation.server_id, scripted.id);
  assert.equal(attestation.statement.script?.path, script);
  assert.equal(`sha256:${attestation.statement.script?.sha256}`, checksum);
  assert.deepEqual([attestation.statement.publisher?.key, attestation.statement.publisher?.checksum, attestation.statement.publisher?.signature], [publicKey, checksum, signature]);
  // The envelope verifies offline with the device key it names.
  assert.deepEqual(verifyEnvelope(JSON.stringify(envelope), attestation.keyid).ok, true);

  // What did not match is named, with 422, and nothing is recorded.
  const wrongSum = await post(served, `/mcp-servers/${scripted.id}/attest`, JSON.stringify({ public_key: publicKey, attestation_data: { version: '1.2.0', checksum: `sha256:${'0'.repeat(64)}` } }));
  assert.equal(wrongSum.status, 422, JSON.stringify(wrongSum.json));
  assert.deepEqual((wrongSum.json as { error: { code: string; field: string } }).error.code, 'failed');
  assert.match((wrongSum.json as { error: { message: string } }).error.message, /does not match the publisher's checksum/);
  const forged = await post(served, `/mcp-servers/${scripted.id}/attest`, JSON.stringify({ public_key: publicKey, attestation_data: { version: '1.2.1', checksum }, signature }));
  assert.equal(forged.status, 422, JSON.stringify(forged.json));
  assert.equal((forged.json as { error: { field: string } }).error.field, 'signature');
  const trail = await served.request<{ items: { type: string }[] }>('GET', `/audit?server=scripted&type=server.attested`);
  assert.equal(trail.json.items.length, 1, 'only the matching attestation was recorded');
});
