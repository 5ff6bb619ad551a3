// Writes test/fixtures/db/schema-v<N>.sqlite (N = the current schema version) with sample rows,
// and schema-v<N>.expected.json with what the registry read from it. Run once when a migration is
// added: `node scripts/make-db-fixture.ts`. The fixtures keep upgrades from every version tested.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linkAgentServer, registerAgent } from '../core/agents/agents.ts';
import { createApiKey } from '../core/api-keys/api-keys.ts';
import { registerFromRequest } from '../core/registry/api-register.ts';
import { scanConfig } from '../core/discovery/scan.ts';
import { applySessionEvents } from '../core/launcher/apply-events.ts';
import { listServers } from '../core/registry/read.ts';
import { registerServer } from '../core/registry/register.ts';
import { DATABASE_FILE, openStore } from '../core/store/database.ts';
import { LATEST_SCHEMA_VERSION } from '../core/store/migrations.ts';

const out = path.resolve(import.meta.dirname, '..', 'test', 'fixtures', 'db');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-fixture-'));
const store = openStore(dir);
const ctx = { cwd: dir, env: { PATH: '/bin:/usr/bin' }, now: () => new Date('2026-01-01T00:00:00Z') };
// Secret metadata only: fixtures never hold a keychain value.
store.db.prepare("INSERT INTO secrets (name, description, created_at) VALUES ('gh-token', 'GitHub', '2026-01-01T00:00:00.000Z')").run();
registerServer(store, { name: 'files', transport: 'stdio', command: '/bin/sh', args: ['-c', 'exec cat'], env_template: [{ key: 'GITHUB_TOKEN', value: '{{secret:gh-token}}' }], capabilities: ['read_file'], description: 'fixture' }, ctx);
registerServer(store, { name: 'remote', transport: 'http', url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'core' } }, ctx);
registerServer(store, { name: 'legacy', transport: 'sse', url: 'http://127.0.0.1:9000/sse', display_name: 'Legacy SSE' }, ctx);
// Since schema 2: a discovered config with its alerts and audit events.
const config = path.join(dir, 'claude_desktop_config.json');
writeFileSync(config, JSON.stringify({ mcpServers: { found: { command: '/bin/sh', args: ['-c', 'true'] }, web: { url: 'http://mcp.example.com/mcp' } } }));
scanConfig({ store, env: ctx.env, now: ctx.now }, { client: 'claude-desktop', path: config, format: 'mcpServers', scope: 'user' });
// Since schema 4: a declared server, an agent registered through the API linked to a server, and an
// API key (its hash; the key itself is thrown away).
const where = { platform: 'linux' as const, env: { HOME: dir }, homedir: dir };
registerFromRequest({ store, env: ctx.env, where, now: ctx.now }, { name: 'planned', server_url: 'stdio://planned', capabilities: ['search'], description: 'declared' }, ctx);
registerAgent(store, { name: 'fixture-agent', description: 'an agent calling secure()' }, ctx.now());
linkAgentServer({ store, env: ctx.env, where, now: ctx.now }, 'fixture-agent', 'remote');
createApiKey(store, 'fixture-key', ctx.now());
// Since schema 5: a server's own launcher policy.
store.db.prepare("UPDATE servers SET attestation_policy = 'block', undeclared_policy = 'warn' WHERE name = 'files'").run();
// Since schema 6: a launcher session's receipts (a tool call it recorded, and its end).
const files = listServers(store.db).find((s) => s.name === 'files');
store.db.transaction(() => applySessionEvents(store.db, '4242-1000-0a1b2c3d', [
  { seq: 1, event: { kind: 'audit', at: '2026-01-01T00:00:00.000Z', event: { actor: 'system', type: 'tool.called', server_id: files?.id ?? null, details: { name: 'files', tool: 'read_file', duration_ms: 1, error: false, argument_keys: ['path'], arguments: { path: '/tmp/x' }, undeclared: false, blocked: false, client: 'fixture' } } } },
  { seq: 2, event: { kind: 'end', at: '2026-01-01T00:00:01.000Z' } },
])).immediate();
const expected = listServers(store.db);
store.db.pragma('wal_checkpoint(TRUNCATE)');
store.db.pragma('journal_mode = DELETE');
store.close();
const name = `schema-v${LATEST_SCHEMA_VERSION}`;
copyFileSync(path.join(dir, DATABASE_FILE), path.join(out, `${name}.sqlite`));
writeFileSync(path.join(out, `${name}.expected.json`), `${JSON.stringify({ servers: expected }, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`Wrote ${path.join(out, name)}.sqlite\n`);
