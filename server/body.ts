/**
 * Request bodies: JSON only, at most MAX_BODY_BYTES. A declared length above the limit is refused
 * before a byte is read; a body without a length (chunked) is read until it passes the limit and
 * refused there. Nothing is parsed before it is complete.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseLenient, type ParseError } from 'jsonc-parser';
import getRawBody from 'raw-body';
import { MAX_BODY_BYTES } from '../core/api/rest.ts';
import { lineAndColumn } from '../core/discovery/read-json.ts';
import { refuseProtoKeys } from './proto-keys.ts';
import { ApiError } from './respond.ts';

const tooLarge = () => new ApiError('payload_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB.`, { field: 'body' });

/** True when the request carries a body (a non-zero length, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * The parsed JSON body, or undefined when there is none. Refuses a body that is too large (413), not
 * declared as `application/json` (400 naming the header), not valid JSON (400 with the position of
 * the error only: never a piece of the body, which may hold a secret) or holding a `__proto__` key
 * (400 naming where, proto-keys.ts).
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (!hasBody(req)) return undefined;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) throw tooLarge();
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError('invalid_input', `Send the body as JSON with the header Content-Type: application/json${type ? ` (not ${JSON.stringify(type.slice(0, 60))})` : ''}.`, { field: 'Content-Type' });
  }
  let text: string;
  try {
    text = await getRawBody(req, { length: declared, limit: MAX_BODY_BYTES, encoding: 'utf8' });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw tooLarge();
    if (type === 'request.size.invalid') throw new ApiError('invalid_input', 'The request body is shorter or longer than its Content-Length says.', { field: 'Content-Length' });
    // The client went away mid-upload: nobody is left to answer, and it is no fault of ours to log.
    if (type === 'request.aborted' || req.socket.destroyed) throw new ApiError('invalid_input', 'The client closed the connection before the request body was complete.', { field: 'body' });
    throw error;
  }
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    const at = syntaxErrorOffset(text, error as Error);
    const { line, column } = lineAndColumn(text, at);
    // Position only: V8's own message can quote the body ("Unexpected token 's', \"sk-live…\" is not valid JSON"), secret included.
    throw new ApiError('invalid_input', `The request body is not valid JSON: the first error is at position ${at} (line ${line} column ${column}).`, { field: 'body' });
  }
  refuseProtoKeys(body);
  return body;
}

/** Where JSON.parse failed: its own position when it gives one, else the first error a strict jsonc-parser pass finds. */
function syntaxErrorOffset(text: string, error: Error): number {
  const given = /at position (\d+)/.exec(error.message)?.[1];
  if (given !== undefined) return Number(given);
  const errors: ParseError[] = [];
  parseLenient(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  return errors[0]?.offset ?? text.length;
}
