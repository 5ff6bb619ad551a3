/**
 * The spool: launcher events waiting for the database, in files of `<data dir>/spool/`
 * (session-events.ts names them). A batch the database could not take is written once to a file of
 * its own (a temporary name, then renamed; the name is unique to the session and the batch, so no
 * file is ever appended to or overwritten). A replayer claims a file by renaming it to a name unique
 * to itself (rename is atomic: of two replayers one gets it, the other finds it gone), applies it in
 * a write transaction, then deletes it; if the transaction fails it renames the file back to its own
 * unique name. A claim left by a replayer that died, a journal left by a session that died, and a
 * temporary file of a dead session are taken over. Events applied twice are written once (receipts,
 * apply-events.ts), so a replayer dying between its commit and its delete costs nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appendAudit } from '../audit/audit-log.ts';
import { isSessionId, sessionAlive } from '../audit/launcher-sessions.ts';
import type { Db } from '../store/database.ts';
import { applySessionEvents } from './apply-events.ts';
import { BATCH_SUFFIX, CLAIM_MARK, headerLine, JOURNAL_SUFFIX, parseRecords, SPOOL_DIR, TEMP_SUFFIX, type LauncherEvent, type Numbered } from './session-events.ts';

/** An old version's spool file (appended to, unnumbered): replayed as it is. */
const LEGACY_SUFFIX = '.jsonl';

export interface Claim {
  /** The file's own name (without a claim mark). */
  name: string;
  /** Where it is now: renamed to a name of the claiming session's. */
  claimed: string;
  session: string | null;
  events: Numbered[];
}

export const spoolDir = (dataDir: string): string => path.join(dataDir, SPOOL_DIR);

const sessionOf = (name: string): string => name.slice(0, name.indexOf('.'));

/**
 * Writes one batch of `session` to its own file, `<session>.<n>.<first>-<last>.batch` (n: the
 * writer's count of batch files; first and last: the lowest and highest numbers in it, so `audit
 * verify` can tell a gap that is still waiting here), by a temporary file and a rename.
 */
export function writeBatch(dataDir: string, session: string, n: number, range: readonly [number, number], lines: string): string {
  const dir = spoolDir(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${session}.${n}.${range[0]}-${range[1]}${BATCH_SUFFIX}`);
  const temp = `${file}${TEMP_SUFFIX}`;
  // 'wx': never over an existing file (the names are unique; this makes sure).
  fs.writeFileSync(temp, headerLine(session, 0) + lines, { mode: 0o600, flag: 'wx' });
  fs.renameSync(temp, file);
  return file;
}

const BATCH_NAME = /^([^.]+)\.\d+\.(\d+)-(\d+)\.batch$/;

/**
 * Which numbers of which sessions the spool still holds (batch files, claimed or not, and journals),
 * for `audit verify`: a gap they cover is waiting, not lost. A journal covers the numbers in it, and
 * everything after its session's last receipt (its recovery writes the end).
 */
export function waitingInSpool(dataDir: string): (session: string, first: number, last: number | null) => boolean {
  const ranges = new Map<string, [number, number][]>();
  const add = (session: string, from: number, to: number) => ranges.set(session, [...(ranges.get(session) ?? []), [from, to]]);
  let names: string[];
  try {
    names = fs.readdirSync(spoolDir(dataDir));
  } catch {
    names = [];
  }
  for (const entry of names) {
    const mark = entry.indexOf(CLAIM_MARK);
    const name = mark === -1 ? entry : entry.slice(0, mark);
    // A batch file still under its temporary name counts too: the journal may already have let it go.
    const batch = BATCH_NAME.exec(name.endsWith(TEMP_SUFFIX) ? name.slice(0, -TEMP_SUFFIX.length) : name);
    if (batch !== null) add(batch[1] as string, Number(batch[2]), Number(batch[3]));
    else if (name.endsWith(JOURNAL_SUFFIX)) {
      let text = '';
      try {
        text = fs.readFileSync(path.join(spoolDir(dataDir), entry), 'utf8');
      } catch {
        continue;
      }
      const session = sessionOf(name);
      for (const { seq } of parseRecords(text).events) add(session, seq, seq);
      add(session, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    }
  }
  return (session, first, last) => (ranges.get(session) ?? []).some(([from, to]) => (last === null ? to >= first : from <= last && to >= first));
}

function readClaim(name: string, claimed: string, now: Date): Claim | undefined {
  let text: string;
  try {
    text = fs.readFileSync(claimed, 'utf8');
  } catch {
    return undefined;
  }
  if (name.endsWith(LEGACY_SUFFIX)) {
    const events = text.split('\n').filter((l) => l.trim() !== '').flatMap((l, i) => {
      try {
        return [{ seq: i + 1, event: JSON.parse(l) as LauncherEvent }];
      } catch {
        return [];
      }
    });
    return { name, claimed, session: null, events };
  }
  const session = sessionOf(name);
  const parsed = parseRecords(text);
  const events = parsed.events;
  // A journal is all a dead session left: its end is the number after the last it gave.
  if (name.endsWith(JOURNAL_SUFFIX) && !parsed.ended) events.push({ seq: parsed.last + 1, event: { kind: 'end', at: now.toISOString(), recovered: true } });
  return { name, claimed, session, events };
}

export interface ClaimOptions {
  maxFiles?: number;
  maxBytes?: number;
  /** Names not to take (files this replayer could not apply). */
  skip?: ReadonlySet<string>;
}

/**
 * Takes the files that can be replayed now, oldest first, up to the limits: batches and old spool
 * files, journals of sessions that are gone, and claims of replayers that are gone. Deletes
 * temporary files of sessions that are gone (a journal still holds what they held).
 */
export function claimSpool(dataDir: string, me: string, options: ClaimOptions = {}): Claim[] {
  const dir = spoolDir(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const found: { name: string; current: string; mtime: number; size: number }[] = [];
  for (const entry of names) {
    const current = path.join(dir, entry);
    let name = entry;
    const mark = entry.indexOf(CLAIM_MARK);
    if (mark !== -1) {
      const holder = entry.slice(mark + CLAIM_MARK.length);
      if (holder === me || (isSessionId(holder) && sessionAlive(holder))) continue;
      name = entry.slice(0, mark);
    }
    if (options.skip?.has(name)) continue;
    const journal = name.endsWith(JOURNAL_SUFFIX);
    const replayable = journal || name.endsWith(BATCH_SUFFIX) || name.endsWith(LEGACY_SUFFIX) || name.endsWith(TEMP_SUFFIX);
    if (!replayable || (!name.endsWith(LEGACY_SUFFIX) && !isSessionId(sessionOf(name)))) continue;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(current);
    } catch {
      continue;
    }
    if (name.endsWith(TEMP_SUFFIX)) {
      if (sessionOf(name) !== me && !sessionAlive(sessionOf(name), stat.mtimeMs)) fs.rmSync(current, { force: true });
      continue;
    }
    if (journal && mark === -1 && (sessionOf(name) === me || sessionAlive(sessionOf(name), stat.mtimeMs))) continue;
    found.push({ name, current, mtime: stat.mtimeMs, size: stat.size });
  }
  found.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
  const maxFiles = options.maxFiles ?? 64;
  const maxBytes = options.maxBytes ?? 8 << 20;
  const claims: Claim[] = [];
  let bytes = 0;
  const now = new Date();
  for (const file of found) {
    if (claims.length >= maxFiles || (claims.length > 0 && bytes + file.size > maxBytes)) break;
    const claim = take(file.current, file.name, me, now);
    if (claim === undefined) continue;
    claims.push(claim);
    bytes += file.size;
  }
  return claims;
}

/** Claims one file (at `current`, named `name`) by renaming it to a name of `me`'s; undefined when another replayer took it first. */
function take(current: string, name: string, me: string, now: Date): Claim | undefined {
  const claimed = path.join(path.dirname(current), `${name}${CLAIM_MARK}${me}`);
  try {
    fs.renameSync(current, claimed);
  } catch {
    return undefined;
  }
  return readClaim(name, claimed, now);
}

/** Applies claimed files; must run inside a write transaction. Records the replay in the trail. */
export function applyClaims(db: Db, claims: readonly Claim[]): number {
  if (claims.length === 0) return 0;
  let applied = 0;
  for (const claim of claims) applied += applySessionEvents(db, claim.session, claim.events);
  appendAudit(db, { actor: 'system', type: 'launcher.spool_replayed', details: { files: claims.map((c) => c.name), events: applied } });
  return applied;
}

/** After the commit: the files are in the database. */
export function finishClaims(claims: readonly Claim[]): void {
  for (const claim of claims) fs.rmSync(claim.claimed, { force: true });
}

/** After a failed transaction: each file goes back under its own name (unique: nothing else has it). */
export function releaseClaims(claims: readonly Claim[]): void {
  for (const claim of claims) {
    try {
      fs.renameSync(claim.claimed, path.join(path.dirname(claim.claimed), claim.name));
    } catch {
      // Left under our claim: once this process is gone, the next replayer takes it over.
    }
  }
}

export const isBusy = (error: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code ?? ''));

export interface Recovery {
  files: number;
  events: number;
  /** Files that could not be applied (left in the spool), with why. */
  failed: { file: string; reason: string }[];
}

/**
 * Replays everything the spool holds that can be replayed now, in transactions of at most a few MB.
 * A file that fails on its own is left where it was and reported. Throws when the database is busy.
 */
export function recoverSpool(db: Db, dataDir: string, me: string): Recovery {
  const result: Recovery = { files: 0, events: 0, failed: [] };
  const skip = new Set<string>();
  for (;;) {
    const claims = claimSpool(dataDir, me, { skip });
    if (claims.length === 0) return result;
    try {
      result.events += db.transaction(() => applyClaims(db, claims)).immediate();
      finishClaims(claims);
      result.files += claims.length;
      continue;
    } catch (error) {
      releaseClaims(claims);
      if (isBusy(error)) throw error;
    }
    // One of them is unreadable to the database: apply each alone, and leave the ones that fail.
    for (const { name } of claims) {
      const one = take(path.join(spoolDir(dataDir), name), name, me, new Date());
      if (one === undefined) continue;
      try {
        result.events += db.transaction(() => applyClaims(db, [one])).immediate();
        finishClaims([one]);
        result.files++;
      } catch (error) {
        releaseClaims([one]);
        if (isBusy(error)) throw error;
        skip.add(name);
        result.failed.push({ file: name, reason: (error as Error).message });
      }
    }
  }
}
