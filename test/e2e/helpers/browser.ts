/**
 * The web UI in a real browser: Debian's Chromium (`/usr/bin/chromium`) driven by playwright-core,
 * against a real `mcp-warden serve`. No browser download: the tests use the system's Chromium.
 *
 *   const browser = sharedBrowser();                 // one Chromium per test file, closed after it
 *   const ui = await signIn(served);                 // the login link once per serve, session reused
 *   const page = await openPage(t, ui);              // a new context per test; fails the test on any
 *                                                    // console error, page error or CSP violation
 *   await goto(page, ui, '#/alerts');
 *   await assertAccessible(page, 'Alerts');          // axe-core: no serious or critical violations
 *   await screenshot(page, 'alerts-light');          // test-results/screenshots/alerts-light.png
 */
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, type TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../helpers/cli.ts';
import { launchOptions, sessionFromLoginLink, signedInContext } from './chromium.ts';

export { CHROMIUM, launchOptions, SESSION_STORAGE_KEY, sessionFromLoginLink, signedInContext } from './chromium.ts';

export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

let launched: Promise<Browser> | undefined;

/**
 * One Chromium for the whole test file, closed when the file ends. Call it once at the top level of
 * the file (so its `after` hook belongs to the file), then anywhere.
 */
export function sharedBrowser(): Promise<Browser> {
  if (launched === undefined) {
    const browser = chromium.launch(launchOptions());
    browser.catch(() => {}); // reported by whichever test awaits it
    launched = browser;
    after(async () => {
      await (await browser.catch(() => undefined))?.close();
    });
  }
  return launched;
}

/**
 * A stand-in TestContext for what a whole file shares (one serve per file): its `after` callbacks
 * run, last first, when the file's tests are done. Call at the top level of the file.
 */
export function fileScope(): TestContext {
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return { after: (fn: () => unknown) => void cleanups.push(fn) } as unknown as TestContext;
}

export interface SignedIn {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The session secret the login page got for the link's token, for every new context. */
  session: string;
}

/** Opens serve's one-time login link in Chromium (the page trades its token for a session), kept for every context of the file. */
export async function signIn(served: { url: string; loginUrl: string }): Promise<SignedIn> {
  const browser = await sharedBrowser();
  return { url: served.url, session: await sessionFromLoginLink(browser, served.loginUrl) };
}

export interface PageProblems {
  /** Console errors, uncaught page errors and CSP violations, in order. */
  problems: string[];
}

/** The bits of the page's globals the tests read inside page.evaluate (test/ has no DOM lib). */
export interface PageWindow {
  __marker?: number;
  __longTasks?: number[];
  location: { href: string; hash: string };
  document: { addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void };
  console: { error(...data: unknown[]): void };
}

/**
 * A page in a new context (light or dark), signed in. Any console error, uncaught exception or CSP
 * violation fails the test when it ends (and `problems` shows them meanwhile).
 */
export async function openPage(t: TestContext, ui: SignedIn, options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<Page & PageProblems> {
  const browser = await sharedBrowser();
  const context = await signedInContext(browser, ui.url, ui.session, { colorScheme: options.colorScheme ?? 'light', viewport: options.viewport ?? { width: 1280, height: 800 }, acceptDownloads: true });
  const page = (await context.newPage()) as Page & PageProblems;
  const problems: string[] = [];
  page.problems = problems;
  // securitypolicyviolation fires in the page; report it through the console, which is watched below.
  await context.addInitScript(() => {
    const w = globalThis as unknown as PageWindow;
    w.document.addEventListener('securitypolicyviolation', (e) => w.console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`));
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  t.after(async () => {
    await context.close();
    if (problems.length > 0) throw new Error(`The page reported errors:\n${problems.join('\n')}`);
  });
  return page;
}

/** Opens a route of the UI (`#/alerts`) and waits for its h1. */
export async function goto(page: Page, ui: SignedIn, hash: string, heading?: string | RegExp): Promise<void> {
  await page.goto(`${ui.url}/${hash}`);
  const h1 = page.getByRole('heading', { level: 1, ...(heading === undefined ? {} : { name: heading }) });
  await h1.first().waitFor({ state: 'visible', timeout: 10_000 });
}

/** Waits until nothing shows "Loading…" (role=status) any more: the screen has its data. */
export async function settled(page: Page, timeoutMs = 10_000): Promise<void> {
  await poll('the screen to finish loading', async () => (await page.getByRole('status').filter({ hasText: 'Loading' }).count()) === 0, timeoutMs);
}

/** axe-core (WCAG 2 A/AA rules and best practices) on the whole page: no serious or critical violation. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const lines = bad.map((v) => `- ${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n')}`);
    throw new Error(`axe found ${bad.length} serious or critical violation(s) on ${screen}:\n${lines.join('\n')}`);
  }
}

/**
 * A screenshot of the whole screen saved as a test artifact: test-results/screenshots/<name>.png.
 * The app scrolls inside its own containers (the body does not grow), so a "full page" shot would
 * show one viewport: the viewport is made as tall as the tallest scrolled content first (up to
 * 6,000 px), then put back.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  const viewport = page.viewportSize() ?? { width: 1280, height: 800 };
  const overflow = await page.evaluate(() => {
    interface El { scrollHeight: number; clientHeight: number }
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> } }).document;
    let extra = 0;
    for (const el of doc.querySelectorAll('main, main *')) {
      // The virtualised registry list is meant to scroll: leave it at its size.
      if ((el as unknown as { getAttribute(n: string): string | null }).getAttribute('data-testid') === 'registry-scroll') continue;
      extra = Math.max(extra, el.scrollHeight - el.clientHeight);
    }
    return extra;
  });
  const height = Math.min(6_000, viewport.height + overflow);
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  try {
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  } finally {
    if (height > viewport.height) await page.setViewportSize(viewport);
  }
  return file;
}

/** Polls `check` until it holds (bounded); the failure names what was awaited. */
export async function poll(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls `read` until `accept` holds for its value; returns that value. */
export async function pollValue<T>(what: string, read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  let last: T | undefined;
  try {
    await poll(what, async () => accept((last = await read())), timeoutMs);
  } catch (error) {
    throw new Error(`${(error as Error).message} Last value: ${JSON.stringify(last)}`);
  }
  return last as T;
}
