/**
 * Request bodies: JSON only, at most MAX_BODY_BYTES. A declared length above the limit is refused
 * before a byte is read; a body without a length (chunked) is read until it passes the limit and
 * refused there. Nothing is parsed before it is complete.
 */
import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import { MAX_BODY_BYTES } from '../core/api/rest.ts';
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
 * declared as `application/json` (400 naming the header) or not valid JSON (400 with the parser's
 * message and position).
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
    throw error;
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError('invalid_input', `The request body is not valid JSON: ${(error as Error).message.replace(/\.$/, '')}.`, { field: 'body' });
  }
}
