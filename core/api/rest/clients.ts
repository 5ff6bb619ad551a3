/** `/api/v1/clients` (every client config with its servers and findings) and `/api/v1/scan`. */
import type { Alert } from '../alert.ts';
import type { ServerView } from './servers.ts';

/** A hygiene finding in a client config (plaintext secret, unpinned package, plain http): an open alert. */
export interface ConfigFinding {
  alert_id: number;
  type: Alert['type'];
  severity: Alert['severity'];
  title: string;
  server_name: string | null;
  /** Where in the entry: `env.GITHUB_TOKEN`, `args[2]`, `url.query.key`. */
  location: string | null;
}

export interface ClientConfigView {
  agent_id: string;
  path: string;
  scope: string;
  state: 'ok' | 'missing' | 'unparseable';
  last_scan_at: string;
  /** `attached`: the entry runs the server through MCP Warden's launcher (`mcp-warden run <name>`). */
  servers: { id: string; name: string; key: string; status: ServerView['status']; present: boolean; attached: boolean }[];
  findings: ConfigFinding[];
}

export interface ClientView {
  /** Client id: `claude-desktop`, `cursor`, ... */
  client: string;
  /** Display name: `Claude Desktop`. */
  name: string;
  configs: ClientConfigView[];
}

export interface ScanResponse {
  configs: number;
  opened: number;
  resolved: number;
}
