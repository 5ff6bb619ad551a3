/** Pins and their diffs as every interface shows them (computed in core/pins; types only here, no Node). */
import type { Definition, ServerIdentity } from './probe.ts';

export const ENTRY_KINDS = ['tool', 'prompt', 'resource', 'resource_template'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface PinEntry {
  kind: EntryKind;
  /** The name (tools, prompts), URI (resources) or URI template. */
  key: string;
  sha256: string;
  definition: Definition;
}

export interface Pin {
  manifest_sha256: string;
  entries: PinEntry[];
  instructions: string | null;
  instructions_sha256: string;
  launch_fingerprint: string;
  server: ServerIdentity;
  protocol_version: string;
}

export interface FieldChange {
  /** Dotted path inside the definition (`description`, `inputSchema.properties.path.description`). */
  path: string;
  before: unknown;
  after: unknown;
}

export interface PinDiff {
  added: { kind: EntryKind; key: string; definition: Definition }[];
  removed: { kind: EntryKind; key: string; definition: Definition }[];
  changed: { kind: EntryKind; key: string; fields: FieldChange[] }[];
  instructions: { before: string | null; after: string | null } | null;
  launch_changed: boolean;
}

