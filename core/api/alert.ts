/** Alerts: the contract shared by the engine, CLI, REST API and UI. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const ALERT_TYPES = [
  'servers_to_review', // first scan of a config: its servers were registered as discovered
  'unapproved_server', // a server appeared in a config after the baseline and is not approved
  'unregistered_server', // policy "alert only": a server appeared and was not registered
  'launch_changed', // command, args, URL, cwd or headers differ from the approved definition
  'env_changed', // env key names differ
  'server_removed', // a linked server is no longer in the config
  'executable_changed', // the resolved executable's SHA-256 differs from the recorded one
  'plaintext_secret', // a secret-looking value in env, args, headers or the URL query
  'unpinned_package', // npx/uvx launch without a pinned version
  'insecure_http', // plain http:// to a host that is not loopback
  'config_parse_error', // the config cannot be parsed
  'config_missing', // a config file that existed was deleted
  'config_unreadable', // a device, FIFO, link loop or oversized file sits at a config path
  'definition_changed', // a probe found tools, prompts, resources or instructions that differ from the pin
  'poisoned_definition', // the content scan found instructions aimed at the model, hidden text, exfiltration
  'undeclared_capability', // the server exposes a tool the user did not declare
  'missing_capability', // a declared tool is not exposed
  'tool_collision', // two servers expose the same tool name
  'attestation_failed', // re-measuring a server no longer matches its signed attestation
  'undeclared_tool_used', // the launcher saw the client call a tool that is neither pinned nor declared
  'launcher_entry_tampered', // an entry runs the launcher but is not the exact entry this installation writes
  'oversized_message', // the launcher dropped a line from a server that was over its line limit
  'unsafe_launcher_environment', // the launcher was started with code-loading variables or Node flags, and refused
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  id: number;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  title: string;
  /** Structured details: the before/after diff, the finding, the file and position. Never a secret value. */
  details: Record<string, unknown>;
  dedup_key: string;
  server_id: string | null;
  server_name: string | null;
  client: string | null;
  config_path: string | null;
  created_at: string;
  updated_at: string;
  resolved_reason: string | null;
}

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);
