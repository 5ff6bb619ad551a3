/** core/agents: registered agents and client configs as agents, their servers, on a real store and real config files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAlerts } from '../../core/alerts/alert-store.ts';
import { getAgent, linkAgentServer, listAgents, registerAgent, setAgentServers, unlinkAgentServer } from '../../core/agents/agents.ts';
import { listAudit } from '../../core/audit/audit-log.ts';
import { agentIdFor, scanConfig } from '../../core/discovery/scan.ts';
import { registerFromRequest } from '../../core/registry/api-register.ts';
import { getServer } from '../../core/registry/read.ts';
import { engine, failure, stateChecksum, type Engine } from '../helpers/engine.ts';
import { claudeDesktopConfig, writeByRename } from '../helpers/fake-home.ts';

function setup(e: Engine): void {
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] } }));
  scanConfig(e.options, e.claudeDesktop);
  registerFromRequest(e.options, { name: 'remote', server_url: 'https://remote.example/mcp' }, e.ctx);
  registerFromRequest(e.options, { name: 'notes', server_url: 'stdio://notes', command: 'sh', args: ['-c', 'exec cat'] }, e.ctx);
  registerFromRequest(e.options, { name: 'planned', server_url: 'stdio://planned' }, e.ctx);
}

const serverNames = (agent: { servers: { name: string }[] }) => agent.servers.map((s) => s.name);

test('a registered agent: its name is unique (any case), not a client id, and its id derives from its name', (t) => {
  const e = engine(t);
  const bot = registerAgent(e.store, { name: 'support-bot', display_name: 'Support bot', description: 'answers tickets' }, new Date('2026-01-02T00:00:00Z'));
  assert.match(bot.id, /^agn_[0-9a-f]{24}$/);
  assert.deepEqual(
    { ...bot, id: undefined },
    { id: undefined, name: 'support-bot', display_name: 'Support bot', description: 'answers tickets', kind: 'registered', client: null, config_path: null, state: null, servers: [], created_at: '2026-01-02T00:00:00.000Z' },
  );
  assert.deepEqual(getAgent(e.store.db, bot.id), bot);
  assert.deepEqual(getAgent(e.store.db, 'SUPPORT-BOT'), bot, 'by name, any case');
  const before = stateChecksum(e.dataDir);
  assert.deepEqual(Object.values(failure(() => registerAgent(e.store, { name: 'Support-Bot' }))).slice(0, 2), ['conflict', 'name']);
  assert.deepEqual(Object.values(failure(() => registerAgent(e.store, { name: 'claude-desktop' }))).slice(0, 2), ['invalid_input', 'name']);
  assert.deepEqual(Object.values(failure(() => registerAgent(e.store, { name: 'bad name' }))).slice(0, 2), ['invalid_input', 'name']);
  assert.deepEqual(Object.values(failure(() => registerAgent(e.store, { name: 'x', kind: 'client' }))).slice(0, 2), ['invalid_input', 'kind']);
  assert.equal(stateChecksum(e.dataDir), before);
  assert.equal(failure(() => getAgent(e.store.db, 'nobody')).code, 'not_found');
  assert.ok(listAudit(e.store.db).some((a) => a.type === 'agent.registered' && a.details['name'] === 'support-bot'));
});

test('listAgents: each client config (named by its client id), then the registered agents, each with its servers', (t) => {
  const e = engine(t);
  setup(e);
  writeByRename(e.cursor.path, { mcpServers: { other: { url: 'https://other.example/mcp' } } });
  scanConfig(e.options, e.cursor);
  registerAgent(e.store, { name: 'bot' });
  linkAgentServer(e.options, 'bot', 'remote');
  const agents = listAgents(e.store.db);
  assert.deepEqual(agents.map((a) => [a.kind, a.name, a.display_name, a.state, serverNames(a)]), [
    ['client', 'claude-desktop', 'Claude Desktop', 'ok', ['found']],
    ['client', 'cursor', 'Cursor', 'ok', ['other']],
    ['registered', 'bot', 'bot', null, ['remote']],
  ]);
  assert.equal(agents[0]?.id, agentIdFor(e.claudeDesktop), 'a client agent keeps its agt_ id');
  assert.deepEqual(getAgent(e.store.db, 'claude-desktop'), agents[0]);
  assert.deepEqual(getAgent(e.store.db, agents[1]?.id ?? ''), agents[1]);
});

test('a registered agent links any server, idempotently; unlinks; and set replaces its list all or nothing', (t) => {
  const e = engine(t);
  setup(e);
  registerAgent(e.store, { name: 'bot' });
  assert.deepEqual(serverNames(linkAgentServer(e.options, 'bot', 'remote')), ['remote']);
  const audits = listAudit(e.store.db).length;
  assert.deepEqual(serverNames(linkAgentServer(e.options, 'bot', getServer(e.store.db, 'remote').id)), ['remote'], 'by id too');
  assert.equal(listAudit(e.store.db).length, audits, 'linking again changes nothing');
  assert.deepEqual(serverNames(linkAgentServer(e.options, 'bot', 'found')), ['found', 'remote'], 'a discovered server too');
  assert.deepEqual(serverNames(unlinkAgentServer(e.options, 'bot', 'found')), ['remote']);
  assert.equal(failure(() => unlinkAgentServer(e.options, 'bot', 'found')).code, 'not_found');
  assert.deepEqual(listAudit(e.store.db).filter((a) => a.type.startsWith('agent.')).map((a) => a.type), ['agent.registered', 'agent.linked', 'agent.linked', 'agent.unlinked']);

  const before = stateChecksum(e.dataDir);
  const unknown = failure(() => setAgentServers(e.options, 'bot', { mcp_server_ids: ['planned', 'nope', 'notes'] }));
  assert.deepEqual([unknown.code, unknown.field, unknown.message], ['not_found', 'mcp_server_ids[1]', 'No server "nope" is registered.']);
  assert.deepEqual(Object.values(failure(() => setAgentServers(e.options, 'bot', { servers: [] }))).slice(0, 2), ['invalid_input', 'mcp_server_ids']);
  assert.equal(failure(() => setAgentServers(e.options, 'nobody', { mcp_server_ids: [] })).code, 'not_found');
  assert.equal(stateChecksum(e.dataDir), before, 'a refused set changes nothing');

  assert.deepEqual(serverNames(setAgentServers(e.options, 'bot', { mcp_server_ids: ['planned', 'notes', 'NOTES'] })), ['notes', 'planned']);
  assert.deepEqual(serverNames(setAgentServers(e.options, 'bot', { mcp_server_ids: [] })), []);
  assert.equal(failure(() => linkAgentServer(e.options, 'bot', 'nope')).code, 'not_found');
  assert.equal(failure(() => linkAgentServer(e.options, 'nobody', 'notes')).code, 'not_found');
});

test('a client agent: hand-made and declared servers are linked as expected entries; what the file lists is changed only in the file', (t) => {
  const e = engine(t);
  setup(e);
  const linked = linkAgentServer(e.options, 'claude-desktop', 'notes');
  assert.deepEqual(serverNames(linked), ['found', 'notes']);
  assert.ok(listAudit(e.store.db).some((a) => a.type === 'server.linked' && a.details['key'] === 'notes'));
  assert.deepEqual(serverNames(linkAgentServer(e.options, 'claude-desktop', 'found')), ['found', 'notes'], 'a server from this very config: nothing to do');

  // Linking a declared server, then the entry appears: it is matched.
  linkAgentServer(e.options, 'claude-desktop', 'planned');
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] }, planned: { command: 'cat' } }));
  scanConfig(e.options, e.claudeDesktop);
  assert.equal(getServer(e.store.db, 'planned').status, 'approved');

  // A discovered server of another config cannot be linked here.
  writeByRename(e.cursor.path, { mcpServers: { other: { url: 'https://other.example/mcp' } } });
  scanConfig(e.options, e.cursor);
  const elsewhere = failure(() => linkAgentServer(e.options, 'claude-desktop', 'other'));
  assert.equal(elsewhere.code, 'conflict');
  assert.match(elsewhere.message, new RegExp(`comes from the entry "other" of ${e.cursor.path.replace(/[.]/g, '\\.')}`));

  // In the file itself: removed there, not here.
  const listed = failure(() => unlinkAgentServer(e.options, 'claude-desktop', 'found'));
  assert.deepEqual([listed.code, listed.message], ['conflict', `${e.claudeDesktop.path} lists "found" itself (entry "found"): remove it from ${e.claudeDesktop.path}.`]);
  assert.equal(failure(() => unlinkAgentServer(e.options, 'claude-desktop', 'planned')).code, 'conflict', 'matched from the file: also the file\'s');

  // The expected entry never appeared: unlinking removes the expectation.
  assert.deepEqual(serverNames(unlinkAgentServer(e.options, 'claude-desktop', 'notes')), ['found', 'planned']);
  assert.ok(listAudit(e.store.db).some((a) => a.type === 'server.unlinked'));
  assert.equal(failure(() => unlinkAgentServer(e.options, 'claude-desktop', 'remote')).code, 'not_found');

  // An expected entry that was in the file and then removed: unlinking clears its removal alert.
  linkAgentServer(e.options, 'claude-desktop', 'remote');
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] }, planned: { command: 'cat' }, remote: { url: 'https://remote.example/mcp' } }));
  scanConfig(e.options, e.claudeDesktop);
  writeByRename(e.claudeDesktop.path, claudeDesktopConfig({ found: { command: 'sh', args: ['-c', 'true'] }, planned: { command: 'cat' } }));
  scanConfig(e.options, e.claudeDesktop);
  const removedAlert = () => listAlerts(e.store.db, { state: 'open' }).some((a) => a.type === 'server_removed' && a.server_name === 'remote');
  assert.ok(removedAlert());
  assert.deepEqual(serverNames(unlinkAgentServer(e.options, 'claude-desktop', 'remote')), ['found', 'planned']);
  assert.ok(!removedAlert(), 'the config no longer expects it');

  // set on a client agent: all or nothing, the file's own entries cannot be dropped.
  const before = stateChecksum(e.dataDir);
  assert.equal(failure(() => setAgentServers(e.options, 'claude-desktop', { mcp_server_ids: ['notes'] })).code, 'conflict');
  assert.equal(stateChecksum(e.dataDir), before, 'nothing was linked before the refusal');
  assert.deepEqual(serverNames(setAgentServers(e.options, 'claude-desktop', { mcp_server_ids: ['found', 'planned', 'notes'] })), ['found', 'notes', 'planned']);
});

test('a client whose config was never scanned is linked at its first config location', (t) => {
  const e = engine(t);
  registerFromRequest(e.options, { name: 'notes', server_url: 'stdio://notes', command: 'sh' }, e.ctx);
  const agent = linkAgentServer(e.options, 'cursor', 'notes');
  assert.deepEqual([agent.kind, agent.name, agent.config_path, agent.state, serverNames(agent)], ['client', 'cursor', e.cursor.path, 'missing', ['notes']]);
  assert.equal(agent.id, agentIdFor(e.cursor));
});
