/**
 * In-page instruments for the virtualised registry, shared by test/e2e/registry-scale.test.ts and
 * bench/registry-render.ts. They run inside Chromium (page.evaluate / addInitScript), so they touch
 * the page only through the small declared shapes below (test/ has no DOM lib).
 */
import type { BrowserContext, Page } from 'playwright-core';

interface Observed {
  __firstRowsAt?: number;
  __longTasks?: number[];
}

interface Win extends Observed {
  document: {
    querySelector(selector: string): Element | null;
    querySelectorAll(selector: string): { length: number; [i: number]: Element };
  };
  performance: { now(): number };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: { childList: boolean; subtree: boolean }): void; disconnect(): void };
  PerformanceObserver: (new (callback: (list: { getEntries(): { duration: number }[] }) => void) => { observe(options: { type: string; buffered: boolean }): void }) & { supportedEntryTypes: readonly string[] };
  requestAnimationFrame(callback: (time: number) => void): number;
}

interface Element {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
}

/**
 * Before any page script: records when the first `server-row` appears (ms since navigation start)
 * and every long task (> 50 ms) the main thread runs.
 */
export async function instrumentRegistry(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = globalThis as unknown as Win;
    w.__longTasks = [];
    if (w.PerformanceObserver.supportedEntryTypes.includes('longtask')) {
      new w.PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks?.push(entry.duration);
      }).observe({ type: 'longtask', buffered: true });
    }
    const observer = new w.MutationObserver(() => {
      if (w.__firstRowsAt === undefined && w.document.querySelector('[data-testid="server-row"]') !== null) {
        w.__firstRowsAt = w.performance.now();
        observer.disconnect();
      }
    });
    observer.observe(w.document, { childList: true, subtree: true });
  });
}

/** Waits for the first rows and answers when they appeared, in ms since navigation start. */
export async function firstRowsMs(page: Page, timeoutMs = 15_000): Promise<number> {
  await page.waitForFunction(() => (globalThis as unknown as Observed).__firstRowsAt !== undefined, undefined, { timeout: timeoutMs, polling: 'raf' });
  return page.evaluate(() => (globalThis as unknown as Observed).__firstRowsAt as number);
}

/** Long tasks seen so far (their durations, ms); `clear` empties the list after reading. */
export async function longTasks(page: Page, clear = false): Promise<number[]> {
  return page.evaluate((reset) => {
    const w = globalThis as unknown as Observed;
    const seen = [...(w.__longTasks ?? [])];
    if (reset) w.__longTasks = [];
    return seen;
  }, clear);
}

/** Sets the scroll container's scrollTop to a fraction (0..1) of its range. */
export async function scrollRegistryTo(page: Page, fraction: number): Promise<void> {
  await page.evaluate((f) => {
    const w = globalThis as unknown as Win;
    const scroller = w.document.querySelector('[data-testid="registry-scroll"]');
    if (scroller === null) throw new Error('no [data-testid="registry-scroll"]');
    scroller.scrollTop = Math.round(f * (scroller.scrollHeight - scroller.clientHeight));
  }, fraction);
}

/** The visible rows' server names (the text of each row's first link). */
export async function visibleRowNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid="server-row"]').evaluateAll((rows) =>
    rows.map((row) => {
      const link = (row as unknown as { querySelector(s: string): Element | null }).querySelector('a');
      return (link?.textContent ?? '').trim();
    }),
  );
}

export interface ScrollRun {
  frames: number;
  /** rAF-to-rAF intervals, ms. */
  frame_ms: number[];
  /** ScriptDuration (CDP Performance.getMetrics) over the run, ms. */
  script_ms: number;
}

/**
 * A scripted scroll: `frames` animation frames, each moving the registry by `step` px (bouncing at
 * the ends), with the main thread's script time over the run from CDP Performance.getMetrics.
 */
export async function scriptedScroll(page: Page, options: { frames: number; step: number; startFraction: number }): Promise<ScrollRun> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const scriptDuration = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
  await scrollRegistryTo(page, options.startFraction);
  const before = await scriptDuration();
  const frameMs = await page.evaluate(
    ({ frames, step }) =>
      new Promise<number[]>((resolve) => {
        const w = globalThis as unknown as Win;
        const scroller = w.document.querySelector('[data-testid="registry-scroll"]') as Element;
        const intervals: number[] = [];
        let direction = 1;
        let last = -1;
        const frame = (time: number) => {
          if (last >= 0) intervals.push(time - last);
          last = time;
          if (intervals.length >= frames) return resolve(intervals);
          const max = scroller.scrollHeight - scroller.clientHeight;
          let next = scroller.scrollTop + direction * step;
          if (next >= max || next <= 0) {
            direction = -direction;
            next = Math.max(0, Math.min(max, next));
          }
          scroller.scrollTop = next;
          w.requestAnimationFrame(frame);
        };
        w.requestAnimationFrame(frame);
      }),
    { frames: options.frames, step: options.step },
  );
  const after = await scriptDuration();
  await cdp.detach();
  return { frames: frameMs.length, frame_ms: frameMs, script_ms: (after - before) * 1000 };
}
