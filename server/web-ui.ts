/**
 * The web UI: the renderer's build (`out/renderer/`, written by `npm run build`) served as static
 * files. These are the public shell of the app (HTML, scripts, styles); everything they show comes
 * from the API, which needs a session or a key. The app routes with the URL's hash (`/#/alerts`) and
 * its build names assets relative to the page (`./assets/...`, so the same build also loads from
 * file:// in the desktop app): a path that is neither a file nor `/` is an app route typed as a path,
 * and is redirected to `/#<path>`, where the relative asset URLs resolve. Paths are resolved inside
 * the build folder and nothing outside it is ever read.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { packageRoot } from './package-root.ts';
import { baseHeaders, HTML_HEADERS, sendHtml } from './respond.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCP Warden</title></head>
<body><h1>MCP Warden</h1><p>The web UI is not built: run <code>npm run build</code> in the MCP Warden folder, then restart <code>mcp-warden serve</code>.</p>
<p>The REST API is available under <code>/api/v1</code>.</p></body></html>
`;

export const defaultUiDir = (): string => path.join(packageRoot(), 'out', 'renderer');

/**
 * The file a URL path names inside `root`, or undefined when it would leave `root` (`..`, an encoded
 * separator, an absolute path, a NUL) or cannot be decoded.
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return file;
}

const regularFile = (file: string): fs.Stats | undefined => {
  try {
    const stat = fs.statSync(file);
    return stat.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
};

/** `url` is the request's path and query; `urlPath` its path alone. */
export function serveWebUi(req: IncomingMessage, res: ServerResponse, urlPath: string, root: string, url: string = urlPath): void {
  const index = path.join(root, 'index.html');
  if (regularFile(index) === undefined) return sendHtml(res, 200, NOT_BUILT);
  const requested = resolveInside(root, urlPath);
  if (requested === undefined) return sendHtml(res, 404, '<!doctype html><title>Not found</title><p>Not found.</p>\n');
  let file = requested;
  let stat = regularFile(file);
  if (stat === undefined) {
    // Browsers ask for /favicon.ico on their own: without one in the build, "no icon" is not an error.
    if (urlPath === '/favicon.ico') {
      res.writeHead(204, { ...baseHeaders(), 'Cache-Control': 'public, max-age=86400' });
      res.end();
      return;
    }
    // A missing asset is a 404; any other path is one of the app's routes, which live in the hash.
    if (path.extname(requested) !== '') return sendHtml(res, 404, '<!doctype html><title>Not found</title><p>Not found.</p>\n');
    if (urlPath !== '/') {
      res.writeHead(302, { ...baseHeaders(), 'Cache-Control': 'no-cache', Location: `/#${url}`, 'Content-Length': '0' });
      res.end();
      return;
    }
    file = index;
    stat = regularFile(file) as fs.Stats;
  }
  sendFile(req, res, root, file, stat);
}

/** The app's page itself (index.html), whatever the path: `/login` is one. */
export function serveWebUiPage(req: IncomingMessage, res: ServerResponse, root: string): void {
  const index = path.join(root, 'index.html');
  const stat = regularFile(index);
  if (stat === undefined) return sendHtml(res, 200, NOT_BUILT);
  sendFile(req, res, root, index, stat);
}

function sendFile(req: IncomingMessage, res: ServerResponse, root: string, file: string, stat: fs.Stats): void {
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const html = type.startsWith('text/html');
  res.writeHead(200, {
    ...(html ? HTML_HEADERS : { ...baseHeaders(), 'Content-Type': type }),
    // Vite's hashed assets never change content; anything else (the HTML that names them) is revalidated.
    'Cache-Control': path.relative(root, file).startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Content-Length': String(stat.size),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
