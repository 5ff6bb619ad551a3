/**
 * `/api/v1/mcp-servers`: register, list, read, change and remove servers; attest, verify, probe and
 * approve them; read their trust and pinned tools. `:id` is a server's id or its name. Bodies go to
 * the engine as sent: it validates them with the schemas in core/api/rest.ts.
 */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { conflict, notFound } from '../../core/api/errors.ts';
import {
  approveRequestSchema,
  listServersQuerySchema,
  probeRequestSchema,
  type AttestResponse,
  type TrustResponse,
} from '../../core/api/rest.ts';
import type { ServerDefinition } from '../../core/api/server.ts';
import { verifyServer } from '../../core/attest/attest.ts';
import { attestFromRequest } from '../../core/attest/request.ts';
import { latestProbe, readPin, recordProbe } from '../../core/pins/record.ts';
import { consentRefusalMessage, probeServer, seenRefusalMessage } from '../../core/probe/index.ts';
import { probePolicy } from '../../core/reconcile/probe-policy.ts';
import { registerFromRequest } from '../../core/registry/api-register.ts';
import { approveServer } from '../../core/registry/approve.ts';
import { listServerPage, serverView } from '../../core/registry/page.ts';
import { findServer, getServer } from '../../core/registry/read.ts';
import { removeServer } from '../../core/registry/register.ts';
import { updateServer } from '../../core/registry/update.ts';
import { computeTrust, trustHistory } from '../../core/trust/record.ts';
import { handle, isPerson, ok, param, parseBody, parseQuery, type ApiRequest, type Reply, type Route, type Services } from '../route.ts';

const server = (r: ApiRequest, s: Services): ServerDefinition => getServer(s.store.db, param(r, 'id'));

function changed(s: Services, reason: string, serverId: string | null): void {
  s.hub.emit({ type: 'registry', reason, server_id: serverId });
}

/** After a change to one server: tell the event streams, answer the server as it is now. */
function changedView(s: Services, reason: string, def: ServerDefinition, status = 200): Reply {
  changed(s, reason, def.id);
  return ok(serverView(s.store.db, def), status);
}

export const serverRoutes: Route[] = [
  handle(ENDPOINTS.registerServer, (r, s) => {
    const { server: created, outcome } = registerFromRequest(s.scan, r.body, s.register);
    return changedView(s, outcome, created, 201);
  }),
  handle(ENDPOINTS.listServers, (r, s) => {
    // The serialised page is cached per query string and state of the database (see ResponseCache).
    const hit = s.listCache.get(s.store.db, r.search);
    if (hit !== undefined) return ok(hit);
    const bytes = Buffer.from(JSON.stringify(listServerPage(s.store.db, parseQuery(listServersQuerySchema, r.query))));
    s.listCache.set(r.search, bytes);
    return ok(bytes);
  }),
  handle(ENDPOINTS.getServer, (r, s) => ok(serverView(s.store.db, server(r, s)))),
  handle(ENDPOINTS.patchServer, (r, s) => changedView(s, 'updated', updateServer(s.scan, param(r, 'id'), r.body, s.register))),
  handle(ENDPOINTS.removeServer, (r, s) => {
    const view = serverView(s.store.db, server(r, s));
    removeServer(s.store, view.id);
    changed(s, 'removed', view.id);
    return ok(view);
  }),
  handle(ENDPOINTS.attestServer, (r, s) => {
    const result = attestFromRequest(s.store, s.keychain, server(r, s), r.body);
    changed(s, 'attested', result.attestation.server_id);
    const body: AttestResponse = { attestation: result.attestation, envelope: result.envelope };
    return ok(body, 201);
  }),
  handle(ENDPOINTS.verifyServer, (r, s) => {
    const result = verifyServer(s.store, server(r, s), { notifier: s.scan.notifier });
    for (const alert of result.opened) s.hub.emit({ type: 'alert', alert });
    if (result.opened.length + result.resolved.length > 0) changed(s, 'verified', result.server_id);
    return ok(result);
  }),
  handle(ENDPOINTS.probeServer, async (r, s) => {
    const input = parseBody(probeRequestSchema, r.body);
    let target = server(r, s);
    // A person's yes to a pending command line confirms it (the launch they were shown): it is approved, then probed (and pinned) as any approved server.
    const admission = probePolicy(s.scan, target, { consent: input.consent === true, by: isPerson(r.caller) ? 'person' : 'program', surface: 'api', seen: input.seen, timeoutSeconds: input.timeout_seconds });
    if (!admission.go) throw conflict(admission.message, admission.field);
    target = admission.server;
    if (admission.confirmed) changed(s, 'approved', target.id);
    s.hub.emit({ type: 'probe', server_id: target.id, name: target.name, phase: 'started' });
    // The probe stops when the client goes away or the server shuts down.
    const result = await probeServer(target, {
      keychain: s.keychain,
      connectTimeoutMs: admission.connectTimeoutMs,
      signal: r.signal,
    });
    s.hub.emit({ type: 'probe', server_id: target.id, name: target.name, phase: 'finished', ok: result.ok });
    // Removed while it was probed: nothing to record it against.
    const current = findServer(s.store.db, target.id);
    if (current === undefined) throw notFound(`Server "${target.name}" was removed while it was probed.`, 'id');
    const record = recordProbe({ store: s.store, notifier: s.scan.notifier }, current, result);
    for (const alert of record.opened) s.hub.emit({ type: 'alert', alert });
    changed(s, 'probed', current.id);
    return ok({
      name: current.name,
      server_id: current.id,
      ...result,
      probe_id: record.probe_id,
      pinned: record.pinned,
      diff: record.diff,
      findings: record.findings,
      alerts_opened: record.opened.map((a) => a.id),
    });
  }),
  handle(ENDPOINTS.approveServer, (r, s) => {
    const { seen } = parseBody(approveRequestSchema, r.body);
    const target = server(r, s);
    if (target.status === 'pending') {
      if (!isPerson(r.caller)) throw conflict(consentRefusalMessage(target, 'api', 'person'), 'id');
      const unseen = seenRefusalMessage(target, seen);
      if (unseen !== null) throw conflict(unseen, 'seen');
    }
    return changedView(s, 'approved', approveServer(s.scan, target.id).server);
  }),
  handle(ENDPOINTS.getTrust, (r, s) => {
    const target = server(r, s);
    const body: TrustResponse = {
      server_id: target.id,
      name: target.name,
      // Computed, not stored: a GET writes nothing. Stored scores (the history) change with their inputs.
      trust: computeTrust(s.store.db, target.id),
      history: trustHistory(s.store.db, target.id).map((h) => ({ at: h.at, score: h.score })),
    };
    return ok(body);
  }),
  handle(ENDPOINTS.getTools, (r, s) => {
    const target = server(r, s);
    const latest = latestProbe(s.store.db, target.id);
    return ok({
      server_id: target.id,
      name: target.name,
      pin: readPin(s.store.db, target.id) ?? null,
      last_probe:
        latest === undefined
          ? null
          : {
              probe_id: latest.id,
              server: latest.result.server,
              tools: latest.result.tools,
              prompts: latest.result.prompts,
              resources: latest.result.resources,
              resource_templates: latest.result.resource_templates,
              diff: latest.diff,
            },
    });
  }),
];
