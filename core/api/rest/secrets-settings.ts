/** `/api/v1/secrets`, `/api/v1/settings` and `/api/v1/api-keys`: what the UI's settings screen and secret picker send and get. */
import { z } from 'zod';
import { quoted, unknownField } from './common.ts';

/**
 * `POST /api/v1/secrets`: the value goes to the OS keychain and is never answered, logged or audited.
 * No message here quotes the value (core/secrets checks emptiness and size, naming only the secret).
 */
export const addSecretRequestSchema = z.strictObject(
  {
    name: z.string({ error: 'The secret name must be a string.' }),
    value: z.string({ error: 'The secret value must be a string.' }),
    description: z.string({ error: 'The description must be a string.' }).optional(),
  },
  { error: unknownField('the secret', '{"name", "value", "description"?}') },
);
export type AddSecretRequest = z.infer<typeof addSecretRequestSchema>;

/** `DELETE /api/v1/secrets/:name?force=true`: force removes a secret servers still name. */
export const removeSecretQuerySchema = z.strictObject(
  { force: z.enum(['true', 'false'], { error: 'force must be true or false, given once.' }).optional() },
  { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown query parameter ${quoted(i.keys?.[0] ?? '')}.` : 'The query is invalid.') },
);

/** `PUT /api/v1/settings/:key`. */
export const setSettingRequestSchema = z.strictObject(
  { value: z.string({ error: 'The setting value must be a string.' }) },
  { error: unknownField('the setting', '{"value": "..."}') },
);

/** `POST /api/v1/api-keys`. */
export const createApiKeyRequestSchema = z.strictObject(
  { name: z.string({ error: 'The API key name must be a string.' }) },
  { error: unknownField('the API key request', '{"name": "..."}') },
);

// ---------------------------------------------------------------------------------------------
// API keys

export interface ApiKeyInfo {
  name: string;
  /** The first characters of the key, enough to tell keys apart; the key itself is never stored. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Shown once, at creation. */
export interface CreatedApiKey {
  name: string;
  key: string;
}

export interface SettingsResponse {
  /** Every setting's current value. */
  values: Record<string, string>;
  /** The values each setting accepts, in the order to offer them. */
  choices: Record<string, string[]>;
}
