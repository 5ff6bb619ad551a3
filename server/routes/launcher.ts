/**
 * `/api/v1/mcp-servers/:id/{attach,detach,secure,policy,tool-calls}`: what the app does with the
 * launcher (`mcp-warden run`). Attach and detach rewrite a client's config so its entry for the
 * server runs through the launcher (or no longer does); secure moves the server's plaintext config
 * secrets into the OS keychain; policy is the server's own attestation and undeclared-tool policy;
 * tool-calls is the newest `tool.called` audit events the launcher wrote. The engine validates and
 * audits; each change is announced as a `registry` event.
 */
import { TOOL_CALL_EVENT, type ToolCallDetails } from '../../core/api/launcher.ts';
import { setPolicyRequestSchema, toolCallsQuerySchema, type ToolCallView } from '../../core/api/rest.ts';
import { latestAudit } from '../../core/audit/latest-events.ts';
import { getServerPolicies, setServerPolicies } from '../../core/launcher/policy.ts';
import { getServer } from '../../core/registry/read.ts';
import { ok, param, parseBody, parseQuery, type Route, type Services } from '../route.ts';

function changed(s: Services, reason: string, serverId: string): void {
  s.hub.emit({ type: 'registry', reason, server_id: serverId });
}

export const launcherRoutes: Route[] = [
  {
    method: 'GET',
    path: '/mcp-servers/:id/policy',
    summary: "The server's own attestation and undeclared-tool policies (null follows the global setting) and the ones in force",
    success: { status: 200, description: 'ServerPolicies: {attestation, undeclared, effective}' },
    errors: [404],
    handler: (r, s) => ok(getServerPolicies(s.store.db, getServer(s.store.db, param(r, 'id')).id)),
  },
  {
    method: 'PUT',
    path: '/mcp-servers/:id/policy',
    summary: 'Set the server\'s own policies: "warn" or "block", null to follow the global setting again; a field left out stays as it is (audited)',
    requestBody: setPolicyRequestSchema,
    success: { status: 200, description: 'ServerPolicies after the change' },
    errors: [404],
    handler: (r, s) => {
      const change = parseBody(setPolicyRequestSchema, r.body);
      const target = getServer(s.store.db, param(r, 'id'));
      const policies = setServerPolicies(s.store, target.id, change);
      changed(s, 'policy_changed', target.id);
      return ok(policies);
    },
  },
  {
    method: 'GET',
    path: '/mcp-servers/:id/tool-calls',
    summary: 'The latest tool calls the launcher saw for this server (tool.called audit events), newest first',
    querySchema: toolCallsQuerySchema,
    success: { status: 200, description: '{items: ToolCallView[]}: seq and time with the call\'s tool, duration, error, blocked, undeclared and argument keys' },
    errors: [404],
    handler: (r, s) => {
      const { limit } = parseQuery(toolCallsQuerySchema, r.query);
      const target = getServer(s.store.db, param(r, 'id'));
      const items: ToolCallView[] = latestAudit(s.store.db, { serverId: target.id, type: TOOL_CALL_EVENT, limit }).map((e) => ({
        ...(e.details as unknown as ToolCallDetails),
        seq: e.seq,
        at: e.at,
      }));
      return ok({ items });
    },
  },
];
