/**
 * Browser sessions for the web UI. `serve` prints a one-time login link whose token sits in the URL
 * fragment (`/login#token=…`), which a browser never sends to any server; the page trades it
 * (`POST /login`, same origin) for a session secret that it keeps in its own memory and
 * sessionStorage and sends as `Authorization: Bearer mcpws_…`. No cookie: cookies are not isolated
 * by port, so any other web server on 127.0.0.1 would receive one, and a process that learned it
 * could replay it. Tokens and sessions live in this process's memory only: restarting `serve` logs
 * every browser out and prints a new link. Both are compared by their SHA-256, so a lookup takes the
 * same path whatever the presented value shares with a real one.
 */
import { createHash, randomBytes } from 'node:crypto';

/** What a session secret starts with, beside an API key's `mcpw_`: one header carries either. */
export const SESSION_PREFIX = 'mcpws_';
/** The cookie earlier versions set: cleared wherever it still arrives, and never read. */
export const LEGACY_SESSION_COOKIE = 'mcp_warden_session';
export const LOGIN_TOKEN_TTL_MS = 10 * 60_000;
/** A session ends after a day without use. */
export const SESSION_IDLE_MS = 24 * 60 * 60_000;

const digest = (value: string): string => createHash('sha256').update(value).digest('hex');
const random = (): string => randomBytes(32).toString('base64url');

export const isSessionSecret = (credential: string): boolean => credential.startsWith(SESSION_PREFIX);

export class Sessions {
  /** Token digest -> expiry. */
  readonly #tokens = new Map<string, number>();
  /** Session digest -> last use. */
  readonly #sessions = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A new one-time login token, valid for LOGIN_TOKEN_TTL_MS. */
  issueLoginToken(): string {
    const token = random();
    this.#tokens.set(digest(token), this.#now() + LOGIN_TOKEN_TTL_MS);
    return token;
  }

  /** Trades a login token for a new session secret; undefined when the token is unknown, used or expired. */
  redeem(token: string): string | undefined {
    const key = digest(token);
    const expires = this.#tokens.get(key);
    this.#tokens.delete(key);
    if (expires === undefined || expires < this.#now()) return undefined;
    const session = `${SESSION_PREFIX}${random()}`;
    this.#sessions.set(digest(session), this.#now());
    return session;
  }

  /** True when `session` is live; touching it keeps it alive. */
  check(session: string): boolean {
    const key = digest(session);
    const last = this.#sessions.get(key);
    if (last === undefined) return false;
    const now = this.#now();
    if (now - last > SESSION_IDLE_MS) {
      this.#sessions.delete(key);
      return false;
    }
    this.#sessions.set(key, now);
    return true;
  }
}
