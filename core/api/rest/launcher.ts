/**
 * The launcher's endpoints under `/api/v1/mcp-servers/:id`: attach, detach, policies and tool calls
 * (the shapes answered are in ../launcher.ts).
 */
import { z } from 'zod';
import type { ToolCallDetails } from '../launcher.ts';
import { quoted, unknownField } from './common.ts';

const clientField = z.string({ error: 'client must be a client id such as claude-desktop.' }).min(1, { error: 'client must be a client id such as claude-desktop.' });
const configPathField = z.string({ error: 'config_path must be the path of a client config file.' }).min(1, { error: 'config_path cannot be empty.' }).optional();

/** `POST /api/v1/mcp-servers/:id/attach`: write the server into that client's config as an entry that runs the launcher. */
export const attachRequestSchema = z.strictObject(
  { client: clientField, config_path: configPathField },
  { error: unknownField('the attach request', '{"client", "config_path"?}') },
);
export type AttachRequest = z.infer<typeof attachRequestSchema>;

/** `POST /api/v1/mcp-servers/:id/detach`: restore a plain entry, or remove it with `remove: true`. */
export const detachRequestSchema = z.strictObject(
  { client: clientField, config_path: configPathField, remove: z.boolean({ error: 'remove must be true or false.' }).optional() },
  { error: unknownField('the detach request', '{"client", "config_path"?, "remove"?}') },
);
export type DetachRequest = z.infer<typeof detachRequestSchema>;

const policyField = (name: string) =>
  z.enum(['warn', 'block'], { error: `${name} must be "warn", "block" or null (follow the global setting).` }).nullable().optional();

/** `PUT /api/v1/mcp-servers/:id/policy`: a field left out stays as it is; null follows the global setting again. */
export const setPolicyRequestSchema = z.strictObject(
  { attestation: policyField('attestation'), undeclared: policyField('undeclared') },
  { error: unknownField('the policy', '{"attestation"?: "warn"|"block"|null, "undeclared"?: "warn"|"block"|null}') },
);
export type SetPolicyRequest = z.infer<typeof setPolicyRequestSchema>;

/** `GET /api/v1/mcp-servers/:id/tool-calls?limit=`: the newest `tool.called` events first. */
export const toolCallsQuerySchema = z.strictObject(
  { limit: z.coerce.number({ error: 'limit must be a number.' }).int({ error: 'limit must be a whole number.' }).min(1, { error: 'limit must be at least 1.' }).max(200, { error: 'limit must be at most 200.' }).default(20) },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

/** One `tool.called` audit event as the server detail lists it. */
export interface ToolCallView extends ToolCallDetails {
  seq: number;
  at: string;
}
