/**
 * Whether, and how long, a probe may start a server: the policy the CLI (`mcp-warden mcp probe`) and
 * the REST route (`POST /mcp-servers/:id/probe`) both apply, here once.
 *
 * - Consent (core/probe/consent.ts has the rule and its wording): a discovered server waits for a
 *   yes or the `probe-consent` setting `allow`; a pending one for a person, whose yes confirms it
 *   (the server is approved, then probed and pinned as any approved server). Through the API the
 *   yes must carry the launch the person was shown (`seen`); at the terminal the person sees it.
 * - Time: the one asked for, else a minute for an `npx` launch (a first run downloads the
 *   package), else the probe's default.
 */
import path from 'node:path';
import type { ServerDefinition } from '../api/server.ts';
import { consentRefusalMessage, consentVerdict, seenRefusalMessage, type Consenter, type ConsentSurface, type SeenLaunch } from '../probe/consent.ts';
import type { ScanOptions } from '../discovery/scan.ts';
import { approveServer } from '../registry/approve.ts';
import { getSetting } from '../settings/settings.ts';

/** A first `npx` run downloads the package: a minute unless the caller says otherwise. */
export const FIRST_NPX_TIMEOUT_MS = 60_000;

export interface ProbeAsk {
  /** A yes for this probe: the CLI's --yes, the request's {"consent": true}. */
  consent: boolean;
  by: Consenter;
  /** Where a refusal is read: the CLI or the API. */
  surface: ConsentSurface;
  /** The launch the API caller's confirm step showed (ignored on the CLI). */
  seen?: SeenLaunch | undefined;
  /** --timeout, `timeout_seconds`. */
  timeoutSeconds?: number | undefined;
}

export type ProbeAdmission =
  /** Start it, within `connectTimeoutMs` (undefined: the probe's default); `confirmed`: a pending server a person confirmed now. */
  | { go: true; server: ServerDefinition; confirmed: boolean; connectTimeoutMs: number | undefined }
  /** Not started: the sentence that says why and what to do, and the request field it is about. */
  | { go: false; server: ServerDefinition; message: string; field: 'consent' | 'seen' };

/** An `npx` launch: its first run downloads the package. */
export const isNpxLaunch = (server: ServerDefinition): boolean => server.command !== null && /^npx(\.cmd)?$/i.test(path.basename(server.command));

/** The connect timeout for a probe of `server`: the one asked for, else a minute for npx, else the default (undefined). */
export function connectTimeoutFor(server: ServerDefinition, timeoutSeconds?: number): number | undefined {
  return timeoutSeconds !== undefined ? timeoutSeconds * 1000 : isNpxLaunch(server) ? FIRST_NPX_TIMEOUT_MS : undefined;
}

/** The probe policy for one server; confirming a pending server approves it (in the registry, audited). */
export function probePolicy(scan: ScanOptions, server: ServerDefinition, ask: ProbeAsk): ProbeAdmission {
  const verdict = consentVerdict(server, { consent: ask.consent, by: ask.by, setting: getSetting(scan.store.db, 'probe-consent') });
  if (!verdict.go) return { go: false, server, message: consentRefusalMessage(server, ask.surface, verdict.missing), field: 'consent' };
  let target = server;
  if (verdict.confirm) {
    if (ask.surface === 'api') {
      const unseen = seenRefusalMessage(server, ask.seen);
      if (unseen !== null) return { go: false, server, message: unseen, field: 'seen' };
    }
    target = approveServer(scan, server.id).server;
  }
  return { go: true, server: target, confirmed: verdict.confirm, connectTimeoutMs: connectTimeoutFor(target, ask.timeoutSeconds) };
}
