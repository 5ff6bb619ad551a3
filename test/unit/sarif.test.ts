import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '../../core/api/alert.ts';
import { FINGERPRINT_KEY, fileUri, LEVEL_OF, SARIF_SCHEMA_URI, toSarif, type ReportFinding } from '../../core/report/sarif.ts';

const TOOL = { name: 'MCP Warden', version: '0.1.0', informationUri: 'https://example.invalid/mcp-warden' };

function finding(over: Partial<ReportFinding> = {}): ReportFinding {
  return {
    type: 'plaintext_secret',
    severity: 'high',
    title: 'github (Claude Desktop): env.GITHUB_TOKEN holds a GitHub token in plain text',
    config_path: '/home/me/.config/Claude/claude_desktop_config.json',
    dedup_key: 'plaintext_secret:claude-desktop:/mcpServers/github:env.GITHUB_TOKEN',
    server_name: 'github',
    client: 'claude-desktop',
    ...over,
  };
}

const FINDINGS: ReportFinding[] = [
  finding({ line: 12, column: 7 }),
  finding({ type: 'unpinned_package', severity: 'medium', title: 'npx fetches srv without a version', dedup_key: 'unpinned_package:a', line: 9 }),
  finding({ type: 'config_parse_error', severity: 'low', title: 'cursor config cannot be parsed', config_path: '/home/me/.cursor/mcp.json', dedup_key: 'config_parse_error:b', line: 3, column: 1, server_name: null, client: 'cursor' }),
  finding({ type: 'servers_to_review', severity: 'info', title: '2 servers to review', config_path: null, dedup_key: 'servers_to_review:c', server_name: null, client: null }),
  finding({ type: 'plaintext_secret', severity: 'critical', title: 'a second secret', dedup_key: 'plaintext_secret:d' }),
  finding({ type: 'insecure_http', severity: 'high', title: 'plain http', dedup_key: 'insecure_http:e', column: 4 }),
];

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json => {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v as Json;
};
const asArr = (v: unknown): unknown[] => {
  assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
  return v;
};

/**
 * The required properties and enumerations of SARIF 2.1.0 for every object toSarif writes, checked by
 * hand (the schema itself is used below when a copy is installed).
 */
function structuralProblems(log: unknown): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, what: string) => {
    if (!cond) problems.push(what);
  };
  const l = asObj(log);
  need(l.version === '2.1.0', 'sarifLog.version is "2.1.0"');
  need(typeof l.$schema === 'string' && /^https?:\/\//.test(l.$schema), 'sarifLog.$schema is a URI');
  const runs = asArr(l.runs);
  need(runs.length === 1, 'one run');
  for (const r of runs) {
    const run = asObj(r);
    const driver = asObj(asObj(asObj(run.tool).driver));
    need(typeof driver.name === 'string' && driver.name !== '', 'tool.driver.name is a non-empty string');
    const rules = asArr(driver.rules ?? []).map(asObj);
    const ids = rules.map((rule) => rule.id);
    need(new Set(ids).size === ids.length, 'rule ids are unique');
    for (const rule of rules) {
      need(typeof rule.id === 'string' && rule.id !== '', 'reportingDescriptor.id');
      for (const key of ['shortDescription', 'fullDescription', 'help'] as const) {
        if (rule[key] !== undefined) need(typeof asObj(rule[key]).text === 'string', `rule.${key}.text`);
      }
    }
    for (const x of asArr(run.results ?? [])) {
      const result = asObj(x);
      const message = asObj(result.message);
      need(typeof message.text === 'string' && message.text !== '', 'result.message.text');
      need(['none', 'note', 'warning', 'error'].includes(result.level as string), 'result.level in the enum');
      need(typeof result.ruleId === 'string', 'result.ruleId');
      if (result.ruleIndex !== undefined) {
        const index = result.ruleIndex as number;
        need(Number.isInteger(index) && index >= 0 && rules[index]?.id === result.ruleId, 'result.ruleIndex points at the rule with its ruleId');
      }
      for (const loc of asArr(result.locations ?? [])) {
        const physical = asObj(asObj(loc).physicalLocation);
        const artifact = asObj(physical.artifactLocation);
        need(typeof artifact.uri === 'string', 'artifactLocation.uri');
        if (physical.region !== undefined) {
          const region = asObj(physical.region);
          need(Number.isInteger(region.startLine) && (region.startLine as number) >= 1, 'region.startLine >= 1');
          if (region.startColumn !== undefined) need(Number.isInteger(region.startColumn) && (region.startColumn as number) >= 1, 'region.startColumn >= 1');
        }
      }
      const fingerprints = asObj(result.partialFingerprints ?? {});
      for (const value of Object.values(fingerprints)) need(typeof value === 'string', 'partialFingerprints values are strings');
    }
  }
  return problems;
}

test('a SARIF 2.1.0 log: $schema, version, one run, the driver', () => {
  const log = toSarif(FINDINGS, TOOL);
  assert.equal(log.$schema, SARIF_SCHEMA_URI);
  assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const { driver } = log.runs[0].tool;
  assert.equal(driver.name, 'MCP Warden');
  assert.equal(driver.version, '0.1.0');
  assert.equal(driver.informationUri, 'https://example.invalid/mcp-warden');
  assert.ok(!('informationUri' in toSarif([], { name: 'x', version: '1' }).runs[0].tool.driver), 'no informationUri unless given');
  assert.deepEqual(structuralProblems(log), []);
  assert.deepEqual(JSON.parse(JSON.stringify(log)), log, 'plain JSON: no undefined, no class instances');
});

test('one rule per alert type present, in ALERT_TYPES order, each result pointing at its rule', () => {
  const log = toSarif(FINDINGS, TOOL);
  const { rules } = log.runs[0].tool.driver;
  const present = new Set(FINDINGS.map((f) => f.type));
  assert.deepEqual(rules.map((r) => r.id), ALERT_TYPES.filter((t) => present.has(t)));
  assert.deepEqual(rules.map((r) => r.id), ['servers_to_review', 'plaintext_secret', 'unpinned_package', 'insecure_http', 'config_parse_error']);
  for (const rule of rules) {
    assert.match(rule.name, /^[A-Z][A-Za-z]+$/);
    assert.ok(rule.shortDescription.text.length > 10);
    assert.ok(rule.help.text.length > 10);
  }
  const results = log.runs[0].results;
  assert.equal(results.length, FINDINGS.length);
  results.forEach((r, i) => {
    assert.equal(r.ruleId, FINDINGS[i]?.type, 'results keep the input order');
    assert.equal(rules[r.ruleIndex]?.id, r.ruleId);
  });
  // The rule's default level and security-severity follow the worst finding of its type.
  const secret = rules.find((r) => r.id === 'plaintext_secret');
  assert.equal(secret?.defaultConfiguration.level, 'error');
  assert.equal(secret?.properties['security-severity'], '9.5');
  assert.equal(rules.find((r) => r.id === 'unpinned_package')?.properties['security-severity'], '5.5');
  // Every alert type has a rule text.
  const all = toSarif(ALERT_TYPES.map((type, i) => finding({ type, dedup_key: `k${i}` })), TOOL);
  assert.deepEqual(all.runs[0].tool.driver.rules.map((r) => r.id), [...ALERT_TYPES]);
  assert.deepEqual(structuralProblems(all), []);
});

test('levels: critical and high are error, medium warning, low and info note', () => {
  const expected: Record<Severity, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
  assert.deepEqual(LEVEL_OF, expected);
  const log = toSarif(SEVERITIES.map((severity) => finding({ severity, dedup_key: severity })), TOOL);
  assert.deepEqual(log.runs[0].results.map((r) => r.level), SEVERITIES.map((s) => expected[s]));
  assert.deepEqual(log.runs[0].results.map((r) => r.properties.severity), [...SEVERITIES]);
});

test('results carry the title, the dedup key as partial fingerprint, server and client', () => {
  const [first, , , review] = toSarif(FINDINGS, TOOL).runs[0].results;
  assert.equal(first?.message.text, FINDINGS[0]?.title);
  assert.deepEqual(first?.partialFingerprints, { [FINGERPRINT_KEY]: 'plaintext_secret:claude-desktop:/mcpServers/github:env.GITHUB_TOKEN' });
  assert.deepEqual(first?.properties, { severity: 'high', server_name: 'github', client: 'claude-desktop' });
  assert.deepEqual(review?.properties, { severity: 'info', server_name: null, client: null });
  const untitled = toSarif([finding({ title: '  ' })], TOOL).runs[0].results[0];
  assert.ok((untitled?.message.text.trim() ?? '') !== '', 'an empty title still gives a message');
});

test('locations: a file:// URI of the config path, with a region only when the line is known', () => {
  const results = toSarif(FINDINGS, TOOL).runs[0].results;
  assert.deepEqual(results[0]?.locations, [{ physicalLocation: { artifactLocation: { uri: 'file:///home/me/.config/Claude/claude_desktop_config.json' }, region: { startLine: 12, startColumn: 7 } } }]);
  assert.deepEqual(results[1]?.locations?.[0]?.physicalLocation.region, { startLine: 9 }, 'line without column');
  assert.equal(results[3]?.locations, undefined, 'no config path, no location');
  assert.deepEqual(results[5]?.locations?.[0]?.physicalLocation, { artifactLocation: { uri: 'file:///home/me/.config/Claude/claude_desktop_config.json' } }, 'a column alone gives no region');
  const bad = toSarif([finding({ line: 0, column: 3 }), finding({ line: 2.5 })], TOOL).runs[0].results;
  for (const r of bad) assert.equal(r.locations?.[0]?.physicalLocation.region, undefined, 'an invalid line gives no region');
});

test('fileUri: POSIX and Windows paths on any OS, spaces and non-ASCII escaped', () => {
  assert.equal(fileUri('/home/me/.claude.json'), 'file:///home/me/.claude.json');
  assert.equal(fileUri('/Users/me/Library/Application Support/Claude/claude_desktop_config.json'), 'file:///Users/me/Library/Application%20Support/Claude/claude_desktop_config.json');
  assert.equal(fileUri('C:\\Users\\José\\AppData\\Roaming\\Claude\\claude_desktop_config.json'), 'file:///C:/Users/Jos%C3%A9/AppData/Roaming/Claude/claude_desktop_config.json');
  assert.equal(fileUri('/tmp/100%/#x.json'), 'file:///tmp/100%25/%23x.json');
  assert.equal(fileUri('.cursor/mcp.json'), '.cursor/mcp.json', 'relative paths stay relative references');
  for (const uri of ['/home/me/x.json', 'C:\\x\\y.json'].map(fileUri)) assert.doesNotThrow(() => new URL(uri));
});

test('no findings is still a valid log, with no rules and no results', () => {
  const log = toSarif([], TOOL);
  assert.deepEqual(log.runs[0].tool.driver.rules, []);
  assert.deepEqual(log.runs[0].results, []);
  assert.deepEqual(structuralProblems(log), []);
});

test('the structural check itself rejects broken logs', () => {
  const good = JSON.parse(JSON.stringify(toSarif(FINDINGS, TOOL))) as Json;
  const broken = (edit: (log: any) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(good));
    edit(copy);
    return structuralProblems(copy);
  };
  assert.notDeepEqual(broken((l) => (l.version = '2.0.0')), []);
  assert.notDeepEqual(broken((l) => (l.runs[0].results[0].level = 'critical')), []);
  assert.notDeepEqual(broken((l) => (l.runs[0].results[0].ruleIndex = 4)), []);
  assert.notDeepEqual(broken((l) => (l.runs[0].results[0].message = { text: '' })), []);
  assert.notDeepEqual(broken((l) => (l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0)), []);
  assert.notDeepEqual(broken((l) => l.runs[0].tool.driver.rules.push({ id: 'plaintext_secret' })), []);
});

/** The OASIS SARIF 2.1.0 (rtm.5) JSON schema, kept as a fixture so this test always runs. */
const schemaFile = path.resolve(import.meta.dirname, '../fixtures/sarif/sarif-2.1.0-rtm.5.json');

test('the log validates against the SARIF 2.1.0 JSON schema', async () => {
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as Json;
  // The published schema is draft-04 (`id`, not `$id`); Ajv 8 reads it as draft-07, which the
  // keywords it uses mean the same in.
  delete schema.$schema;
  if (typeof schema.id === 'string') {
    schema.$id = schema.id;
    delete schema.id;
  }
  const { Ajv } = (await import('ajv')) as unknown as { Ajv: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } };
  const { default: addFormats } = (await import('ajv-formats')) as unknown as { default: (ajv: unknown) => void };
  // unicodeRegExp off: one pattern in the published schema (language) is not valid with the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  const all = toSarif(ALERT_TYPES.map((type: AlertType, i) => finding({ type, dedup_key: `k${i}`, line: i + 1, column: i % 2 === 0 ? 3 : undefined })), TOOL);
  for (const log of [toSarif(FINDINGS, TOOL), toSarif([], TOOL), all]) {
    assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
  }
  // ... and the schema is really applied: a broken log fails it.
  const broken = JSON.parse(JSON.stringify(toSarif(FINDINGS, TOOL)));
  broken.runs[0].results[0].level = 'critical';
  assert.equal(validate(broken), false);
});
