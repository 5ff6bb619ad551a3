/**
 * A request body holding the key `__proto__` is refused (400 naming where). JSON.parse keeps it as
 * an ordinary key, but the moment the value is copied into a plain object (zod's records, an
 * environment built for a probe) it is dropped silently, or replaces that object's prototype, and
 * the value under it was never validated. No field of the API has that name, so nothing is lost.
 */
import { ApiError } from './respond.ts';

const FORBIDDEN = '__proto__';

/** The path of the first `__proto__` key in a JSON value (`headers.__proto__`), or undefined. Iterative: a body may nest deeply. */
export function protoKeyPath(value: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      current.forEach((child, i) => stack.push({ value: child, path: `${item.path}[${i}]` }));
      continue;
    }
    if (Object.hasOwn(current, FORBIDDEN)) return item.path === '' ? FORBIDDEN : `${item.path}.${FORBIDDEN}`;
    for (const [key, child] of Object.entries(current)) stack.push({ value: child, path: item.path === '' ? key : `${item.path}.${key}` });
  }
  return undefined;
}

/** Throws the 400 for a body that holds a `__proto__` key. */
export function refuseProtoKeys(body: unknown): void {
  const path = protoKeyPath(body);
  if (path !== undefined) throw new ApiError('invalid_input', `The key "__proto__" (at ${path}) is not accepted: no field has that name, and as a name of a header or an environment variable it cannot be stored safely.`, { field: path });
}
