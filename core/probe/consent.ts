/**
 * Probing a stdio server runs code on the user's machine; probing an http or sse server sends it the
 * headers it was given, keychain secrets filled in. One rule decides when MCP Warden may start or
 * connect to a server: only a launch a person put here acts with the user's means without asking.
 * Two statuses wait for a yes:
 *
 * - `discovered`: found in a client config and never approved. The launch is in the user's own
 *   config (the client starts it anyway), so any caller may say yes for one probe (the CLI's
 *   `--yes`, `{"consent": true}`, the UI's dialog), or the `probe-consent` setting `allow` says it
 *   for every probe; approving accepts it for good.
 * - `pending`: it came in through the API (registered, or its launch changed there) with a stdio
 *   command line, or with an http/sse URL whose headers name keychain secrets, so it exists nowhere
 *   but in the registry: only a person confirms it, once, having seen the exact command line, or the
 *   URL with each header as written and the secrets it sends: `mcp-warden mcp approve`,
 *   `mcp-warden mcp probe --yes`, or the web or desktop UI's confirm step, which sends back the
 *   launch it showed (`seen`): a launch changed meanwhile is not confirmed unseen. A program holding
 *   an API key cannot, and the setting does not apply. (core/registry/register.ts `launchStatus`
 *   decides which launches are pending.)
 *
 * The decision is the caller's (it knows who asks); these helpers keep the rule and its wording in
 * one place.
 */
import { commandLineOf, secretsPhrase, secretsSentBy, urlOf } from '../api/command-line.ts';
import type { ProbeFailure } from '../api/probe.ts';
import type { EnvVar, ServerDefinition } from '../api/server.ts';

/** Who says yes: a person (the CLI, the web UI's session, the desktop app) or a program (an API key). */
export type Consenter = 'person' | 'program';

/** Where the refusal is read, for what to tell the reader to do. */
export type ConsentSurface = 'cli' | 'api';

type Described = Pick<ServerDefinition, 'id' | 'name' | 'transport' | 'source' | 'status' | 'command' | 'args' | 'url' | 'headers'>;

/** What a pending launch would do, for a sentence: `the command line …`, or the secrets and the URL they go to. */
function pendingAct(def: Omit<Described, 'id' | 'source' | 'status'>): { registered: string; now: string; may: string } {
  if (def.transport === 'stdio') {
    const line = commandLineOf(def, 300);
    return { registered: `with the command line ${line}`, now: `it is now ${line}`, may: `start ${line}` };
  }
  const url = urlOf(def, 300);
  const secrets = secretsSentBy(def);
  if (secrets.length === 0) return { registered: `to connect to ${url}`, now: `it now connects to ${url}`, may: `connect to ${url}` };
  const sends = `${secretsPhrase(secrets)} to ${url}`;
  return { registered: `to send ${sends}`, now: `it now sends ${sends}`, may: `send ${sends}` };
}

/** True when the server must not be started without a yes: discovered and never approved, or pending a person's confirmation. */
export function needsConsent(def: Pick<ServerDefinition, 'status'>): boolean {
  return def.status === 'discovered' || def.status === 'pending';
}

export type ConsentVerdict =
  /** Start it; `confirm`: first record the person's confirmation (the server becomes approved). */
  | { go: true; confirm: boolean }
  /** `consent`: nobody said yes; `person`: a program said yes where only a person may. */
  | { go: false; missing: 'consent' | 'person' };

/** Whether a server may be started now, given the yes (if any), who gave it, and the probe-consent setting. */
export function consentVerdict(def: Pick<ServerDefinition, 'status'>, request: { consent: boolean; by: Consenter; setting: 'ask' | 'allow' }): ConsentVerdict {
  if (def.status === 'pending') {
    if (!request.consent) return { go: false, missing: 'consent' };
    return request.by === 'person' ? { go: true, confirm: true } : { go: false, missing: 'person' };
  }
  if (def.status === 'discovered' && !request.consent && request.setting === 'ask') return { go: false, missing: 'consent' };
  return { go: true, confirm: false };
}

/**
 * What a confirm step showed: the command line, where it runs and its environment; for an http or
 * sse server its URL and headers (handles as written, never values). `url` and `headers` left out
 * read as none (a stdio confirmation from before they existed).
 */
export interface SeenLaunch {
  command: string | null;
  args: readonly string[];
  cwd: string | null;
  env_template: readonly EnvVar[];
  url?: string | null | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
}

const launchShown = (launch: SeenLaunch): string =>
  JSON.stringify([
    launch.command,
    launch.args,
    launch.cwd,
    launch.env_template.map((e) => [e.key, e.value]),
    launch.url ?? null,
    Object.entries(launch.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);

/**
 * Why a person's confirmation through the API does not hold, or null when it does: it must carry
 * the launch the person was shown, and the server must still launch exactly that.
 */
export function seenRefusalMessage(def: Omit<Described, 'id' | 'source' | 'status'> & SeenLaunch, seen: SeenLaunch | undefined): string | null {
  if (seen === undefined || (def.transport !== 'stdio' && seen.url === undefined)) {
    const fields = def.transport === 'stdio' ? '{command, args, cwd, env_template}' : '{command, args, cwd, env_template, url, headers}';
    return `Confirming "${def.name}" needs the launch you were shown: send it as "seen" (${fields}) with the confirmation, as the web UI's confirm step does, or run \`mcp-warden mcp approve ${def.name}\`.`;
  }
  if (launchShown(seen) !== launchShown(def)) return `The launch of "${def.name}" changed since it was shown (${pendingAct(def).now}): look at it again before confirming it.`;
  return null;
}

/** What the CLI says once a person confirmed a pending server: what MCP Warden may now do. */
export function confirmedMessage(def: Omit<Described, 'id' | 'source' | 'status'>): string {
  return `Confirmed server "${def.name}": MCP Warden may now ${pendingAct(def).may}.`;
}

/** The sentence that says why a server was not started and what to do. */
export function consentRefusalMessage(def: Described, surface: ConsentSurface = 'cli', missing: 'consent' | 'person' = 'consent'): string {
  const action = def.transport === 'stdio' ? 'start' : 'connect to';
  if (def.status === 'pending') {
    const intro = `Server "${def.name}" was registered through the API ${pendingAct(def).registered}, which no person has confirmed, so MCP Warden will not ${action} it`;
    if (surface === 'cli') return `${intro}: confirm it with \`mcp-warden mcp approve ${def.name}\`, or pass --yes to confirm it and probe it.`;
    if (missing === 'person') return `${intro}: a person confirms it, in the web UI or with \`mcp-warden mcp approve ${def.name}\`; an API key cannot.`;
    return `${intro}: confirm it in the web UI (its confirm step sends {"consent": true} with the launch it showed), or run \`mcp-warden mcp approve ${def.name}\`.`;
  }
  const where = def.source.kind === 'discovered' ? ` in ${def.source.client}'s config` : '';
  const intro = `Server "${def.name}" was discovered${where} and is not approved, so MCP Warden will not ${action} it`;
  if (surface === 'cli') return `${intro}: approve it with \`mcp-warden mcp approve ${def.name}\`, or pass --yes to probe it once.`;
  return `${intro}: approve it (POST /api/v1/mcp-servers/${def.id}/approve), or send {"consent": true} to probe it once.`;
}

/** The result to return instead of probing a server that needs a yes. */
export function consentRefusal(def: Described): ProbeFailure {
  return { ok: false, category: 'consent_required', message: consentRefusalMessage(def), stderr: '', duration_ms: 0 };
}
