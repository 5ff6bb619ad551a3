/**
 * Debian's Chromium for playwright-core (no browser download). Shared by the e2e tests and the
 * browser benchmarks, so it imports nothing from node:test.
 */
import type { LaunchOptions } from 'playwright-core';

export const CHROMIUM = process.env.MCP_WARDEN_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Debian Chromium; as root (CI containers) Chromium's sandbox cannot start, so it is off. */
export function launchOptions(): LaunchOptions {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return { executablePath: CHROMIUM, headless: true, args: root ? ['--no-sandbox'] : [] };
}
