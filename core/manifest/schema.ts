/**
 * The manifest file (`mcp-warden apply -f FILE.yaml`): a declarative list of servers and the clients
 * they attach to, kept in git by teams.
 *
 * ```yaml
 * version: 1
 * servers:
 *   - name: github
 *     transport: stdio
 *     command: npx
 *     args: ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
 *     env_template:
 *       GITHUB_PERSONAL_ACCESS_TOKEN: "{{secret:github-token}}"
 *     capabilities: [create_issue, search_repositories]
 *     policy: { attestation: block, undeclared_tools: warn }
 *     attach: [claude-desktop, { client: cursor, config: ./.cursor/mcp.json }]
 * ```
 *
 * The manifest's own shape (known fields, version, policy, attach) is checked here; each server's
 * definition is checked by the registry's one server schema (serverInputSchema), so the rules are
 * the ones `mcp add` and the REST API apply. Every problem is reported by its path in the file
 * (`servers[2].env_template.GITHUB_TOKEN`) and its line and column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { CLIENT_IDS, type ClientId } from '../api/discovery.ts';
import { invalidInput, type WardenError } from '../api/errors.ts';
import { POLICIES, type Policy } from '../api/launcher.ts';
import { fieldPath, serverInputSchema } from '../api/server-schema.ts';
import type { EnvVar, ServerInput } from '../api/server.ts';

const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

const policySchema = z.enum(POLICIES, { error: (i) => `Unknown policy ${quoted(String(i.input))}: use warn or block.` });
const clientSchema = z.enum(CLIENT_IDS, { error: (i) => `Unknown client ${quoted(String(i.input))}: use ${CLIENT_IDS.join(', ')}.` });

const attachSchema = z.union(
  [
    clientSchema,
    z.strictObject(
      { client: clientSchema, config: z.string({ error: 'The config must be a file path.' }).min(1, { error: 'The config path cannot be empty.' }) },
      { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in an attach target: use client and config.` : 'An attach target is a client id or {client, config}.') },
    ),
  ],
  { error: 'An attach target is a client id (claude-desktop, cursor...) or {client, config}.' },
);

/** Definition fields are `unknown` here: serverInputSchema checks them, with its own messages. */
const manifestServerSchema = z.strictObject(
  {
    name: z.unknown(),
    transport: z.unknown(),
    display_name: z.unknown().optional(),
    description: z.unknown().optional(),
    command: z.unknown().optional(),
    args: z.unknown().optional(),
    cwd: z.unknown().optional(),
    url: z.unknown().optional(),
    headers: z.unknown().optional(),
    env_template: z
      .union([z.record(z.string(), z.string({ error: 'Each environment value must be a string.' })), z.array(z.unknown())], {
        error: 'The env_template must be an object of KEY: value, or a list of {key, value} pairs.',
      })
      .optional(),
    capabilities: z.unknown().optional(),
    policy: z
      .strictObject(
        { attestation: policySchema.optional(), undeclared_tools: policySchema.optional() },
        { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown policy ${quoted(i.keys?.[0] ?? '')}: use attestation and undeclared_tools.` : 'The policy must be an object with attestation and/or undeclared_tools.') },
      )
      .optional(),
    attach: z.array(attachSchema, { error: 'attach must be a list of clients.' }).optional(),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in a server.` : 'Each server must be an object with at least a name and a transport.') },
);

const manifestSchema = z.strictObject(
  {
    version: z.literal(1, { error: 'The manifest version must be 1.' }),
    servers: z.array(manifestServerSchema, { error: 'servers must be a list.' }),
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown top-level field ${quoted(i.keys?.[0] ?? '')}: a manifest has version and servers.` : 'A manifest is a YAML mapping with version and servers.') },
);

export interface AttachTarget {
  client: ClientId;
  /** As written in the file (relative to the manifest's folder); undefined: the client's own config. */
  config?: string;
}

export interface ManifestServer {
  /** Its index in `servers`, for messages. */
  index: number;
  input: ServerInput;
  /** Whether env_template was written as an object (paths then name the key, not an index). */
  envAsObject: boolean;
  policy: { attestation?: Policy; undeclared?: Policy };
  attach: AttachTarget[];
}

export interface Manifest {
  servers: ManifestServer[];
  /** Where a manifest path points in the file, as `line L, column C` (or '' when unknown). */
  position(path: readonly (string | number)[]): string;
}

/** A manifest problem: the field path in the file, its position, and the sentence. */
export function manifestError(file: string, manifest: Pick<Manifest, 'position'>, path: readonly (string | number)[], message: string): WardenError {
  const field = fieldPath(path);
  const at = manifest.position(path);
  return invalidInput(field, `${file}${at === '' ? '' : ` (${at})`}: ${field === '' ? '' : `${field}: `}${message}`);
}

/** Parses and validates the whole file; the first problem is thrown as an invalid_input WardenError. */
export function parseManifest(text: string, file: string): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw invalidInput('', `${file} (line ${pos.line}, column ${pos.col}): the file is not valid YAML: ${syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}.`);
  }
  const position = (path: readonly (string | number)[]): string => {
    const node = nodeAt(doc, path);
    const offset = node?.range?.[0];
    if (offset === undefined) return '';
    const pos = lineCounter.linePos(offset);
    return `line ${pos.line}, column ${pos.col}`;
  };
  const fail = (path: readonly (string | number)[], message: string): WardenError => manifestError(file, { position }, path, message);

  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const shape = manifestSchema.safeParse(raw);
  if (!shape.success) {
    const issue = deepestIssue(shape.error.issues);
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    throw fail(path as (string | number)[], issue.message);
  }

  const seen = new Map<string, number>();
  const servers = shape.data.servers.map((server, index): ManifestServer => {
    const envAsObject = server.env_template !== undefined && !Array.isArray(server.env_template);
    const envTemplate = server.env_template === undefined ? undefined : Array.isArray(server.env_template) ? server.env_template : Object.entries(server.env_template).map(([key, value]) => ({ key, value }));
    const { policy, attach, env_template: _env, ...definition } = server;
    const candidate = Object.fromEntries(Object.entries({ ...definition, env_template: envTemplate }).filter(([, v]) => v !== undefined));
    const parsed = serverInputSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as z.core.$ZodIssue;
      const inner = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : [...issue.path];
      throw fail(['servers', index, ...envPath(inner as (string | number)[], envTemplate as EnvVar[] | undefined, envAsObject)], issue.message);
    }
    const lower = parsed.data.name.toLowerCase();
    const first = seen.get(lower);
    if (first !== undefined) throw fail(['servers', index, 'name'], `The server name "${parsed.data.name}" is already used by servers[${first}]: names are unique.`);
    seen.set(lower, index);
    return {
      index,
      input: parsed.data,
      envAsObject,
      policy: { ...(policy?.attestation !== undefined ? { attestation: policy.attestation } : {}), ...(policy?.undeclared_tools !== undefined ? { undeclared: policy.undeclared_tools } : {}) },
      attach: (attach ?? []).map((a) => (typeof a === 'string' ? { client: a } : { client: a.client, config: a.config })),
    };
  });
  return { servers, position };
}

/** `env_template[2].value` of an object-form env_template is `env_template.KEY` in the file. */
export function envPath(path: (string | number)[], pairs: readonly EnvVar[] | undefined, asObject: boolean): (string | number)[] {
  if (!asObject || path[0] !== 'env_template' || typeof path[1] !== 'number') return path;
  const key = pairs?.[path[1]]?.key;
  return key === undefined ? path.slice(0, 1) : ['env_template', key];
}

/** Among union alternatives, the issue that went deepest names the field best. */
function deepestIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  let best = issues[0] as z.core.$ZodIssue;
  for (const issue of issues) {
    const nested = issue.code === 'invalid_union' ? issue.errors.flat().map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue) : [];
    for (const candidate of [issue, ...nested]) if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

/** The YAML node at a manifest path: a mapping key's node (its line), a list item, or the deepest one found. */
function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) return last;
      last = (isScalar(pair.key) ? pair.key : last) as Node | undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) return last;
      last = item as Node;
      node = item;
    } else {
      return last;
    }
  }
  return last;
}
