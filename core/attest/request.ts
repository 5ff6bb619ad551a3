/**
 * `POST /api/v1/mcp-servers/:id/attest` in the shape publishers send: `public_key` (`ed25519:<base64>`),
 * `attestation_data` (the object they signed, holding `checksum`, as sent), and optionally
 * `signature` (base64 Ed25519 over its RFC 8785 canonical JSON). Errors name the request's fields;
 * a checksum that does not match what runs, or a signature that does not verify, is a `failed` error
 * (the REST API answers 422) and records nothing.
 */
import { invalidInput, WardenError } from '../api/errors.ts';
import { attestRequestSchema } from '../api/rest.ts';
import { toWardenError } from '../api/server-schema.ts';
import type { ServerDefinition } from '../api/server.ts';
import type { Keychain } from '../secrets/keychain.ts';
import type { Store } from '../store/database.ts';
import { attestServer, type AttestResult } from './attest.ts';

/** attestServer's option names, as the request calls them. */
const REQUEST_FIELDS: Record<string, string> = {
  publisher_key: 'public_key',
  checksum: 'attestation_data.checksum',
  publisher_signature: 'signature',
};

export function attestFromRequest(store: Store, keychain: Keychain, server: ServerDefinition, body: unknown): AttestResult {
  const parsed = attestRequestSchema.safeParse(body ?? {});
  if (!parsed.success) throw toWardenError(parsed.error);
  const req = parsed.data;
  if (req.signature !== undefined && req.attestation_data === undefined) {
    throw invalidInput('attestation_data', 'A signature covers attestation_data: send the attestation_data the publisher signed with it.');
  }
  if (req.signature !== undefined && req.attestation_data?.checksum === undefined) {
    throw invalidInput('attestation_data.checksum', 'The signed attestation_data must hold the checksum the publisher signed (attestation_data.checksum).');
  }
  try {
    return attestServer(store, keychain, server, {
      publisherKey: req.public_key,
      checksum: req.attestation_data?.checksum,
      publisherSignature: req.signature,
      // Only a signature needs the signed object; without one, attestation_data only carries the checksum.
      attestationData: req.signature === undefined ? undefined : req.attestation_data,
    });
  } catch (error) {
    const field = error instanceof WardenError && error.field !== undefined ? REQUEST_FIELDS[error.field] : undefined;
    if (field === undefined) throw error;
    throw new WardenError((error as WardenError).code, (error as WardenError).message, field);
  }
}
