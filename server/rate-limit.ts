/**
 * Failed authentication attempts, counted per client with a token bucket: a client may fail BURST
 * times at once, then once per REFILL_MS. While its bucket is empty, a failed attempt is answered
 * `429` with `Retry-After` instead of `401`.
 *
 * A valid credential is never refused here: it is checked first and takes nothing, however many
 * attempts failed from the same address. (The bucket used to refuse even a good key while it was
 * empty, so that a guesser could not learn from a 200; that let any web page or local process lock
 * the CLI, the SDK and the UI out for as long as it kept failing.) Guessing gains nothing from that:
 * every credential (API key, login token, session) is 256 random bits.
 *
 * Clients are keyed by address, and every loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z) is
 * one client: a local process can bind to any of 127/8, which would otherwise be a fresh bucket per
 * address. An IPv6 address counts by its /64, which one host usually holds whole.
 */
import net from 'node:net';
import { isLoopback } from './binding.ts';

export const BURST = 10;
export const REFILL_MS = 1_000;
/** Buckets idle this long are full again and forgotten, so the map does not grow without bound. */
const FORGET_MS = BURST * REFILL_MS;

interface Bucket {
  tokens: number;
  at: number;
}

/** Eight groups of four hex digits: `2001:db8::1` as `2001:0db8:0000:…:0001`. */
function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::', 2) as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.padStart(4, '0'));
}

/** The bucket a socket's remote address counts against (see the module comment). */
export function clientKey(address: string | undefined): string {
  const bare = (address ?? '').toLowerCase().replace(/%.*$/, '');
  if (bare === '') return 'unknown';
  if (isLoopback(bare)) return 'loopback';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)?.[1];
  if (mapped !== undefined) return mapped;
  if (net.isIPv6(bare)) return `${expandIpv6(bare).slice(0, 4).join(':')}::/64`;
  return bare;
}

export class FailureLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #refilled(client: string): Bucket | undefined {
    const bucket = this.#buckets.get(client);
    if (bucket === undefined) return undefined;
    const now = this.#now();
    const tokens = Math.min(BURST, bucket.tokens + (now - bucket.at) / REFILL_MS);
    if (tokens >= BURST) {
      this.#buckets.delete(client);
      return undefined;
    }
    bucket.tokens = tokens;
    bucket.at = now;
    return bucket;
  }

  /**
   * Records a failed attempt of `client` (a clientKey). Answers 0 when the client still had attempts
   * left, else the seconds until it has one again (the attempt is then answered 429).
   */
  fail(client: string): number {
    const bucket = this.#refilled(client) ?? { tokens: BURST, at: this.#now() };
    const empty = bucket.tokens < 1;
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > 10_000) this.#sweep();
    return empty ? Math.max(1, Math.ceil(((1 - bucket.tokens) * REFILL_MS) / 1000)) : 0;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [client, bucket] of this.#buckets) if (now - bucket.at > FORGET_MS) this.#buckets.delete(client);
  }
}
