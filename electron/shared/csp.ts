// Content Security Policy of the renderer. The same string is in renderer/index.html as a meta tag
// (which is what applies to file:// pages) and is sent as a response header by the main process
// (which is what applies to pages served over http, such as the dev server).

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
