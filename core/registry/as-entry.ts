import type { DiscoveredServer } from '../api/discovery.ts';
import type { ServerDefinition } from '../api/server.ts';

/**
 * A stored definition in the shape of a config entry: what the hygiene rules read, and what the
 * scan records as the observed entry of an attached server (whose real entry only runs the launcher).
 */
export function definitionAsEntry(server: ServerDefinition, target: { key: string; pointer: string } = { key: server.name, pointer: '' }): DiscoveredServer {
  return {
    key: target.key,
    pointer: target.pointer,
    transport: server.transport,
    command: server.command,
    args: server.args,
    cwd: server.cwd,
    url: server.url,
    headers: server.headers,
    env: Object.fromEntries(server.env_template.map((e) => [e.key, e.value])),
    disabled: false,
  };
}
