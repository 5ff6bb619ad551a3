/**
 * Probing a stdio server runs code on the user's machine. One rule decides when MCP Warden may start
 * a server: only a command a person put here runs without asking. Two statuses wait for a yes:
 *
 * - `discovered`: found in a client config and never approved. The command is in the user's own
 *   config (the client starts it anyway), so any caller may say yes for one probe (the CLI's
 *   `--yes`, `{"consent": true}`, the UI's dialog), or the `probe-consent` setting `allow` says it
 *   for every probe; approving accepts it for good.
 * - `pending`: its command line came in through the API (registered, or its launch changed there),
 *   so it exists nowhere but in the registry: only a person confirms it, once, having seen the exact
 *   command line: `mcp-warden mcp approve`, `mcp-warden mcp probe --yes`, or the web or desktop UI's
 *   confirm step, which sends back the launch it showed (`seen`): a launch changed meanwhile is not
 *   confirmed unseen. A program holding an API key cannot, and the setting does not apply.
 *
 * The decision is the caller's (it knows who asks); these helpers keep the rule and its wording in
 * one place.
 */
import { commandLineOf } from '../api/command-line.ts';
import type { ProbeFailure } from '../api/probe.ts';
import type { EnvVar, ServerDefinition } from '../api/server.ts';

/** Who says yes: a person (the CLI, the web UI's session, the desktop app) or a program (an API key). */
export type Consenter = 'person' | 'program';

/** Where the refusal is read, for what to tell the reader to do. */
export type ConsentSurface = 'cli' | 'api';

type Described = Pick<ServerDefinition, 'id' | 'name' | 'transport' | 'source' | 'status' | 'command' | 'args'>;

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

/** What a confirm step showed: the command line, where it runs, and its environment (handles as written). */
export interface SeenLaunch {
  command: string | null;
  args: readonly string[];
  cwd: string | null;
  env_template: readonly EnvVar[];
}

const launchShown = (launch: SeenLaunch): string => JSON.stringify([launch.command, launch.args, launch.cwd, launch.env_template.map((e) => [e.key, e.value])]);

/**
 * Why a person's confirmation through the API does not hold, or null when it does: it must carry
 * the launch the person was shown, and the server must still launch exactly that.
 */
export function seenRefusalMessage(def: Described & SeenLaunch, seen: SeenLaunch | undefined): string | null {
  if (seen === undefined) return `Confirming "${def.name}" needs the launch you were shown: send it as "seen" ({command, args, cwd, env_template}) with the confirmation, as the web UI's confirm step does, or run \`mcp-warden mcp approve ${def.name}\`.`;
  if (launchShown(seen) !== launchShown(def)) return `The launch of "${def.name}" changed since it was shown (it is now ${commandLineOf(def, 300)}): look at it again before confirming it.`;
  return null;
}

/** The sentence that says why a server was not started and what to do. */
export function consentRefusalMessage(def: Described, surface: ConsentSurface = 'cli', missing: 'consent' | 'person' = 'consent'): string {
  const action = def.transport === 'stdio' ? 'start' : 'connect to';
  if (def.status === 'pending') {
    const intro = `Server "${def.name}" was registered through the API with the command line ${commandLineOf(def, 300)}, which no person has confirmed, so MCP Warden will not ${action} it`;
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
