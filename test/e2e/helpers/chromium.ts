/**
 * Debian's Chromium for playwright-core (no browser download), and signing in to the web UI the way
 * a person does. Shared by the e2e tests and the browser benchmarks, so it imports nothing from
 * node:test.
 */
import type { Browser, BrowserContext, BrowserContextOptions, LaunchOptions } from 'playwright-core';

export const CHROMIUM = process.env.MCP_WARDEN_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Debian Chromium; as root (CI containers) Chromium's sandbox cannot start, so it is off. */
export function launchOptions(): LaunchOptions {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return { executablePath: CHROMIUM, headless: true, args: root ? ['--no-sandbox'] : [] };
}

/** Where the web UI keeps its session secret (renderer/src/transport/web-session.ts). */
export const SESSION_STORAGE_KEY = 'mcp-warden.session';

interface StorageWindow {
  location: { origin: string; hash: string };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/**
 * Opens serve's one-time login link in a fresh context, as a person does: the page trades the token
 * in the fragment for a session and keeps it in sessionStorage. Answers that session secret.
 */
export async function sessionFromLoginLink(browser: Browser, loginUrl: string): Promise<string> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const response = await page.goto(loginUrl);
    if (response === null || !response.ok()) throw new Error(`the login page answered ${response?.status()}`);
    const handle = await page.waitForFunction((key) => (globalThis as unknown as StorageWindow).sessionStorage.getItem(key), SESSION_STORAGE_KEY, { timeout: 10_000 });
    const session = (await handle.jsonValue()) as string;
    if (!/^mcpws_[A-Za-z0-9_-]{43}$/.test(session)) throw new Error(`the login link left no session in sessionStorage (${JSON.stringify(session)})`);
    return session;
  } finally {
    await context.close();
  }
}

/**
 * A new context whose pages on `origin` start signed in with `session`. sessionStorage belongs to a
 * tab, so every new page is given it before the app's scripts run (what the login page itself does).
 */
export async function signedInContext(browser: Browser, origin: string, session: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript(
    ({ origin: own, key, value }) => {
      const w = globalThis as unknown as StorageWindow;
      if (w.location.origin === own && w.sessionStorage.getItem(key) === null) w.sessionStorage.setItem(key, value);
    },
    { origin, key: SESSION_STORAGE_KEY, value: session },
  );
  return context;
}
