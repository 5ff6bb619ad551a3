/**
 * Fuzzing the scanner and the monitor with broken client configs.
 *
 * Every case starts from a real fixture (test/fixtures/clients/) at its real path in a fake home and
 * mutates it: flipped bytes, truncation, wrong types, ~1 MB strings, thousands of nesting levels,
 * unicode and NUL bytes, duplicate keys, `__proto__` keys, empty files, BOMs. The PRNG is seeded and
 * each case has its own seed derived from the run's, so a failing case is replayed alone (on a fresh
 * store) with `FUZZ_SEED=<seed> FUZZ_CASE=<n> node scripts/test.mjs test/integration/fuzz-configs.test.ts`;
 * FUZZ_SEED alone runs another 1,000 cases, FUZZ_CASES=<n> changes how many.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import type { ConfigFormat, ConfigLocation, PlatformEnv } from '../../core/api/discovery.ts';
import { NAME_PATTERN } from '../../core/api/names.ts';
import { verifyAudit } from '../../core/audit/audit-log.ts';
import { allLocations, claudeCodeProjectLocations } from '../../core/discovery/clients/index.ts';
import { parseConfig } from '../../core/discovery/parse.ts';
import { MAX_DEPTH } from '../../core/discovery/read-json.ts';
import { agentIdFor, scanConfig, type ConfigScanResult } from '../../core/discovery/scan.ts';
import { Monitor } from '../../core/monitor/monitor.ts';
import { openStore, type Db } from '../../core/store/database.ts';
import { ROOT, tempDir } from '../helpers/cli.ts';
import { databaseChecksum } from '../helpers/db.ts';
import { claudeDesktopConfig, fakeHome, waitFor } from '../helpers/fake-home.ts';

const SEED = process.env.FUZZ_SEED === undefined ? 0x5eed_c0de : Number(process.env.FUZZ_SEED);
const CASES = process.env.FUZZ_CASES === undefined ? 1000 : Number(process.env.FUZZ_CASES);
/** Replays one case of the scanner phase alone. */
const ONLY_CASE = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
const MONITOR_WRITES = 150;
const REGISTRY = ['servers', 'agent_servers', 'server_secret_refs'];
const HUGE = 1 << 20;
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'clients');
/** The scanner resolves commands on this PATH only: the machine's own commands, nothing from the test's env. */
const SCAN_ENV = { PATH: process.env.PATH };

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** mulberry32: small, fast, and the same sequence on every machine. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }
}

/** The seed of case `n` of a stream: each case can be replayed without running the ones before it. */
const caseSeed = (stream: number, n: number): number => (SEED ^ Math.imul(stream + 1, 0x85ebca6b) ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;

// ---------------------------------------------------------------------------------------------
// The fixtures, at their real paths
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Base {
  name: string;
  location: ConfigLocation;
  text: string;
}

/** Every fixture, each at the path its client reads (asserted to be one of the client's own locations). */
function bases(home: string, where: PlatformEnv): Base[] {
  const user = allLocations(where);
  const at = (relative: string, format: ConfigFormat): ConfigLocation => {
    const file = path.join(home, relative);
    const location = user.find((l) => l.path === file && l.format === format);
    assert.ok(location !== undefined, `${file} (${format}) is not a location any client reads`);
    return location;
  };
  const fixture = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');
  const project = claudeCodeProjectLocations([path.join(home, 'code', 'web-app')])[0] as ConfigLocation;
  const desktop = at('.config/Claude/claude_desktop_config.json', 'mcpServers');
  return [
    { name: 'claude-desktop', location: desktop, text: fixture('claude-desktop/claude_desktop_config.json') },
    {
      name: 'claude-desktop (helper)',
      location: desktop,
      text: `${JSON.stringify(claudeDesktopConfig({ files: { command: 'sh', args: ['-c', 'exec cat'] }, remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer abc' } } }), null, 2)}\n`,
    },
    { name: 'claude-desktop (windows paths)', location: at('.config/claude/claude_desktop_config.json', 'mcpServers'), text: fixture('claude-desktop/claude_desktop_config.windows.json') },
    { name: 'claude-code', location: at('.claude.json', 'claude-code'), text: fixture('claude-code/claude.json') },
    { name: 'claude-code project', location: project, text: fixture('claude-code/project.mcp.json') },
    { name: 'cursor', location: at('.cursor/mcp.json', 'mcpServers'), text: fixture('cursor/mcp.json') },
    { name: 'vscode mcp.json', location: at('.config/Code/User/mcp.json', 'vscode-mcp'), text: fixture('vscode/mcp.json') },
    { name: 'vscode settings.json', location: at('.config/Code/User/settings.json', 'vscode-settings'), text: fixture('vscode/settings.json') },
    { name: 'vscode settings.json (flat)', location: at('.config/Code/User/settings.json', 'vscode-settings'), text: fixture('vscode/settings.flat.json') },
    { name: 'windsurf', location: at('.codeium/windsurf/mcp_config.json', 'mcpServers'), text: fixture('windsurf/mcp_config.json') },
    { name: 'gemini-cli', location: at('.gemini/settings.json', 'mcpServers'), text: fixture('gemini-cli/settings.json') },
    { name: 'cline', location: at('.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json', 'mcpServers'), text: fixture('cline/cline_mcp_settings.json') },
  ];
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

type Payload = { type: 'file'; bytes: Buffer } | { type: 'deleted' } | { type: 'directory' };

interface Mutation {
  /** The mutation kinds applied, in order, with what each did. */
  label: string;
  kinds: string[];
  payload: Payload;
}

/**
 * A document being mutated structurally. Raw text that JSON.stringify cannot produce (duplicate
 * keys, `__proto__` keys, unbalanced brackets, megabyte numbers) is put in as a marker string and
 * swapped for the raw text when rendered.
 */
class Draft {
  doc: Json;
  readonly raw = new Map<string, string>();
  readonly format: ConfigFormat;
  #n = 0;
  constructor(doc: Json, format: ConfigFormat) {
    this.doc = doc;
    this.format = format;
  }
  marker(rawText: string): string {
    const m = `\u0001raw${this.#n++}\u0001`;
    this.raw.set(m, rawText);
    return m;
  }
  render(rng: Rng): string {
    let text = JSON.stringify(this.doc, null, rng.pick([undefined, 2, '\t']));
    for (const [m, rawText] of this.raw) text = text.split(JSON.stringify(m)).join(rawText);
    return text;
  }

  /** Where servers live in this format: [parent object, key]. Missing containers are created. */
  containers(): [Obj, string][] {
    if (!isObj(this.doc)) return [];
    const doc = this.doc;
    switch (this.format) {
      case 'mcpServers':
        return [[doc, 'mcpServers']];
      case 'vscode-mcp':
        return [[doc, 'servers']];
      case 'vscode-settings': {
        const out: [Obj, string][] = [];
        const mcp = doc.mcp;
        if (isObj(mcp)) out.push([mcp, 'servers']);
        if ('mcp.servers' in doc || out.length === 0) out.push([doc, 'mcp.servers']);
        return out;
      }
      case 'claude-code': {
        const out: [Obj, string][] = [[doc, 'mcpServers']];
        const projects = doc.projects;
        if (isObj(projects)) for (const project of Object.values(projects)) if (isObj(project)) out.push([project, 'mcpServers']);
        return out;
      }
    }
  }

  /** A servers object to work in, made an object (and created) if it was not one. */
  container(rng: Rng): Obj {
    const options = this.containers();
    if (options.length === 0) {
      this.doc = { mcpServers: {} };
      return this.doc.mcpServers as Obj;
    }
    const [parent, key] = rng.pick(options);
    if (!isObj(parent[key])) parent[key] = {};
    return parent[key] as Obj;
  }

  /** A server entry (an object) to work in, created when its container has none. */
  entry(rng: Rng): { container: Obj; key: string; entry: Obj } {
    const container = this.container(rng);
    const keys = Object.keys(container).filter((k) => isObj(container[k]));
    if (keys.length === 0) {
      container.fuzzed = { command: 'npx', args: ['-y', 'some-server'] };
      return { container, key: 'fuzzed', entry: container.fuzzed as Obj };
    }
    const key = rng.pick(keys);
    return { container, key, entry: container[key] as Obj };
  }
}

/** Puts `key: value` at `position` in `obj`, keeping the other keys' order. */
function insertKey(obj: Obj, key: string, value: Json, position: number): void {
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  entries.splice(Math.min(position, entries.length), 0, [key, value]);
  for (const [k, v] of entries) obj[k] = v;
}

/** Every string in the document, with a way to replace it (keys included). */
function stringSlots(doc: Json): { get: () => string; set: (s: string) => void }[] {
  const slots: { get: () => string; set: (s: string) => void }[] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        if (typeof v === 'string') slots.push({ get: () => node[i] as string, set: (s) => (node[i] = s) });
        else stack.push(v);
      });
    } else if (isObj(node)) {
      for (const k of Object.keys(node)) {
        const v = node[k] as Json;
        if (typeof v === 'string') slots.push({ get: () => node[k] as string, set: (s) => (node[k] = s) });
        else stack.push(v);
        // A key: renamed in place, keeping its position.
        slots.push({
          get: () => k,
          set: (s) => {
            if (s === k || s in node) return;
            const position = Object.keys(node).indexOf(k);
            const value = node[k] as Json;
            delete node[k];
            insertKey(node, s, value, position);
          },
        });
      }
    }
  }
  return slots;
}

/** Every object and array in the document with a way to replace one of its children. */
function nodeSlots(doc: Json): { set: (v: Json) => void }[] {
  const slots: { set: (v: Json) => void }[] = [];
  const stack: Json[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        slots.push({ set: (x) => (node[i] = x) });
        stack.push(v);
      });
    } else if (isObj(node)) {
      for (const k of Object.keys(node)) {
        slots.push({ set: (x) => (node[k] = x) });
        stack.push(node[k] as Json);
      }
    }
  }
  return slots;
}

const SPECIAL_CHARS = ['\u0000', '\u0001', '\u0008', '\u001f', '\u007f', '\u0085', '\u00a0', '\u00e9', '\u0301', '\u200b', '\u200d', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffd', '\uffff', '\u{1f600}', '\u{10ffff}', '\ud800', '\udfff', '漢', '"', '\\', '/', '~', '${', '{{secret:', '\n', '\t'];

function randomUnicode(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    switch (rng.int(4)) {
      case 0:
        out += rng.pick(SPECIAL_CHARS);
        break;
      case 1:
        out += String.fromCharCode(rng.int(0x20));
        break;
      case 2:
        out += String.fromCodePoint(rng.between(0x80, 0xd7ff));
        break;
      default:
        out += String.fromCodePoint(rng.between(0x10000, 0x10ffff));
    }
  }
  return out;
}

/** Bytes that are not (or not only) well-formed UTF-8 text. */
function randomBytes(rng: Rng): Buffer {
  return Buffer.from(
    rng.pick<number[]>([
      [0x00],
      [0x00, 0x00, 0x00],
      [0xff],
      [0xfe, 0xff],
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
      [0x80], // a lone continuation byte
      [0xe2, 0x82], // a truncated sequence
      [0xef, 0xbb, 0xbf], // a BOM mid-file
      [...Buffer.from(randomUnicode(rng, rng.between(1, 6)), 'utf8')],
      [rng.int(256)],
    ]),
  );
}

function wrongValue(rng: Rng): Json {
  switch (rng.int(12)) {
    case 0:
      return [];
    case 1:
      return ['-y', 42, null, { nested: true }];
    case 2:
      return rng.pick([0, -1, 42, 3.14, 1e308, -0, Number.MAX_SAFE_INTEGER + 2]);
    case 3:
      return null;
    case 4:
      return rng.chance(0.5);
    case 5:
      return {};
    case 6:
      return { command: 'npx', args: { 0: '-y' }, env: { A: { B: 'C' } } };
    case 7:
      return '';
    case 8:
      return [[[['deep']]]];
    case 9:
      return { toString: 'x', valueOf: 1 };
    case 10:
      return randomUnicode(rng, rng.between(1, 20));
    default:
      return 'stdio';
  }
}

function hugeString(rng: Rng): { label: string; value: string } {
  switch (rng.int(6)) {
    case 0:
      return { label: 'repeated letter', value: 'A'.repeat(HUGE) };
    case 1: {
      const chars: string[] = [];
      for (let i = 0; i < HUGE / 16; i++) chars.push(String.fromCharCode(0x21 + rng.int(94)));
      return { label: 'random printable', value: chars.join('').repeat(16) };
    }
    case 2:
      return { label: 'brackets inside a string', value: '[{'.repeat(HUGE / 2) };
    case 3:
      return { label: 'CJK', value: '漢字'.repeat(HUGE / 6) };
    case 4:
      return { label: 'path-like', value: `/${'dir/'.repeat(HUGE / 5)}server.js` };
    default:
      return { label: 'looks like a token', value: `ghp_${'Ab1'.repeat(HUGE / 3)}` };
  }
}

/** Raw JSON text nested `depth` levels deep (or not closed at all). */
function deepText(rng: Rng, depth: number): { label: string; text: string } {
  switch (rng.int(6)) {
    case 0:
      return { label: `${depth} arrays`, text: '['.repeat(depth) + ']'.repeat(depth) };
    case 1:
      return { label: `${depth} objects`, text: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) };
    case 2: {
      let open = '';
      let close = '';
      for (let i = 0; i < depth; i++) {
        if (i % 2 === 0) {
          open += '[';
          close = `]${close}`;
        } else {
          open += '{"k":';
          close = `}${close}`;
        }
      }
      return { label: `${depth} mixed levels`, text: `${open}null${close}` };
    }
    case 3:
      return { label: `${depth} unclosed arrays`, text: '['.repeat(depth) };
    case 4:
      return { label: `${depth} brackets in a string`, text: JSON.stringify('['.repeat(depth)) };
    default:
      return { label: `${depth} brackets in a comment`, text: `/* ${'{['.repeat(depth)} */ "ok"` };
  }
}

type Structural = (rng: Rng, d: Draft) => string;

const STRUCTURAL: Record<string, Structural> = {
  'wrong-type container': (rng, d) => {
    const options = d.containers();
    if (options.length === 0) return 'no container';
    const [parent, key] = rng.pick(options);
    const current = parent[key];
    const value = rng.chance(0.4) && isObj(current) ? Object.values(current) : wrongValue(rng);
    parent[key] = value;
    return `${key} = ${JSON.stringify(value).slice(0, 40)}`;
  },
  'wrong-type entry': (rng, d) => {
    const { container, key } = d.entry(rng);
    container[key] = wrongValue(rng);
    return `${key} = ${JSON.stringify(container[key]).slice(0, 40)}`;
  },
  'wrong-type field': (rng, d) => {
    const { key, entry } = d.entry(rng);
    const field = rng.pick(['command', 'args', 'env', 'headers', 'url', 'serverUrl', 'httpUrl', 'type', 'transport', 'transportType', 'cwd', 'disabled', 'enabled']);
    entry[field] = wrongValue(rng);
    return `${key}.${field} = ${JSON.stringify(entry[field]).slice(0, 40)}`;
  },
  'args as object': (rng, d) => {
    const { key, entry } = d.entry(rng);
    const args = Array.isArray(entry.args) ? entry.args : ['-y', 'pkg'];
    entry.args = rng.chance(0.8) ? Object.fromEntries(args.map((a, i) => [String(i), a])) : {};
    return key;
  },
  'env value as object': (rng, d) => {
    const { key, entry } = d.entry(rng);
    const field = rng.pick(['env', 'headers']);
    const record = isObj(entry[field]) ? (entry[field] as Obj) : {};
    const name = Object.keys(record)[0] ?? 'API_KEY';
    record[name] = rng.pick<Json>([{ value: 'x' }, ['a', 'b'], null, { nested: { deeper: 'x' } }]);
    entry[field] = record;
    return `${key}.${field}.${name}`;
  },
  'wrong-type root': (rng, d) => {
    d.doc = rng.pick<Json>([[], [d.doc], 'mcpServers', 42, null, true, [{ mcpServers: {} }]]);
    return JSON.stringify(d.doc).slice(0, 30);
  },
  'random node': (rng, d) => {
    const slots = nodeSlots(d.doc);
    if (slots.length === 0) return 'no node';
    rng.pick(slots).set(wrongValue(rng));
    return `one of ${slots.length} nodes`;
  },
  'huge string': (rng, d) => {
    const huge = hugeString(rng);
    const where = rng.int(8);
    if (where === 0) {
      // A key: a server named by a megabyte.
      const container = d.container(rng);
      insertKey(container, huge.value, { command: 'npx', args: ['-y', 'x'] }, rng.int(3));
      return `${huge.label} as a server key`;
    }
    if (where === 1 && isObj(d.doc)) {
      d.doc.theme = huge.value;
      return `${huge.label} in a non-MCP field`;
    }
    if (where === 2) {
      // Written raw, with no closing quote.
      const { entry } = d.entry(rng);
      entry.command = d.marker(`"${huge.value.replace(/["\\]/g, '')}`);
      return `${huge.label}, unterminated`;
    }
    if (where === 3) {
      const { entry } = d.entry(rng);
      entry.args = [d.marker('9'.repeat(HUGE))];
      return 'a megabyte number in args';
    }
    const { key, entry } = d.entry(rng);
    const field = rng.pick(['command', 'args', 'env', 'headers', 'url', 'cwd']);
    if (field === 'args') entry.args = ['-y', huge.value];
    else if (field === 'env' || field === 'headers') entry[field] = { [rng.chance(0.5) ? 'TOKEN' : huge.value.slice(0, 4096)]: huge.value };
    else entry[field] = field === 'url' ? `https://example.com/${huge.value}` : huge.value;
    return `${huge.label} in ${key}.${field}`;
  },
  'deep nesting': (rng, d) => {
    const depth = rng.chance(0.3) ? MAX_DEPTH - 6 + rng.int(12) : rng.between(1000, 5000);
    const deep = deepText(rng, depth);
    const where = rng.int(5);
    if (where === 0) {
      d.doc = d.marker(deep.text);
      return `${deep.label} as the root`;
    }
    if (where === 1 && isObj(d.doc)) {
      d.doc.preferences = d.marker(deep.text);
      return `${deep.label} in a non-MCP field`;
    }
    const { key, entry, container } = d.entry(rng);
    if (where === 2) container[key] = d.marker(deep.text);
    else if (where === 3) entry.args = ['-y', d.marker(deep.text)];
    else entry.env = { DEEP: d.marker(deep.text) };
    return `${deep.label} under ${key}`;
  },
  'unicode in strings': (rng, d) => {
    if (stringSlots(d.doc).length === 0) return 'no string';
    const n = rng.between(1, 4);
    for (let i = 0; i < n; i++) {
      // Found again each time: renaming a key moves the strings below it.
      const slot = rng.pick(stringSlots(d.doc));
      const s = slot.get();
      const at = rng.int(s.length + 1);
      slot.set(s.slice(0, at) + randomUnicode(rng, rng.between(1, 8)) + s.slice(at));
    }
    return `${n} strings`;
  },
  'duplicate keys': (rng, d) => {
    const kind = rng.int(3);
    if (kind === 0) {
      // A server key written twice: the second one wins, as in JSON.parse.
      const { container, key, entry } = d.entry(rng);
      const twin: Json = rng.pick<Json>([{ command: 'sh', args: ['-c', 'echo twin'] }, wrongValue(rng), { ...entry, args: ['changed'] }]);
      insertKey(container, d.marker(JSON.stringify(key)), twin, rng.int(Object.keys(container).length + 1));
      return `server ${key} twice`;
    }
    if (kind === 1 && isObj(d.doc)) {
      const [parent, key] = rng.pick(d.containers());
      insertKey(parent, d.marker(JSON.stringify(key)), rng.pick<Json>([{}, [], null, { other: { url: 'https://other.example/mcp' } }]), rng.int(Object.keys(parent).length + 1));
      return `container ${key} twice`;
    }
    const { key, entry } = d.entry(rng);
    const field = rng.pick(['command', 'args', 'env', 'url', 'type', 'disabled']);
    insertKey(entry, d.marker(JSON.stringify(field)), wrongValue(rng), rng.int(Object.keys(entry).length + 1));
    return `${key}.${field} twice`;
  },
  '__proto__ keys': (rng, d) => {
    const name = rng.pick(['__proto__', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf']);
    const quoted = JSON.stringify(name);
    switch (rng.int(5)) {
      case 0: {
        const container = d.container(rng);
        insertKey(container, d.marker(quoted), rng.pick<Json>([{ command: 'sh', args: ['-c', `echo ${name}`] }, { url: 'https://proto.example/mcp' }, { polluted: true }, null]), rng.int(3));
        return `server ${name}`;
      }
      case 1: {
        const { key, entry } = d.entry(rng);
        const field = rng.pick(['env', 'headers']);
        const record = isObj(entry[field]) ? { ...(entry[field] as Obj) } : {};
        insertKey(record, d.marker(quoted), rng.pick<Json>(['value', { polluted: 'yes' }]), 0);
        entry[field] = record;
        return `${key}.${field}.${name}`;
      }
      case 2: {
        const { key, entry } = d.entry(rng);
        insertKey(entry, d.marker(quoted), { command: 'evil', args: ['--own'], disabled: true }, 0);
        return `${key}.${name}`;
      }
      case 3:
        if (isObj(d.doc)) insertKey(d.doc, d.marker(quoted), { mcpServers: { hidden: { command: 'sh' } } }, 0);
        return `root ${name}`;
      default:
        if (isObj(d.doc)) d.doc.projects = { [d.marker(quoted)]: { mcpServers: { p: { command: 'sh' } } }, '/x': { mcpServers: {} } };
        return `projects.${name}`;
    }
  },
  'valid variation': (rng, d) => {
    // Not broken at all: a different, valid config, so the registry sees changes between broken files.
    const container = d.container(rng);
    const key = `srv-${rng.int(40)}`;
    container[key] = rng.pick<Json>([
      { command: 'sh', args: ['-c', `exit ${rng.int(3)}`] },
      { url: `https://mcp${rng.int(5)}.example.com/mcp`, headers: { Authorization: `Bearer t${rng.int(9)}` } },
      { command: 'npx', args: ['-y', `pkg-${rng.int(5)}@1.0.${rng.int(3)}`], env: { K: String(rng.int(3)) }, disabled: rng.chance(0.5) },
    ]);
    return key;
  },
};

type Textual = (rng: Rng, bytes: Buffer) => { label: string; bytes: Buffer };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const TEXTUAL: Record<string, Textual> = {
  'flipped bytes': (rng, bytes) => {
    const out = Buffer.from(bytes);
    const n = rng.between(1, 10);
    for (let i = 0; i < n && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = (out[at] as number) ^ (rng.chance(0.5) ? 1 << rng.int(8) : rng.between(1, 255));
    }
    return { label: `${n} bytes`, bytes: out };
  },
  truncated: (rng, bytes) => {
    const at = rng.int(bytes.length);
    return { label: `at ${at}/${bytes.length}`, bytes: bytes.subarray(0, at) };
  },
  'raw unicode and NUL bytes': (rng, bytes) => {
    let out = bytes;
    const n = rng.between(1, 5);
    for (let i = 0; i < n; i++) {
      const at = rng.int(out.length + 1);
      out = Buffer.concat([out.subarray(0, at), randomBytes(rng), out.subarray(at)]);
    }
    return { label: `${n} insertions`, bytes: out };
  },
  'empty file': (rng) => {
    const content = rng.pick<Buffer>([Buffer.alloc(0), Buffer.from(' '), Buffer.from('\n\n\r\n'), Buffer.from('\t'), BOM, Buffer.concat([BOM, Buffer.from('\n')]), Buffer.from([0]), Buffer.alloc(100), Buffer.from('// only a comment\n'), Buffer.from('/* */')]);
    return { label: JSON.stringify(content.toString('latin1')).slice(0, 20), bytes: content };
  },
  BOM: (rng, bytes) => {
    switch (rng.int(5)) {
      case 0:
        return { label: 'UTF-8 BOM', bytes: Buffer.concat([BOM, bytes]) };
      case 1:
        return { label: 'two BOMs', bytes: Buffer.concat([BOM, BOM, bytes]) };
      case 2: {
        const at = rng.int(bytes.length + 1);
        return { label: 'BOM mid-file', bytes: Buffer.concat([bytes.subarray(0, at), BOM, bytes.subarray(at)]) };
      }
      case 3:
        return { label: 'UTF-16LE with BOM', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]) };
      default:
        return { label: 'BOM and CRLF', bytes: Buffer.concat([BOM, Buffer.from(bytes.toString('utf8').replace(/\n/g, '\r\n'))]) };
    }
  },
  'spliced ranges': (rng, bytes) => {
    const a = rng.int(bytes.length + 1);
    const b = Math.min(bytes.length, a + rng.int(200));
    if (rng.chance(0.5)) return { label: `deleted ${a}..${b}`, bytes: Buffer.concat([bytes.subarray(0, a), bytes.subarray(b)]) };
    const at = rng.int(bytes.length + 1);
    return { label: `copied ${a}..${b} to ${at}`, bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(a, b), bytes.subarray(at)]) };
  },
};

const FILE_STATES = ['deleted', 'directory in its place'] as const;

/** One mutation (sometimes two or three stacked) of a base config. */
function mutate(rng: Rng, base: Base): Mutation {
  if (rng.chance(0.02)) {
    const state = rng.pick(FILE_STATES);
    return { label: state, kinds: [state], payload: state === 'deleted' ? { type: 'deleted' } : { type: 'directory' } };
  }
  // Megabyte strings at half the rate of the others: they are slow to scan and to checksum.
  const structural = Object.keys(STRUCTURAL).flatMap((k) => (k === 'huge string' ? [k] : [k, k]));
  const textual = Object.keys(TEXTUAL);
  const steps = rng.chance(0.15) ? rng.between(2, 3) : 1;
  const labels: string[] = [];
  const kinds: string[] = [];
  let draft: Draft | undefined;
  let bytes: Buffer | undefined;
  for (let i = 0; i < steps; i++) {
    // Structural mutations first (they need a document), textual ones after.
    const useStructural = bytes === undefined && rng.chance(0.6);
    if (useStructural) {
      draft ??= new Draft(parseJsonc(base.text) as Json, base.location.format);
      const kind = rng.pick(structural);
      kinds.push(kind);
      labels.push(`${kind} (${(STRUCTURAL[kind] as Structural)(rng, draft)})`);
    } else {
      bytes ??= draft === undefined ? Buffer.from(base.text) : Buffer.from(draft.render(rng));
      const kind = rng.pick(textual);
      const out = (TEXTUAL[kind] as Textual)(rng, bytes);
      kinds.push(kind);
      labels.push(`${kind} (${out.label})`);
      bytes = out.bytes;
    }
  }
  bytes ??= Buffer.from((draft as Draft).render(rng));
  return { label: labels.join(' + '), kinds, payload: { type: 'file', bytes } };
}

// ---------------------------------------------------------------------------------------------
// Writing and checking
// ---------------------------------------------------------------------------------------------

let tmpCounter = 0;

/** Puts a payload at `file`: by rename-over (as editors save) or in place (as `>` does). */
function put(file: string, payload: Payload, how: 'rename' | 'in-place'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const isDir = (() => {
    try {
      return statSync(file).isDirectory();
    } catch {
      return false;
    }
  })();
  if (payload.type !== 'file' || isDir) rmSync(file, { recursive: true, force: true });
  if (payload.type === 'deleted') return;
  if (payload.type === 'directory') {
    mkdirSync(file);
    return;
  }
  if (how === 'rename') {
    const tmp = `${file}.fuzz-${process.pid}-${tmpCounter++}`;
    writeFileSync(tmp, payload.bytes);
    renameSync(tmp, file);
  } else {
    writeFileSync(file, payload.bytes);
  }
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The deepest bracket nesting of strict JSON text (a key written twice still counts, though JSON.parse drops it). */
function textDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

/** JSON.parse as an independent oracle: what it reads as an object (within the depth limit) must parse. */
function strictJsonObject(text: string): boolean {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return isObj(JSON.parse(body)) && textDepth(body) <= MAX_DEPTH;
  } catch {
    return false;
  }
}

/** An error's message and the first frames of its stack: enough to find the code that threw. */
function firstFrames(error: unknown, frames = 3): string {
  const stack = (error as Error)?.stack ?? String(error);
  return stack.split('\n').slice(0, frames + 1).join('\n    ');
}

function assertConsistent(db: Db, what: string): void {
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `PRAGMA integrity_check ${what}`);
  assert.deepEqual(db.pragma('foreign_key_check'), [], `PRAGMA foreign_key_check ${what}`);
  const audit = verifyAudit(db);
  assert.ok(audit.ok, `the audit trail verifies ${what}: ${JSON.stringify(audit)}`);
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

test(`scanConfig survives ${CASES} mutated configs and leaves the registry alone when it cannot parse them (seed ${SEED})`, (t) => {
  const { home, where } = fakeHome(t);
  const dataDir = tempDir(t);
  const store = openStore(dataDir);
  t.after(() => store.close());
  const all = bases(home, where);
  const byState = new Map<string, number>();
  const byKind = new Map<string, number>();
  const started = Date.now();

  const cases = ONLY_CASE === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY_CASE];
  // Every case runs even after one fails, so one run reports every distinct failure (each with its replay line).
  const failures: string[] = [];
  let current: string | undefined;
  const plan = (n: number) => {
    const rng = new Rng(caseSeed(0, n));
    const base = rng.pick(all);
    return { n, rng, base, mutation: mutate(rng, base) };
  };
  const runCase = ({ n, rng, base, mutation }: ReturnType<typeof plan>): void => {
    const where = `seed=${SEED} case=${n} base=${base.name} mutation=${mutation.label} (replay: FUZZ_SEED=${SEED} FUZZ_CASE=${n})`;
    for (const kind of mutation.kinds) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    put(base.location.path, mutation.payload, rng.chance(0.5) ? 'rename' : 'in-place');

    // What the file should read as: the parser's verdict, checked against JSON.parse where that is an oracle.
    let expected: ConfigScanResult['state'][];
    let serverCount: number | undefined;
    if (mutation.payload.type === 'file') {
      const text = mutation.payload.bytes.toString('utf8');
      const parsed = parseConfig(text, base.location);
      if (strictJsonObject(text)) assert.ok(parsed.ok, `JSON.parse reads an object but parseConfig fails (${parsed.ok ? '' : parsed.error.message}): ${where}`);
      expected = parsed.ok ? ['ok', 'unchanged'] : ['unparseable'];
      serverCount = parsed.ok ? parsed.servers.length : undefined;
    } else {
      expected = mutation.payload.type === 'deleted' ? ['missing', 'absent'] : ['unreadable'];
    }

    // The registry's checksum before the scan, where the scan must leave it alone. (Only an `ok` scan
    // may change it, so the checksum taken after the last scan that could not is still current.)
    const mayChange = expected.includes('ok');
    const before = mayChange ? undefined : (current ??= databaseChecksum(dataDir, REGISTRY));
    let result: ConfigScanResult;
    try {
      result = scanConfig({ store, env: SCAN_ENV, force: rng.chance(0.5) }, base.location);
    } catch (error) {
      assert.fail(`scanConfig threw ${firstFrames(error)}\n    for ${where}`);
    }
    byState.set(result.state, (byState.get(result.state) ?? 0) + 1);
    assert.ok(expected.includes(result.state), `state ${result.state}, expected ${expected.join(' or ')}: ${where}`);
    if (result.state === 'ok') current = undefined;
    if (result.state === 'unparseable' || result.state === 'unreadable' || result.state === 'missing' || result.state === 'absent') {
      current = databaseChecksum(dataDir, REGISTRY);
      assert.equal(current, before, `a ${result.state} config changed the registry: ${where}`);
    }
    if (result.state === 'unparseable') {
      assert.ok(result.error !== undefined && result.error.message !== '', `an unparseable result says why: ${where}`);
      assert.ok(result.conditions.some((c) => c.type === 'config_parse_error'), `an unparseable config raises a parse-error condition: ${where}`);
    }
    if (result.state === 'unreadable') {
      assert.match(result.error?.message ?? '', /^it is a directory, not a regular file$/, `an unreadable result says why: ${where}`);
      assert.ok(result.conditions.some((c) => c.type === 'config_unreadable'), `an unreadable config raises an unreadable condition: ${where}`);
    }
    if (result.state === 'ok') {
      assert.equal(result.servers.length, serverCount, `every parsed server is in the result: ${where}`);
      for (const s of result.servers) assert.ok(s.name !== null && NAME_PATTERN.test(s.name), `registry name ${JSON.stringify(s.name?.slice(0, 80))} is valid: ${where}`);
    }
  };
  // Cases with megabyte strings run last: each that parses leaves megabytes in the registry, which
  // every later checksum would read again. The order is still fixed by the seed.
  const planned = cases.map(plan);
  const huge = (p: ReturnType<typeof plan>) => p.mutation.kinds.includes('huge string');
  for (const item of [...planned.filter((p) => !huge(p)), ...planned.filter(huge)]) {
    const { n } = item;
    try {
      runCase(item);
    } catch (error) {
      failures.push(`case ${n}: ${error instanceof assert.AssertionError ? error.message : `the test itself failed: ${firstFrames(error, 5)}`}`);
      current = undefined;
    }
  }
  const summary = `${cases.length} cases in ${Date.now() - started} ms; states ${JSON.stringify(Object.fromEntries(byState))}; kinds ${JSON.stringify(Object.fromEntries(byKind))}`;
  t.diagnostic(summary);
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} cases failed (seed=${SEED}):\n${failures.slice(0, 25).join('\n')}`);
  assertConsistent(store.db, `after ${cases.length} cases (seed=${SEED})`);
  if (ONLY_CASE === undefined && CASES >= 500) {
    // The generator itself: every kind of mutation ran, and both outcomes were seen many times.
    for (const kind of [...Object.keys(STRUCTURAL), ...Object.keys(TEXTUAL), ...FILE_STATES]) assert.ok((byKind.get(kind) ?? 0) > 0, `mutation kind ${kind} never ran (seed=${SEED}): ${summary}`);
    assert.ok((byState.get('unparseable') ?? 0) >= CASES / 10, `few unparseable cases (seed=${SEED}): ${summary}`);
    assert.ok((byState.get('ok') ?? 0) >= CASES / 10, `few parseable cases (seed=${SEED}): ${summary}`);
  }
});

test(`the monitor stays up through ${MONITOR_WRITES} mutated configs written in quick succession, then catches up (seed ${SEED})`, async (t) => {
  const { home, where } = fakeHome(t);
  const dataDir = tempDir(t);
  const store = openStore(dataDir);
  const all = bases(home, where);
  // Claude Code's projects pointed at folders in the fake home, so followed projects stay inside it.
  const claudeCode = all.find((b) => b.name === 'claude-code') as Base;
  const projectBase = all.find((b) => b.name === 'claude-code project') as Base;
  const codeDir = path.dirname(path.dirname(projectBase.location.path));
  claudeCode.text = claudeCode.text.replaceAll('/home/ada/code', codeDir);
  const targets = ['claude-desktop', 'cursor', 'claude-code', 'claude-code project', 'vscode settings.json', 'gemini-cli'].map((name) => all.find((b) => b.name === name) as Base);
  for (const target of targets) put(target.location.path, { type: 'file', bytes: Buffer.from(target.text) }, 'rename');

  const errors: string[] = [];
  const escaped: string[] = [];
  const onRejection = (reason: unknown) => escaped.push(`unhandledRejection: ${firstFrames(reason)}`);
  const onException = (error: Error) => escaped.push(`uncaughtException: ${firstFrames(error)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  let scans = 0;
  const monitor = new Monitor({
    store,
    env: SCAN_ENV,
    where,
    onScan: () => scans++,
    onError: (error, location) => errors.push(`${location?.path ?? '(watcher)'}: ${firstFrames(error)}`),
  });
  t.after(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    await monitor.stop();
    store.close();
  });
  const first = await monitor.start();
  // Checked at the end, so the rest of the phase still runs when this fails.
  const firstPass = first.filter((r) => r.state === 'ok').map((r) => r.location.path).sort();
  const expectedFirstPass = [...new Set(targets.map((b) => b.location.path))].sort();

  const written: string[] = [];
  for (let n = 0; n < MONITOR_WRITES; n++) {
    const rng = new Rng(caseSeed(1, n));
    const target = rng.pick(targets);
    const mutation = mutate(rng, target);
    const how = rng.chance(0.5) ? 'rename' : 'in-place';
    written.push(`${n}: ${target.name} ${how} ${mutation.label}`);
    if (how === 'in-place' && mutation.payload.type === 'file' && rng.chance(0.3)) {
      // A write seen half done: the first part, a pause, then the rest.
      const cut = rng.int(mutation.payload.bytes.length + 1);
      put(target.location.path, { type: 'file', bytes: mutation.payload.bytes.subarray(0, cut) }, 'in-place');
      await new Promise((r) => setTimeout(r, rng.int(3)));
      appendFileSync(target.location.path, mutation.payload.bytes.subarray(cut));
    } else {
      put(target.location.path, mutation.payload, how);
    }
    // Mostly back to back; sometimes long enough for the watcher (and a parse grace period) to act.
    const pause = rng.pick([0, 0, 0, 1, 2, 5, 10, rng.chance(0.1) ? 300 : 20]);
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    else if (rng.chance(0.5)) await new Promise((r) => setImmediate(r));
  }

  // A final, valid config everywhere: the monitor must end up reading exactly these.
  const finals = new Map<string, { location: ConfigLocation; bytes: Buffer; pointers: string[] }>();
  for (const target of targets) {
    const doc = parseJsonc(target.text) as Obj;
    const draft = new Draft(doc, target.location.format);
    draft.container(new Rng(SEED))[`final-${target.name.replace(/\W+/g, '-')}`] = { command: 'sh', args: ['-c', 'exit 0'] };
    const bytes = Buffer.from(`${draft.render(new Rng(SEED))}\n`);
    const parsed = parseConfig(bytes.toString('utf8'), target.location);
    assert.ok(parsed.ok, `the final ${target.name} config parses`);
    finals.set(target.location.path, { location: target.location, bytes, pointers: parsed.servers.map((s) => s.pointer).sort() });
  }
  for (const [file, final] of finals) put(file, { type: 'file', bytes: final.bytes }, 'rename');

  const context = () => `seed=${SEED}, ${scans} scans; writes:\n  ${written.slice(-15).join('\n  ')}`;
  const agentState = (location: ConfigLocation) => {
    const id = agentIdFor(location);
    const agent = store.db.prepare<[string], { state: string; content_sha256: string | null }>('SELECT state, content_sha256 FROM agents WHERE id = ?').get(id);
    const present = store.db
      .prepare<[string], { pointer: string }>('SELECT l.pointer FROM agent_servers l JOIN servers s ON s.id = l.server_id WHERE l.agent_id = ? AND l.present = 1 ORDER BY l.pointer')
      .all(id)
      .map((r) => r.pointer);
    return { agent, present: present.sort() };
  };
  const caughtUp = (final: { location: ConfigLocation; bytes: Buffer; pointers: string[] }) => {
    const { agent, present } = agentState(final.location);
    return agent?.state === 'ok' && agent.content_sha256 === sha256(final.bytes) && JSON.stringify(present) === JSON.stringify(final.pointers);
  };
  for (const final of finals.values()) {
    try {
      await waitFor(`the monitor to read the final ${final.location.path}`, () => caughtUp(final), 15_000);
    } catch (error) {
      assert.fail(`${(error as Error).message} It holds ${JSON.stringify(agentState(final.location))}; expected ${JSON.stringify(final.pointers)}. ${context()}`);
    }
  }
  // A parse grace period still running from a broken write must not undo that (it re-reads the final file).
  await new Promise((r) => setTimeout(r, 600));
  for (const final of finals.values()) {
    assert.ok(caughtUp(final), `${final.location.path} still reads as the final config after the grace period: ${JSON.stringify(agentState(final.location))} ${context()}`);
    const stale = store.db
      .prepare<[string], { title: string }>("SELECT title FROM alerts WHERE agent_id = ? AND state != 'resolved' AND type IN ('config_parse_error', 'config_missing')")
      .all(agentIdFor(final.location));
    assert.deepEqual(stale.map((a) => a.title), [], `no parse or missing alert stays open for ${final.location.path}: ${context()}`);
  }

  assert.deepEqual(errors, [], `the monitor reported errors: ${context()}`);
  assert.deepEqual(firstPass, expectedFirstPass, 'the first pass reads every config that exists, Claude Code project files included');
  assert.deepEqual(escaped, [], `errors escaped the monitor: ${context()}`);
  assertConsistent(store.db, `after the monitor phase (seed=${SEED})`);
});
