/**
 * Typed errors whose message is one sentence written for the user. Every interface (CLI, REST, IPC)
 * maps `code` to its own status: the CLI to an exit code, the REST API to an HTTP status.
 */
export type ErrorCode =
  | 'invalid_input' // the input itself is malformed: a usage error
  | 'not_found' // it names something that does not exist
  | 'conflict' // it clashes with what is stored
  | 'unavailable' // a system the operation needs (the OS keychain) is not there
  | 'failed'; // anything else that went wrong while carrying it out

export class WardenError extends Error {
  readonly code: ErrorCode;
  /** The input field at fault, when there is one (`name`, `command`, `env_template[0].key`). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'WardenError';
    this.code = code;
    this.field = field;
  }
}

export const invalidInput = (field: string, message: string): WardenError =>
  new WardenError('invalid_input', message, field);

export const notFound = (message: string, field?: string): WardenError =>
  new WardenError('not_found', message, field);

export const conflict = (message: string, field?: string): WardenError =>
  new WardenError('conflict', message, field);

export const unavailable = (message: string): WardenError => new WardenError('unavailable', message);

/** CLI exit codes: 2 for a usage error, 1 for an operation that failed. */
export function exitCodeFor(error: WardenError): 1 | 2 {
  return error.code === 'invalid_input' ? 2 : 1;
}
