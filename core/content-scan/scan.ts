/**
 * Content scan: every string a server shows the model (tool, prompt and resource definitions, and the
 * server's instructions), checked against CONTENT_RULES. Pure: no I/O, no clock, no randomness; the
 * same input gives the same findings in the same order (definitions in the order given, fields in
 * document order, rules in table order).
 */
import type { ContentFinding, Definition } from '../api/probe.ts';
import { CONTENT_RULES, mentionPattern, type Owner, type RuleContext, type ScanField } from './rules.ts';
import { normaliseText, showInvisible } from './unicode.ts';

export interface ScanInput {
  instructions: string | null;
  tools: Definition[];
  prompts: Definition[];
  resources: Definition[];
  resource_templates: Definition[];
}

export interface ScanContext {
  /** The other registered servers and their tool names, for shadowing. */
  otherServers?: { name: string; tools: string[] }[];
  /** Rule ids silenced for this server. */
  allow?: string[];
}

/** A hostile server must not flood the store: at most this many findings per rule and field, and in all. */
export const MAX_FINDINGS_PER_RULE_AND_FIELD = 10;
export const MAX_FINDINGS = 500;

const SUB_SCHEMA = new Set(['items', 'additionalProperties', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']);
const SUB_SCHEMA_LIST = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const HAS_INVISIBLE = /[\p{Cf}\p{Co}\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

/** `.description`, or `["odd key"]` for a key that is not a plain identifier. */
function segment(key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${showInvisible(JSON.stringify(key))}]`;
}

class Collector {
  readonly fields: ScanField[] = [];
  private readonly owner: Owner | null;
  constructor(owner: Owner | null) {
    this.owner = owner;
  }

  text(where: string, raw: string): void {
    this.fields.push({ where, raw, text: normaliseText(raw), kind: 'text', owner: this.owner });
  }

  /** An object key: a property name in an input schema, or any key hiding invisible characters. */
  key(where: string, raw: string, kind: 'property' | 'key'): void {
    if (kind === 'key' && !HAS_INVISIBLE.test(raw)) return;
    this.fields.push({ where, raw, text: normaliseText(raw), kind, owner: this.owner });
  }

  /** Any JSON value: strings anywhere, keys only when they hide something. */
  value(value: unknown, where: string): void {
    if (typeof value === 'string') this.text(where, value);
    else if (Array.isArray(value)) value.forEach((item, i) => this.value(item, `${where}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const path = `${where}${segment(key)}`;
        this.key(path, key, 'key');
        this.value(child, path);
      }
    }
  }

  /** A JSON Schema: property names of an input schema become `property` fields. */
  schema(value: unknown, where: string, input: boolean): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.value(value, where);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const path = `${where}${segment(key)}`;
      this.key(path, key, 'key');
      if (SCHEMA_MAP.has(key) && child !== null && typeof child === 'object' && !Array.isArray(child)) {
        for (const [name, sub] of Object.entries(child)) {
          const subPath = `${path}${segment(name)}`;
          this.key(subPath, name, input && key === 'properties' ? 'property' : 'key');
          this.schema(sub, subPath, input);
        }
      } else if (SUB_SCHEMA.has(key)) {
        this.schema(child, path, input);
      } else if (SUB_SCHEMA_LIST.has(key) && Array.isArray(child)) {
        child.forEach((sub, i) => this.schema(sub, `${path}[${i}]`, input));
      } else {
        this.value(child, path);
      }
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function labelOf(kind: Owner['kind'], definition: Definition, index: number): string {
  if (!isObject(definition)) return `${kind}:#${index}`;
  const id = kind === 'resource' ? (definition.uri ?? definition.name) : kind === 'resource_template' ? (definition.uriTemplate ?? definition.name) : definition.name;
  return `${kind}:${typeof id === 'string' && id !== '' ? showInvisible(id) : `#${index}`}`;
}

function definitionFields(kind: Owner['kind'], definition: Definition, index: number): ScanField[] {
  const owner: Owner = { kind, label: labelOf(kind, definition, index), fields: [] };
  const collect = new Collector(owner);
  if (isObject(definition)) {
    for (const [key, child] of Object.entries(definition)) {
      const path = `${owner.label}${segment(key)}`;
      collect.key(path, key, 'key');
      if (kind === 'tool' && (key === 'inputSchema' || key === 'outputSchema')) collect.schema(child, path, key === 'inputSchema');
      else collect.value(child, path);
    }
  }
  owner.fields = collect.fields;
  return collect.fields;
}

/** Every string of every definition, with where it sits. */
export function scanFields(input: ScanInput): ScanField[] {
  const fields: ScanField[] = [];
  if (typeof input.instructions === 'string' && input.instructions !== '') {
    const collect = new Collector(null);
    collect.text('instructions', input.instructions);
    fields.push(...collect.fields);
  }
  const groups: [Owner['kind'], Definition[]][] = [
    ['tool', input.tools],
    ['prompt', input.prompts],
    ['resource', input.resources],
    ['resource_template', input.resource_templates],
  ];
  for (const [kind, definitions] of groups) definitions.forEach((definition, i) => fields.push(...definitionFields(kind, definition, i)));
  return fields;
}

/**
 * Scans a server's definitions for poisoning: invisible text, wording aimed at the model, sensitive
 * paths, exfiltration parameters and shadowing of other servers' tools. Findings of rules named in
 * `context.allow` are left out. At most MAX_FINDINGS_PER_RULE_AND_FIELD per rule and field and
 * MAX_FINDINGS in all: past that a server is plainly hostile, and more rows tell the user nothing.
 */
export function scanDefinitions(input: ScanInput, context: ScanContext = {}): ContentFinding[] {
  const ownTools = new Set(input.tools.map((t) => (isObject(t) ? t.name : undefined)).filter((n): n is string => typeof n === 'string'));
  const ruleContext: RuleContext = {
    otherTools: (context.otherServers ?? []).flatMap((server) =>
      server.tools.filter((tool) => tool !== '' && !ownTools.has(tool)).map((tool) => ({ server: server.name, tool, pattern: mentionPattern(tool) })),
    ),
  };
  const allow = new Set(context.allow ?? []);
  const rules = CONTENT_RULES.filter((rule) => !allow.has(rule.id));
  const findings: ContentFinding[] = [];
  const seen = new Set<string>();
  for (const field of scanFields(input)) {
    for (const rule of rules) {
      for (const hit of rule.matcher(field, ruleContext).slice(0, MAX_FINDINGS_PER_RULE_AND_FIELD)) {
        if (findings.length >= MAX_FINDINGS) return findings;
        const key = JSON.stringify([rule.id, field.where, hit.match]);
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({ rule: rule.id, severity: rule.severity, where: field.where, match: hit.match, message: hit.message });
      }
    }
  }
  return findings;
}
