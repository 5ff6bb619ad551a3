/**
 * `mcp-warden/sdk`: register an agent and its MCP servers with the local MCP Warden from the agent's
 * own start-up code.
 *
 *   import { secure } from 'mcp-warden/sdk';
 *   const agent = await secure('my-agent');            // MCP_WARDEN_URL, MCP_WARDEN_API_KEY
 *   const server = await agent.registerMcp({ serverName: 'github', serverUrl: 'stdio://github', capabilities: ['create_issue'] });
 *   await agent.linkMcp(server.id);
 *   const { score } = await agent.trust(server.id);
 */
import type { AgentView, AttestResponse, ServerView } from '../core/api/rest.ts';
import type { TrustScore } from '../core/trust/score.ts';
import { WardenClient, type AttestInput, type ClientOptions, type RegisterMcpInput } from './client.ts';
import { WardenApiError } from './errors.ts';

export { WardenClient, apiRoot, DEFAULT_URL, type AttestInput, type ClientOptions, type RegisterMcpInput } from './client.ts';
export { WardenApiError, WardenConfigError, WardenConnectionError, WardenSdkError } from './errors.ts';
export type { AgentView, AttestResponse, Page, ServerView, TrustResponse } from '../core/api/rest.ts';
export type { TrustScore } from '../core/trust/score.ts';

export interface SecureOptions extends ClientOptions {
  displayName?: string;
  description?: string;
  /**
   * Link the servers MCP Warden found in this machine's Claude Desktop config to the agent
   * (default true). Another client's id (`cursor`, `claude-code`) detects that client's instead.
   */
  detect?: boolean | string;
}

export interface SecuredAgent {
  readonly id: string;
  readonly name: string;
  /** The servers linked from the client config at `secure()` (empty when detection is off or found none). */
  readonly detected: readonly { id: string; name: string }[];
  readonly client: WardenClient;
  /**
   * Registers a server and answers it with its `id`. Start-up code runs on every start, so when a
   * server of that name already exists at the same `serverUrl`, that one is answered instead of an error.
   */
  registerMcp(input: RegisterMcpInput): Promise<ServerView>;
  linkMcp(server: string): Promise<AgentView>;
  unlinkMcp(server: string): Promise<AgentView>;
  attest(server: string, input?: AttestInput): Promise<AttestResponse>;
  /** The server's current trust score with the factors that explain it. */
  trust(server: string): Promise<TrustScore>;
  /** The agent as stored now, with its linked servers. */
  refresh(): Promise<AgentView>;
}

const isApiError = (error: unknown, status: number): error is WardenApiError => error instanceof WardenApiError && error.status === status;

/** Registers the agent (or finds it when it exists), links the local client's servers, and returns it. */
export async function secure(name: string, options: SecureOptions = {}): Promise<SecuredAgent> {
  const client = new WardenClient(options);
  let agent: AgentView;
  try {
    agent = await client.registerAgent({ name, displayName: options.displayName, description: options.description });
  } catch (error) {
    if (!isApiError(error, 409)) throw error;
    agent = await client.getAgent(name);
  }

  const detected: { id: string; name: string }[] = [];
  const from = options.detect === false ? null : typeof options.detect === 'string' ? options.detect : 'claude-desktop';
  if (from !== null) {
    let source: AgentView | null = null;
    try {
      source = await client.getAgent(from);
    } catch (error) {
      // No config of that client on this machine: nothing to detect.
      if (!isApiError(error, 404)) throw error;
    }
    const linked = new Set(agent.servers.map((s) => s.id));
    for (const server of source?.servers ?? []) {
      if (!linked.has(server.id)) agent = await client.linkServer(agent.id, server.id);
      detected.push({ id: server.id, name: server.name });
    }
  }

  const { id } = agent;
  return {
    id,
    name: agent.name,
    detected,
    client,
    async registerMcp(input) {
      try {
        return await client.registerServer(input);
      } catch (error) {
        if (!isApiError(error, 409) || error.field !== 'name') throw error;
        const existing = await client.getServer(input.serverName);
        if (existing.server_url !== input.serverUrl) throw error;
        return existing;
      }
    },
    linkMcp: (server) => client.linkServer(id, server),
    unlinkMcp: (server) => client.unlinkServer(id, server),
    attest: (server, input) => client.attest(server, input),
    trust: async (server) => (await client.trust(server)).trust,
    refresh: () => client.getAgent(id),
  };
}
