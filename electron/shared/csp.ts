// Content Security Policy of the renderer. It is sent as a response header by the main process and
// by `mcp-warden serve`, and renderer/index.html carries it as a meta tag (what applies to the
// app's file:// page). The meta tag leaves out `frame-ancestors`: Chromium ignores that directive in
// a meta tag and logs a console error for it; the headers keep it.

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Dev server only (`electron-vite dev`): Vite's HMR client injects <style> elements and React
 * Refresh adds an inline module preamble, and HMR talks over a WebSocket. Never used for a build.
 */
export const DEV_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** A policy as a meta tag may carry it: without `frame-ancestors`, which only works as a header. */
export const metaPolicy = (policy: string): string =>
  policy
    .split('; ')
    .filter((directive) => !directive.startsWith('frame-ancestors '))
    .join('; ');

/** The meta tag in renderer/index.html; the build test checks the two match. */
export const META_CONTENT_SECURITY_POLICY = metaPolicy(CONTENT_SECURITY_POLICY);
