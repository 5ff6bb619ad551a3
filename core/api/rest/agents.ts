/** `/api/v1/agents`: registering an agent that is not a client config, setting its servers, and the AgentView answered. */
import { z } from 'zod';
import { nameProblem } from '../names.ts';
import type { ServerDefinition } from '../server.ts';
import { quoted } from './common.ts';
import { describing } from './servers.ts';

/** `POST /api/v1/agents`: an agent that is not a client config (an agent's code calling `secure()`). */
export const registerAgentRequestSchema = z.strictObject(
  {
    name: z
      .string({ error: 'The agent name must be a string.' })
      .refine((v) => nameProblem(v) === null, { error: (i) => `The agent name ${quoted(String(i.input))} is invalid: ${nameProblem(String(i.input))}.` }),
    display_name: describing.display_name,
    description: describing.description,
  },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the agent registration.` : 'The agent registration must be a JSON object.') },
);
export type RegisterAgentRequest = z.infer<typeof registerAgentRequestSchema>;

/** `PUT /api/v1/agents/:agentId/mcp-servers`: the agent's whole list, ids or names. */
export const setAgentServersRequestSchema = z.strictObject(
  { mcp_server_ids: z.array(z.string({ error: 'Each mcp_server_ids entry must be a server id or name.' }), { error: 'mcp_server_ids must be a list of server ids or names.' }) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')}: send {"mcp_server_ids": [...]}.` : 'Send {"mcp_server_ids": [...]}.') },
);

export type AgentKind = 'client' | 'registered';

export interface AgentView {
  /** `agt_...` for a client config, `agn_...` for a registered agent. */
  id: string;
  /** A registered agent's name; a client config's client id (`claude-desktop`). */
  name: string;
  display_name: string;
  description: string;
  kind: AgentKind;
  /** Client configs only: the client, its config file and that file's state. */
  client: string | null;
  config_path: string | null;
  state: 'ok' | 'missing' | 'unparseable' | null;
  servers: { id: string; name: string; status: ServerDefinition['status'] }[];
  created_at: string;
}
