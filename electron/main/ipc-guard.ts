// Decides whether an IPC message comes from the app's own renderer page. Pure (no runtime import of
// 'electron') so it is unit-tested under plain Node.

/**
 * True when `senderUrl` (the URL of the frame that sent an IPC message) is the app's own renderer.
 *
 * `allowedUrl` is either
 * - the dev server URL (`http(s)://host:port/...`, from ELECTRON_RENDERER_URL): any page of that
 *   exact origin is allowed, since the dev server serves only the renderer; or
 * - the `file://` URL of the built `out/renderer/index.html`: only that very file is allowed (its
 *   query string and fragment may differ, another file in the same folder may not).
 *
 * Anything that does not parse as a URL, or whose scheme is neither http(s) nor file, is refused.
 */
export function isAllowedSender(senderUrl: string, allowedUrl: string): boolean {
  const sender = parseUrl(senderUrl);
  const allowed = parseUrl(allowedUrl);
  if (!sender || !allowed) return false;

  if (allowed.protocol === 'http:' || allowed.protocol === 'https:') {
    // URL.origin is scheme://host:port, lower-cased and with default ports removed.
    return sender.origin === allowed.origin;
  }
  if (allowed.protocol === 'file:') {
    return (
      sender.protocol === 'file:' &&
      sender.host === allowed.host &&
      decodePath(sender.pathname) === decodePath(allowed.pathname)
    );
  }
  return false;
}

function parseUrl(value: string): URL | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

// Compare file paths by their decoded form, so `%20` and other equivalent spellings of one file match.
function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}
