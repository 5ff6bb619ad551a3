/**
 * Failed authentication attempts, limited per client address with a token bucket: a client may fail
 * BURST times at once, then once per REFILL_MS. Only failures take tokens, so a client that
 * authenticates is never slowed down. While a client's bucket is empty every request from it is
 * refused with 429, even one with a good key: otherwise a guesser could keep guessing through the
 * lockout and learn from a 200 that a guess was right, and the limit would slow nothing.
 */
export const BURST = 10;
export const REFILL_MS = 1_000;
/** Buckets idle this long are full again and forgotten, so the map does not grow without bound. */
const FORGET_MS = BURST * REFILL_MS;

interface Bucket {
  tokens: number;
  at: number;
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

  /** Seconds until the client may try again, or 0 when it may try now. */
  retryAfter(client: string): number {
    const bucket = this.#refilled(client);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * REFILL_MS) / 1000));
  }

  /** Records a failed attempt. */
  fail(client: string): void {
    const bucket = this.#refilled(client) ?? { tokens: BURST, at: this.#now() };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > 10_000) this.#sweep();
  }

  #sweep(): void {
    const now = this.#now();
    for (const [client, bucket] of this.#buckets) if (now - bucket.at > FORGET_MS) this.#buckets.delete(client);
  }
}
