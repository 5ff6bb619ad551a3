/**
 * Pins (DESIGN.md section 5): SHA-256 over the RFC 8785 canonical JSON of every tool, prompt,
 * resource and resource template definition in full, plus the server's instructions and its launch
 * fingerprint, and a manifest hash over the sorted entries. Diffs are per entry and per field, so a
 * user sees exactly which description changed, and how.
 */
import { createHash } from 'node:crypto';
import type { Definition, ProbeSuccess } from '../api/probe.ts';
import { ENTRY_KINDS, type EntryKind, type FieldChange, type Pin, type PinDiff, type PinEntry } from '../api/pin.ts';
import { canonicalJson } from '../util/canonical-json.ts';

export { ENTRY_KINDS, type EntryKind, type FieldChange, type Pin, type PinDiff, type PinEntry } from '../api/pin.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What is hashed of a definition: all of it but `_meta`, which servers use for volatile bookkeeping. */
export function hashedPart(definition: Definition): Definition {
  const { _meta: _volatile, ...rest } = definition;
  return rest;
}

function keyOf(kind: EntryKind, definition: Definition): string {
  const key = kind === 'resource' ? definition.uri : kind === 'resource_template' ? definition.uriTemplate : definition.name;
  return typeof key === 'string' ? key : canonicalJson(hashedPart(definition));
}

export function computePin(probe: ProbeSuccess, launchFingerprint: string): Pin {
  const lists: Record<EntryKind, Definition[]> = { tool: probe.tools, prompt: probe.prompts, resource: probe.resources, resource_template: probe.resource_templates };
  const entries: PinEntry[] = ENTRY_KINDS.flatMap((kind) =>
    lists[kind].map((definition) => ({ kind, key: keyOf(kind, definition), sha256: sha256(canonicalJson(hashedPart(definition))), definition })),
  );
  entries.sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : ENTRY_KINDS.indexOf(a.kind) - ENTRY_KINDS.indexOf(b.kind)));
  const instructionsSha = sha256(canonicalJson(probe.instructions));
  const manifest = sha256(canonicalJson({ entries: entries.map((e) => [e.kind, e.key, e.sha256]), instructions: instructionsSha, launch: launchFingerprint }));
  return {
    manifest_sha256: manifest,
    entries,
    instructions: probe.instructions,
    instructions_sha256: instructionsSha,
    launch_fingerprint: launchFingerprint,
    server: probe.server,
    protocol_version: probe.protocol_version,
  };
}

export function diffPins(before: Pin, after: Pin): PinDiff {
  const id = (e: PinEntry) => `${e.kind}\0${e.key}`;
  const old = new Map(before.entries.map((e) => [id(e), e]));
  const now = new Map(after.entries.map((e) => [id(e), e]));
  const diff: PinDiff = {
    added: after.entries.filter((e) => !old.has(id(e))).map(({ kind, key, definition }) => ({ kind, key, definition })),
    removed: before.entries.filter((e) => !now.has(id(e))).map(({ kind, key, definition }) => ({ kind, key, definition })),
    changed: [],
    instructions: before.instructions_sha256 === after.instructions_sha256 ? null : { before: before.instructions, after: after.instructions },
    launch_changed: before.launch_fingerprint !== after.launch_fingerprint,
  };
  for (const entry of after.entries) {
    const was = old.get(id(entry));
    if (was !== undefined && was.sha256 !== entry.sha256) {
      diff.changed.push({ kind: entry.kind, key: entry.key, fields: fieldChanges(hashedPart(was.definition), hashedPart(entry.definition)) });
    }
  }
  return diff;
}

export const isEmptyDiff = (d: PinDiff): boolean => d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0 && d.instructions === null && !d.launch_changed;

/** Leaf-level differences between two JSON values, with dotted paths (array items as `[i]`). */
export function fieldChanges(before: unknown, after: unknown, at = ''): FieldChange[] {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], at === '' ? k : `${at}.${k}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, i) => fieldChanges(item, after[i], `${at}[${i}]`));
  }
  return canonicalJson(before ?? null) === canonicalJson(after ?? null) && (before === undefined) === (after === undefined) ? [] : [{ path: at, before, after }];
}
