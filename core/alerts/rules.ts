/**
 * Alert types as data: severity, title and what "cleared" means for each, in one table rather than
 * scattered conditionals. Titles take the server and client names so a notification reads alone.
 */
import type { AlertType, Severity } from '../api/alert.ts';

export interface TitleContext {
  server: string;
  client: string;
  file: string;
  count: number;
  detail: string;
}

interface AlertRule {
  severity: Severity;
  title: (c: TitleContext) => string;
  /** Why an open alert of this type was resolved when its condition disappeared. */
  cleared: string;
}

export const ALERT_RULES: Record<AlertType, AlertRule> = {
  servers_to_review: {
    severity: 'info',
    title: (c) => `${c.count} MCP server${c.count === 1 ? '' : 's'} found in ${c.client} (${c.file}): review and approve ${c.count === 1 ? 'it' : 'them'}`,
    cleared: 'every server found on the first scan was approved or left the config',
  },
  unapproved_server: { severity: 'high', title: (c) => `New MCP server "${c.server}" appeared in ${c.client} and is not approved`, cleared: 'the server was approved or left the config' },
  unregistered_server: { severity: 'high', title: (c) => `Unregistered MCP server "${c.server}" appeared in ${c.client}`, cleared: 'the server was registered or left the config' },
  launch_changed: { severity: 'high', title: (c) => `"${c.server}" in ${c.client} now launches differently: ${c.detail} changed`, cleared: 'the entry matches the approved definition again' },
  env_changed: { severity: 'medium', title: (c) => `"${c.server}" in ${c.client} has different environment variables: ${c.detail}`, cleared: 'the environment variable names match the approved definition again' },
  server_removed: { severity: 'low', title: (c) => `"${c.server}" was removed from ${c.client}`, cleared: 'the server is back in the config' },
  executable_changed: { severity: 'high', title: (c) => `The executable of "${c.server}" was replaced: ${c.detail}`, cleared: 'the executable matches the recorded hash again' },
  plaintext_secret: { severity: 'high', title: (c) => `Plaintext secret in ${c.client} config for "${c.server}": ${c.detail}`, cleared: 'the secret is no longer in the config' },
  unpinned_package: { severity: 'medium', title: (c) => `"${c.server}" in ${c.client} runs an unpinned package: ${c.detail}`, cleared: 'the package version is pinned now' },
  insecure_http: { severity: 'high', title: (c) => `"${c.server}" in ${c.client} talks plain http:// to a remote host: ${c.detail}`, cleared: 'the URL is https or loopback now' },
  config_parse_error: { severity: 'medium', title: (c) => `${c.client} config ${c.file} cannot be parsed: ${c.detail}`, cleared: 'the file parses again' },
  config_unreadable: { severity: 'medium', title: (c) => `${c.client} config ${c.file} cannot be read: ${c.detail}`, cleared: 'the file is a readable config again (or is gone)' },
  config_missing: { severity: 'low', title: (c) => `${c.client} config ${c.file} was deleted`, cleared: 'the file exists again' },
  definition_changed: { severity: 'medium', title: (c) => `The definitions of "${c.server}" changed since they were pinned: ${c.detail}`, cleared: 'the definitions match the pin again, or the new ones were approved' },
  poisoned_definition: { severity: 'high', title: (c) => `"${c.server}" has a suspicious definition: ${c.detail}`, cleared: 'the definition no longer holds it, or the rule was allowed for this server' },
  undeclared_capability: { severity: 'medium', title: (c) => `"${c.server}" exposes a tool that was not declared: ${c.detail}`, cleared: 'the tool was declared or is gone' },
  missing_capability: { severity: 'low', title: (c) => `"${c.server}" does not expose a declared tool: ${c.detail}`, cleared: 'the tool is exposed again, or no longer declared' },
  attestation_failed: { severity: 'high', title: (c) => `The attestation of "${c.server}" no longer holds: ${c.detail}`, cleared: 'the server measures as attested again, or was attested anew' },
  undeclared_tool_used: { severity: 'high', title: (c) => `A client called "${c.detail}" on "${c.server}", a tool it neither pinned nor declared`, cleared: 'the tool is declared or pinned (approve the server, or add it to its capabilities)' },
  launcher_entry_tampered: {
    severity: 'high',
    title: (c) => `The launcher entry of "${c.server}" in ${c.client} differs from the one MCP Warden writes: ${c.detail}`,
    cleared: 'the entry is exactly the launcher entry MCP Warden writes again (re-attached), or no longer runs the launcher',
  },
  oversized_message: { severity: 'medium', title: (c) => `"${c.server}" sent a message over the launcher's limit (${c.detail}): it was dropped`, cleared: 'acknowledged by the user: the launcher only opens this alert' },
  unsafe_launcher_environment: { severity: 'high', title: (c) => `The launcher of "${c.server}" was started with code-loading settings (${c.detail}) and refused to run`, cleared: 'acknowledged by the user: the launcher only opens this alert' },
  tool_collision: { severity: 'medium', title: (c) => `Two servers expose the same tool name: ${c.detail}`, cleared: 'only one server exposes that tool name now' },
};
