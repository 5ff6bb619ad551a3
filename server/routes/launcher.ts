/**
 * `/api/v1/mcp-servers/:id/{attach,detach,secure,policy,tool-calls}`: what the app does with the
 * launcher (`mcp-warden run`). Attach and detach rewrite a client's config so its entry for the
 * server runs through the launcher (or no longer does); secure moves the server's plaintext config
 * secrets into the OS keychain; policy is the server's own attestation and undeclared-tool policy;
 * tool-calls is the newest `tool.called` audit events the launcher wrote. The engine validates and
 * audits; each change is announced as a `registry` event.
 */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { unavailable } from '../../core/api/errors.ts';
import { TOOL_CALL_EVENT, type AttachResult, type ToolCallDetails } from '../../core/api/launcher.ts';
import { attachRequestSchema, detachRequestSchema, setPolicyRequestSchema, toolCallsQuerySchema, type ToolCallView } from '../../core/api/rest.ts';
import { attachServer, detachServer } from '../../core/attach/attach.ts';
import { launcherContextFromProcess, type LauncherContext } from '../../core/attach/launcher-entry.ts';
import { latestAudit } from '../../core/audit/latest-events.ts';
import { getServerPolicies, setServerPolicies } from '../../core/launcher/policy.ts';
import { getServer } from '../../core/registry/read.ts';
import { secureServer } from '../../core/secure/secure.ts';
import { handle, ok, param, parseBody, parseQuery, type Route, type Services } from '../route.ts';

function changed(s: Services, reason: string, serverId: string): void {
  s.hub.emit({ type: 'registry', reason, server_id: serverId });
}

/**
 * The launcher entry attach and secure write: this process's Node (or the app in Node mode) and CLI
 * entry, with `--home` when serve's data directory is not the one a client's bare environment gives.
 */
const launcher = (s: Services): LauncherContext => launcherContextFromProcess(s.store.dataDir);

/** After attach or detach: the config was re-scanned, so the server's links (and the Clients screen) changed. */
function attached(s: Services, reason: string, result: AttachResult) {
  changed(s, reason, getServer(s.store.db, result.server).id);
  return ok(result);
}

export const launcherRoutes: Route[] = [
  handle(ENDPOINTS.attachServer, (r, s) => {
    const body = parseBody(attachRequestSchema, r.body);
    const result = attachServer(s.scan, param(r, 'id'), { client: body.client, configPath: body.config_path, launcher: launcher(s) });
    return attached(s, 'attached', result);
  }),
  handle(ENDPOINTS.detachServer, (r, s) => {
    const body = parseBody(detachRequestSchema, r.body);
    const result = detachServer(s.scan, param(r, 'id'), { client: body.client, configPath: body.config_path, remove: body.remove, launcher: launcher(s) });
    return attached(s, body.remove === true ? 'detached_removed' : 'detached', result);
  }),
  handle(ENDPOINTS.secureServer, (r, s) => {
    const target = getServer(s.store.db, param(r, 'id'));
    // Checked first: nothing is read or written when the keychain cannot store.
    const state = s.keychain.status();
    if (!state.available) throw unavailable(state.problem ?? 'The OS keychain is not available.');
    const items = secureServer(s.scan, target.id, { launcher: launcher(s), keychain: s.keychain });
    changed(s, 'secured', target.id);
    return ok({ items });
  }),
  handle(ENDPOINTS.getPolicy, (r, s) => ok(getServerPolicies(s.store.db, getServer(s.store.db, param(r, 'id')).id))),
  handle(ENDPOINTS.setPolicy, (r, s) => {
    const change = parseBody(setPolicyRequestSchema, r.body);
    const target = getServer(s.store.db, param(r, 'id'));
    const policies = setServerPolicies(s.store, target.id, change);
    changed(s, 'policy_changed', target.id);
    return ok(policies);
  }),
  handle(ENDPOINTS.toolCalls, (r, s) => {
    const { limit } = parseQuery(toolCallsQuerySchema, r.query);
    const target = getServer(s.store.db, param(r, 'id'));
    const items: ToolCallView[] = latestAudit(s.store.db, { serverId: target.id, type: TOOL_CALL_EVENT, limit }).map((e) => {
      const details = e.details as unknown as ToolCallDetails;
      // Events written before `outcome` existed say only whether the call failed.
      return { ...details, outcome: details.outcome ?? (details.error ? 'error' : 'ok'), seq: e.seq, at: e.at };
    });
    return ok({ items });
  }),
];
