/**
 * `/api/v1/agents`: the clients whose configs MCP Warden reads, and agents registered through the
 * API, each with the servers linked to it. `:agentId` and `:mcpId` take an id or a name.
 */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { getAgent, linkAgentServer, listAgents, registerAgent, setAgentServers, unlinkAgentServer } from '../../core/agents/agents.ts';
import { findServer } from '../../core/registry/read.ts';
import { handle, ok, param, type Handler, type Route } from '../route.ts';

/** `POST` / `DELETE /agents/:agentId/mcp-servers/:mcpId`: one link made or undone. */
function linkHandler(reason: string, change: typeof linkAgentServer): Handler {
  return (r, s) => {
    const agent = change(s.scan, param(r, 'agentId'), param(r, 'mcpId'));
    s.hub.emit({ type: 'registry', reason, server_id: findServer(s.store.db, param(r, 'mcpId'))?.id ?? null });
    return ok(agent);
  };
}

export const agentRoutes: Route[] = [
  handle(ENDPOINTS.registerAgent, (r, s) => {
    const agent = registerAgent(s.store, r.body);
    s.hub.emit({ type: 'registry', reason: 'agent registered', server_id: null });
    return ok(agent, 201);
  }),
  handle(ENDPOINTS.listAgents, (_r, s) => ok({ items: listAgents(s.store.db) })),
  handle(ENDPOINTS.getAgent, (r, s) => ok(getAgent(s.store.db, param(r, 'agentId')))),
  handle(ENDPOINTS.setAgentServers, (r, s) => {
    const agent = setAgentServers(s.scan, param(r, 'agentId'), r.body);
    s.hub.emit({ type: 'registry', reason: 'agent servers set', server_id: null });
    return ok(agent);
  }),
  handle(ENDPOINTS.linkAgentServer, linkHandler('linked', linkAgentServer)),
  handle(ENDPOINTS.unlinkAgentServer, linkHandler('unlinked', unlinkAgentServer)),
];
