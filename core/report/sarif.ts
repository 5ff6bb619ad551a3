/**
 * Findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), so `scan --sarif`
 * output can be uploaded to code-scanning dashboards. One run; one rule per alert type present, in
 * ALERT_TYPES order; one result per finding, in input order. Output is deterministic: the same
 * findings give the same bytes.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '../api/alert.ts';

export interface ReportFinding {
  type: AlertType;
  severity: Severity;
  title: string;
  /** The client config the finding is about, when there is one. */
  config_path: string | null;
  /** 1-based, when known. */
  line?: number | undefined;
  /** 1-based, in UTF-16 code units, when known (used only with `line`). */
  column?: number | undefined;
  dedup_key: string;
  server_name: string | null;
  client: string | null;
}

export interface SarifTool {
  name: string;
  version: string;
  informationUri?: string | undefined;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** The partialFingerprints key carrying the dedup key (SARIF's `name/vN` convention). */
export const FINGERPRINT_KEY = 'mcpWardenDedupKey/v1';

export type SarifLevel = 'error' | 'warning' | 'note';

export const LEVEL_OF: Readonly<Record<Severity, SarifLevel>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub code scanning reads `security-severity` (0.0 to 10.0) on rules to rank security alerts. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

interface RuleText {
  name: string;
  short: string;
  help: string;
}

/** One entry per alert type: a new type that is not described here fails the type check. */
const RULE_TEXT: Readonly<Record<AlertType, RuleText>> = {
  servers_to_review: {
    name: 'ServersToReview',
    short: 'MCP servers found in a client config for the first time, to review.',
    help: 'Review each server the client can start and approve the ones you expect.',
  },
  unapproved_server: {
    name: 'UnapprovedServer',
    short: 'An MCP server appeared in a client config and is not approved.',
    help: 'Check where the entry came from; approve it if you added it, remove it otherwise.',
  },
  unregistered_server: {
    name: 'UnregisteredServer',
    short: 'An MCP server in a client config is not registered.',
    help: 'Register the server so it is watched, or remove it from the config.',
  },
  launch_changed: {
    name: 'LaunchChanged',
    short: "An MCP server's command, arguments, URL, working directory or headers changed.",
    help: 'Compare the new launch with the approved one and approve it only if you made the change.',
  },
  env_changed: {
    name: 'EnvChanged',
    short: "The environment variable names of an MCP server's launch changed.",
    help: 'Compare the new environment with the approved one and approve it only if you made the change.',
  },
  server_removed: {
    name: 'ServerRemoved',
    short: 'A known MCP server is no longer in its client config.',
    help: 'Confirm the removal was intended.',
  },
  executable_changed: {
    name: 'ExecutableChanged',
    short: "The executable an MCP server runs has a different SHA-256 than the one recorded.",
    help: 'Find out what replaced the executable (an update or something else) before approving the new hash.',
  },
  plaintext_secret: {
    name: 'PlaintextSecret',
    short: 'A secret is written in plain text in a client config.',
    help: 'Rotate the secret, store it in the OS keychain and refer to it with a {{secret:NAME}} handle.',
  },
  unpinned_package: {
    name: 'UnpinnedPackage',
    short: 'A package runner (npx, uvx, ...) starts a package without an exact version.',
    help: 'Pin an exact version so each launch runs the code you reviewed.',
  },
  insecure_http: {
    name: 'InsecureHttp',
    short: 'An MCP server is reached over plain http:// on a host that is not loopback.',
    help: 'Use https:// so the traffic, headers included, cannot be read or changed on the way.',
  },
  config_parse_error: {
    name: 'ConfigParseError',
    short: 'A client config cannot be parsed.',
    help: 'Fix the syntax error at the reported position; until then its servers are not watched.',
  },
  config_unreadable: {
    name: 'ConfigUnreadable',
    short: 'Something other than a readable client config sits at a config path: a device, a FIFO, a link loop, or a file too large.',
    help: 'Find out who put it there (a cloned repository can carry such a link); replace it with the real config or remove it.',
  },
  config_missing: {
    name: 'ConfigMissing',
    short: 'A client config that existed was deleted.',
    help: 'Confirm the deletion was intended.',
  },
  definition_changed: {
    name: 'DefinitionChanged',
    short: "An MCP server's tools, prompts, resources or instructions differ from the pinned ones.",
    help: 'Read the diff; approve the new definitions only if the change is expected (an update you made).',
  },
  poisoned_definition: {
    name: 'PoisonedDefinition',
    short: 'A tool, prompt or resource description holds instructions aimed at the model, hidden text, or asks for data to exfiltrate.',
    help: 'Do not use the server until the description is explained; allow the rule for this server only if it is a false positive.',
  },
  undeclared_capability: {
    name: 'UndeclaredCapability',
    short: 'An MCP server exposes a tool that was not declared for it.',
    help: 'Declare the tool if it is expected, or find out why the server offers it.',
  },
  missing_capability: {
    name: 'MissingCapability',
    short: 'A tool declared for an MCP server is not exposed by it.',
    help: 'Check the server version, or remove the tool from the declared capabilities.',
  },
  attestation_failed: {
    name: 'AttestationFailed',
    short: 'What an MCP server runs no longer matches its signed attestation.',
    help: 'Find out what changed (binary replaced, package version moved, definitions changed) before attesting it again.',
  },
  undeclared_tool_used: {
    name: 'UndeclaredToolUsed',
    short: 'A client called a tool the MCP server neither pinned nor declared.',
    help: 'Check why the client called it; declare the tool (or approve the definitions that list it), or set the undeclared-tool policy to block.',
  },
  launcher_entry_tampered: {
    name: 'LauncherEntryTampered',
    short: 'A client config entry runs the MCP Warden launcher but is not the exact entry MCP Warden writes (another command, script, environment, working directory or field).',
    help: 'Code in that entry runs inside the launcher, beside the keychain secrets: find out who changed it, then re-attach the server (mcp-warden mcp attach <name> --client <client>) to write the exact entry again.',
    },
  oversized_message: {
    name: 'OversizedMessage',
    short: 'An MCP server sent one message longer than the launcher relays; it was dropped.',
    help: 'A server that floods or sends huge answers may be trying to exhaust the client: find out why before using it again.',
  },
  unsafe_launcher_environment: {
    name: 'UnsafeLauncherEnvironment',
    short: 'The launcher was started with variables or Node flags that load code (NODE_OPTIONS, LD_PRELOAD, DYLD_* and the like), and refused to start the server.',
    help: 'Remove them from the client config entry and from the environment the client runs in; if you did not add them, find out who did.',
  },
  tool_collision: {
    name: 'ToolCollision',
    short: 'Two MCP servers expose the same tool name.',
    help: 'A client may call the wrong one: rename, remove or disable one of them.',
  },
};

// The shapes written. Not the whole SARIF object model: only what toSarif produces.
export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations?: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region?: { startLine: number; startColumn?: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity; server_name: string | null; client: string | null };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: { driver: { name: string; version: string; informationUri?: string; rules: SarifRule[] } };
      columnKind: 'utf16CodeUnits';
      results: SarifResult[];
    },
  ];
}

const WINDOWS_PATH = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/**
 * A config path as a file:// URI, whichever OS wrote it: `C:\Users\me\x.json` gives
 * `file:///C:/Users/me/x.json` on any platform. A relative path stays a relative URI reference.
 */
export function fileUri(configPath: string): string {
  if (WINDOWS_PATH.test(configPath)) return pathToFileURL(configPath, { windows: true }).href;
  if (path.posix.isAbsolute(configPath)) return pathToFileURL(configPath, { windows: false }).href;
  return configPath.split(/[\\/]/).map(encodeURIComponent).join('/');
}

const positiveInt = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n) && n >= 1;

function ruleFor(type: AlertType, severities: Severity[]): SarifRule {
  const text = RULE_TEXT[type];
  const worst = severities.reduce<Severity>((a, b) => (SEVERITIES.indexOf(b) > SEVERITIES.indexOf(a) ? b : a), 'info');
  return {
    id: type,
    name: text.name,
    shortDescription: { text: text.short },
    fullDescription: { text: `${text.short} ${text.help}` },
    help: { text: text.help },
    defaultConfiguration: { level: LEVEL_OF[worst] },
    properties: { tags: ['security', 'mcp'], 'security-severity': SECURITY_SEVERITY[worst] },
  };
}

function resultFor(finding: ReportFinding, ruleIndex: number): SarifResult {
  const result: SarifResult = {
    ruleId: finding.type,
    ruleIndex,
    level: LEVEL_OF[finding.severity],
    message: { text: finding.title.trim() !== '' ? finding.title : RULE_TEXT[finding.type].short },
    partialFingerprints: { [FINGERPRINT_KEY]: finding.dedup_key },
    properties: { severity: finding.severity, server_name: finding.server_name, client: finding.client },
  };
  if (finding.config_path !== null && finding.config_path !== '') {
    const physicalLocation: NonNullable<SarifResult['locations']>[number]['physicalLocation'] = { artifactLocation: { uri: fileUri(finding.config_path) } };
    // SARIF needs a start line for a region; a column alone says nothing.
    if (positiveInt(finding.line)) {
      physicalLocation.region = positiveInt(finding.column) ? { startLine: finding.line, startColumn: finding.column } : { startLine: finding.line };
    }
    result.locations = [{ physicalLocation }];
  }
  return result;
}

/** A SARIF 2.1.0 log of the findings. */
export function toSarif(findings: readonly ReportFinding[], tool: SarifTool): SarifLog {
  const severitiesByType = new Map<AlertType, Severity[]>();
  for (const f of findings) severitiesByType.set(f.type, [...(severitiesByType.get(f.type) ?? []), f.severity]);
  const types = ALERT_TYPES.filter((t) => severitiesByType.has(t));
  const rules = types.map((t) => ruleFor(t, severitiesByType.get(t) ?? []));
  const driver: SarifLog['runs'][0]['tool']['driver'] = {
    name: tool.name,
    version: tool.version,
    ...(tool.informationUri !== undefined ? { informationUri: tool.informationUri } : {}),
    rules,
  };
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f) => resultFor(f, types.indexOf(f.type))),
      },
    ],
  };
}
