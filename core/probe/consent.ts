/**
 * Probing a stdio server runs code on the user's machine, so a server that was only discovered in a
 * client config is not started until the user approves it (or says yes for this one probe). The
 * decision is the caller's; these helpers keep the rule and the wording in one place.
 */
import type { ProbeFailure } from '../api/probe.ts';
import type { ServerDefinition } from '../api/server.ts';

/** True when the server was discovered and never approved: it must not be started without consent. */
export function needsConsent(def: Pick<ServerDefinition, 'status'>): boolean {
  return def.status === 'discovered';
}

/** The sentence that says why a server was not probed and what to do. */
export function consentRefusalMessage(def: Pick<ServerDefinition, 'name' | 'transport' | 'source'>): string {
  const where = def.source.kind === 'discovered' ? ` in ${def.source.client}'s config` : '';
  const action = def.transport === 'stdio' ? 'start' : 'connect to';
  return `Server "${def.name}" was discovered${where} and is not approved, so MCP Warden will not ${action} it: approve it with \`mcp-warden mcp approve ${def.name}\`, or pass --yes to probe it once.`;
}

/** The result to return instead of probing an unapproved server. */
export function consentRefusal(def: Pick<ServerDefinition, 'name' | 'transport' | 'source'>): ProbeFailure {
  return { ok: false, category: 'consent_required', message: consentRefusalMessage(def), stderr: '', duration_ms: 0 };
}
