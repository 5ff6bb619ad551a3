/** Assertions on answers of a real serve (helpers/serve.ts): the success headers, and the one error shape. */
import assert from 'node:assert/strict';
import type { ApiResponse } from './serve.ts';

type ApiError = { error: { code: string; message: string; field?: string } };

/** Asserts an error answer: status, code, field (when given), one sentence, and (optionally) its words. */
export function refused(r: ApiResponse, status: number, code: string, field?: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  const { error } = r.json as ApiError;
  assert.equal(error.code, code, r.text);
  if (field !== undefined) assert.equal(error.field, field, r.text);
  assert.ok(error.message.length > 10 && error.message.endsWith('.'), `one sentence: ${error.message}`);
  if (message !== undefined) assert.match(error.message, message);
}

/** Asserts a success answer with the JSON API's headers; its parsed body. */
export async function expectOk<T>(promise: Promise<ApiResponse<T>>, status = 200): Promise<T> {
  const r = await promise;
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  return r.json;
}
