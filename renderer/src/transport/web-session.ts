/**
 * The web UI's session with `mcp-warden serve`. The login link carries a one-time token in its
 * fragment (`/login#token=…`), which the browser never sends to a server; this page trades it
 * (`POST /login`, same origin) for a session secret and sends that as `Authorization: Bearer` on
 * every call. No cookie: cookies are shared by every port of 127.0.0.1, so any other local web
 * server would receive one.
 *
 * The secret is kept in this page's memory and in sessionStorage, so a reload keeps the session.
 * sessionStorage belongs to this origin (scheme, host and port) and this tab: no other port's page
 * can read it, and another tab signs in with a login link of its own.
 */
const STORAGE_KEY = 'mcp-warden.session';
const TOKEN_IN_FRAGMENT = /^#token=([A-Za-z0-9_-]{20,200})$/;

export interface WebSession {
  /** The session secret, once the login token (if any) is traded; null when not signed in. */
  credential(): Promise<string | null>;
  /** Why the login link did not sign in (it was used, expired or unknown); null when it did or there was none. */
  loginProblem(): string | null;
  /** Drops a secret the server no longer accepts. */
  forget(): void;
}

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the session lasts as long as the page
  }
}

function store(secret: string | null): void {
  try {
    if (secret === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, secret);
  } catch {
    // storage disabled: memory only
  }
}

/** Reads (and removes from the address bar) a login token, and trades it; call before the router reads the hash. */
export function openWebSession(): WebSession {
  let secret = stored();
  let problem: string | null = null;
  const token = TOKEN_IN_FRAGMENT.exec(window.location.hash)?.[1];
  let ready: Promise<void> = Promise.resolve();
  if (token !== undefined) {
    // Out of the address bar and the history at once, before anything can copy it.
    window.history.replaceState(null, '', '/#/');
    ready = trade(token).then(
      (answer) => {
        if ('session' in answer) {
          secret = answer.session;
          store(secret);
        } else problem = answer.problem;
      },
      () => {
        problem = 'MCP Warden did not answer the login: is `mcp-warden serve` still running?';
      },
    );
  }
  return {
    async credential() {
      await ready;
      return secret;
    },
    loginProblem: () => problem,
    forget() {
      secret = null;
      store(null);
    },
  };
}

async function trade(token: string): Promise<{ session: string } | { problem: string }> {
  const response = await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ token }), cache: 'no-store' });
  const body = (await response.json().catch(() => undefined)) as { session?: unknown; error?: { message?: unknown } } | undefined;
  if (response.ok && typeof body?.session === 'string') return { session: body.session };
  return { problem: typeof body?.error?.message === 'string' ? body.error.message : `The login failed (HTTP ${response.status}).` };
}
