/**
 * How every answer leaves the server: exact content types, the security headers every response
 * carries, and the one error shape `{"error": {"code", "message", "field"?}}`.
 */
import type { ServerResponse } from 'node:http';
import { HTTP_STATUS, type ApiErrorBody, type ApiErrorCode } from '../core/api/rest.ts';
import { WardenError } from '../core/api/errors.ts';
import { CONTENT_SECURITY_POLICY } from '../electron/shared/csp.ts';

/** An error raised by the HTTP layer itself (auth, Host, size), beside the engine's WardenError. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ApiErrorCode, message: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = options.field;
    this.headers = options.headers;
  }
}

/** On every response: no MIME sniffing, no referrer leaving the page, no framing. */
const BASE = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

const JSON_HEADERS = { ...BASE, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' } as const;

/**
 * The renderer's own policy (electron/shared/csp.ts, the same string its index.html carries), so the
 * web UI runs under exactly the policy the desktop app does.
 */
export const HTML_HEADERS = { ...BASE, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY } as const;

export const baseHeaders = (): Record<string, string> => ({ ...BASE });

/** Writes a JSON answer; `body` may be bytes already serialised (the list cache). */
export function sendJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, extra === undefined ? { ...JSON_HEADERS, 'Content-Length': String(bytes.length) } : { ...JSON_HEADERS, ...extra, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

export function sendHtml(res: ServerResponse, status: number, html: string, extra?: Record<string, string>): void {
  const bytes = Buffer.from(html);
  res.writeHead(status, { ...HTML_HEADERS, 'Cache-Control': 'no-store', ...extra, 'Content-Length': String(bytes.length) });
  res.end(bytes);
}

export function errorBody(code: ApiErrorCode, message: string, field?: string): ApiErrorBody {
  return { error: field === undefined || field === '' ? { code, message } : { code, message, field } };
}

/** An error as it is answered: its status, the error body, and headers the HTTP layer adds (Allow, Retry-After). */
export interface ErrorAnswer {
  status: number;
  body: ApiErrorBody;
  headers?: Record<string, string>;
}

/**
 * Any thrown value as an error answer, the same over HTTP and in-process. Engine and HTTP errors
 * carry a sentence meant for the user; anything else is a bug: its stack goes to stderr (never the
 * request body, which may hold a secret) and the caller gets a generic sentence.
 */
export function errorAnswer(error: unknown, where = 'the request'): ErrorAnswer {
  if (error instanceof ApiError) return { status: HTTP_STATUS[error.code], body: errorBody(error.code, error.message, error.field), ...(error.headers ? { headers: error.headers } : {}) };
  if (error instanceof WardenError) return { status: HTTP_STATUS[error.code], body: errorBody(error.code, error.message, error.field) };
  process.stderr.write(`mcp-warden: internal error while handling ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return { status: 500, body: errorBody('internal', 'The server failed to handle this request; the details are in the serve log.') };
}

/** Writes errorAnswer's answer, or drops the connection when the response has already begun. */
export function sendError(res: ServerResponse, error: unknown, where = 'the request'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const answer = errorAnswer(error, where);
  sendJson(res, answer.status, answer.body, answer.headers);
}
