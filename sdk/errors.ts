/**
 * What the SDK throws. Every error carries a message written for the person reading the agent's
 * logs; API errors also carry the API's own status, code and field, so code can branch on them.
 */
import type { ApiErrorCode } from '../core/api/rest.ts';

/** Base class: `catch (e) { if (e instanceof WardenSdkError) ... }` catches everything the SDK throws. */
export class WardenSdkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WardenSdkError';
  }
}

/** The API answered with an error: `{"error": {"code", "message", "field"?}}`. */
export class WardenApiError extends WardenSdkError {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly field: string | undefined;

  constructor(status: number, code: ApiErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'WardenApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** MCP Warden could not be reached (not running, wrong URL) or answered something that is not its API. */
export class WardenConnectionError extends WardenSdkError {
  readonly url: string;

  constructor(url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WardenConnectionError';
    this.url = url;
  }
}

/** The SDK was not told where the API is or which key to use. */
export class WardenConfigError extends WardenSdkError {
  constructor(message: string) {
    super(message);
    this.name = 'WardenConfigError';
  }
}
