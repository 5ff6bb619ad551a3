/**
 * `/api/v1/agents`: the clients whose configs MCP Warden reads, and agents registered through the
 * API, each with the servers linked to it. `:agentId` and `:mcpId` take an id or a name.
 */
import { registerAgentRequestSchema, setAgentServersRequestSchema } from '../../core/api/rest.ts';
import { getAgent, linkAgentServer, listAgents, registerAgent, setAgentServers, unlinkAgentServer } from '../../core/agents/agents.ts';
import { findServer } from '../../core/registry/read.ts';
import { ok, param, type Route } from '../route.ts';

/** `POST` / `DELETE /agents/:agentId/mcp-servers/:mcpId`: one link made or undone. */
function linkRoute(method: 'POST' | 'DELETE', summary: string, reason: string, change: typeof linkAgentServer): Route {
  return {
    method,
    path: '/agents/:agentId/mcp-servers/:mcpId',
    summary,
    success: { status: 200, description: 'The AgentView' },
    errors: [404, 409],
    handler: (r, s) => {
      const agent = change(s.scan, param(r, 'agentId'), param(r, 'mcpId'));
      s.hub.emit({ type: 'registry', reason, server_id: findServer(s.store.db, param(r, 'mcpId'))?.id ?? null });
      return ok(agent);
    },
  };
}

export const agentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/agents',
    summary: 'Register an agent that is not a client config (an agent calling secure())',
    requestBody: registerAgentRequestSchema,
    success: { status: 201, description: 'The AgentView' },
    errors: [409],
    handler: (r, s) => {
      const agent = registerAgent(s.store, r.body);
      s.hub.emit({ type: 'registry', reason: 'agent registered', server_id: null });
      return ok(agent, 201);
    },
  },
  {
    method: 'GET',
    path: '/agents',
    summary: 'Every agent: client configs and registered agents, with their servers',
    success: { status: 200, description: '{items: AgentView[]}' },
    handler: (_r, s) => ok({ items: listAgents(s.store.db) }),
  },
  {
    method: 'GET',
    path: '/agents/:agentId',
    summary: 'One agent by id or name',
    success: { status: 200, description: 'The AgentView' },
    errors: [404],
    handler: (r, s) => ok(getAgent(s.store.db, param(r, 'agentId'))),
  },
  {
    method: 'PUT',
    path: '/agents/:agentId/mcp-servers',
    summary: "Set the agent's whole list of servers",
    requestBody: setAgentServersRequestSchema,
    success: { status: 200, description: 'The AgentView' },
    errors: [404, 409],
    handler: (r, s) => {
      const agent = setAgentServers(s.scan, param(r, 'agentId'), r.body);
      s.hub.emit({ type: 'registry', reason: 'agent servers set', server_id: null });
      return ok(agent);
    },
  },
  linkRoute('POST', 'Link a server to the agent', 'linked', linkAgentServer),
  linkRoute('DELETE', 'Unlink a server from the agent', 'unlinked', unlinkAgentServer),
];
