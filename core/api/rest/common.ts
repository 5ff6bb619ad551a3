/**
 * What every resource of the REST API (`/api/v1`) shares: the prefix, the size and page limits, the
 * error body and how an error code becomes an HTTP status, and the pieces of the request schemas
 * (paging fields, the message of an unknown field) every resource uses.
 */
import { z } from 'zod';
import type { ErrorCode } from '../errors.ts';

export const API_PREFIX = '/api/v1';
/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

// ---------------------------------------------------------------------------------------------
// Errors

/** Every error answer: `{"error": {"code", "message", "field"?}}`. */
export type ApiErrorCode = ErrorCode | 'unauthorized' | 'forbidden' | 'payload_too_large' | 'rate_limited' | 'method_not_allowed' | 'internal';

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; field?: string };
}

/** failed: the request was understood but could not be carried out on this server (a checksum that does not match). */
export const HTTP_STATUS: Record<ApiErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};


/** A value quoted for a message, cut to 80 characters. */
export const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);


export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  /** The offset of the next page, or null on the last one. */
  next_offset: number | null;
}

/** `limit` and `offset` of a paged list. */
export const pageFields = {
  limit: z.coerce.number({ error: 'limit must be a number.' }).int({ error: 'limit must be a whole number.' }).min(1, { error: 'limit must be at least 1.' }).max(MAX_PAGE_SIZE, { error: `limit must be at most ${MAX_PAGE_SIZE}.` }).default(DEFAULT_PAGE_SIZE),
  offset: z.coerce.number({ error: 'offset must be a number.' }).int({ error: 'offset must be a whole number.' }).min(0, { error: 'offset cannot be negative.' }).default(0),
};

/** The message of a strict object that got an unknown field or no object. */
export const unknownField = (what: string, send: string) => (i: { code: string; keys?: string[] }) =>
  i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in ${what}: send ${send}.` : `Send ${send}.`;
