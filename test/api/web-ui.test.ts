/**
 * The web UI files as `serve` hands them out: a renderer build in a temporary folder, served by the
 * real server in this process, next to a file that must never be reachable.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { openStore } from '../../core/store/database.ts';
import { startServer } from '../../server/start.ts';
import { resolveInside } from '../../server/web-ui.ts';
import { tempDir } from '../helpers/cli.ts';
import { rawRequest } from '../helpers/serve.ts';

async function serveUi(t: TestContext, uiDir: string): Promise<string> {
  const store = openStore(tempDir(t, 'mcp-warden-home-'));
  const running = await startServer({ store, keychain: new OsKeychain(store.installId), where: { platform: process.platform, env: {}, homedir: os.tmpdir() }, env: process.env, cwd: process.cwd(), uiDir, host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await running.close();
    store.close();
  });
  return running.origin;
}

test('resolveInside keeps every spelling of a path inside the UI folder', () => {
  const root = path.resolve('/srv/ui');
  assert.equal(resolveInside(root, '/assets/app.js'), path.join(root, 'assets', 'app.js'));
  assert.equal(resolveInside(root, '/../../etc/passwd'), path.join(root, 'etc', 'passwd'));
  assert.equal(resolveInside(root, '/..%2f..%2fetc%2fpasswd'), path.join(root, 'etc', 'passwd'));
  assert.equal(resolveInside(root, '/%2e%2e/secret'), path.join(root, 'secret'));
  assert.equal(resolveInside(root, '/..\\..\\secret'), undefined, 'a backslash is never a separator here');
  assert.equal(resolveInside(root, '/a%00b'), undefined);
  assert.equal(resolveInside(root, '/%E0%A4%A'), undefined, 'undecodable');
  assert.equal(resolveInside(root, '/'), root);
});

test('a built UI: files with their types, index.html for app routes, 404 for missing assets, nothing outside', async (t) => {
  const dir = tempDir(t);
  const ui = path.join(dir, 'renderer');
  mkdirSync(path.join(ui, 'assets'), { recursive: true });
  // As Vite builds it with base './': asset URLs relative to the page, so file:// works in the desktop app.
  writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>MCP Warden</title><script type="module" crossorigin src="./assets/app-1234.js"></script>\n');
  writeFileSync(path.join(ui, 'assets', 'app-1234.js'), 'console.log("ui");\n');
  writeFileSync(path.join(ui, 'assets', 'app-1234.css'), 'body{}\n');
  writeFileSync(path.join(dir, 'outside.txt'), 'NOT FOR THE BROWSER\n');
  const origin = await serveUi(t, ui);

  const index = await rawRequest(origin, { path: '/' });
  assert.deepEqual([index.status, index.headers['content-type'], index.headers['cache-control']], [200, 'text/html; charset=utf-8', 'no-cache']);
  assert.match(index.text, /<title>MCP Warden<\/title>/);
  assert.match(String(index.headers['content-security-policy']), /frame-ancestors 'none'/);
  // The app routes in the hash: a route typed as a path goes to `/#<path>`, where ./assets resolves.
  const route = await rawRequest(origin, { path: '/servers/github?tab=tools' });
  assert.deepEqual([route.status, route.headers.location, route.text], [302, '/#/servers/github?tab=tools', ''], 'an app route typed as a path is redirected into the hash');
  const page = new URL(String(route.headers.location), origin);
  const src = /src="([^"]+)"/.exec(index.text)?.[1] ?? '';
  const scriptUrl = new URL(src, page);
  assert.equal(scriptUrl.pathname, '/assets/app-1234.js');
  const script = await rawRequest(origin, { path: scriptUrl.pathname });
  assert.deepEqual([script.status, script.headers['content-type'], script.headers['cache-control'], script.text], [200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'console.log("ui");\n']);
  assert.equal(script.headers['x-content-type-options'], 'nosniff');
  assert.equal((await rawRequest(origin, { path: '/assets/app-1234.css' })).headers['content-type'], 'text/css; charset=utf-8');
  const head = await rawRequest(origin, { method: 'HEAD', path: '/assets/app-1234.js' });
  assert.deepEqual([head.status, head.headers['content-length'], head.text], [200, '19', '']);
  assert.equal((await rawRequest(origin, { path: '/assets/gone-9999.js' })).status, 404);
  const favicon = await rawRequest(origin, { path: '/favicon.ico' });
  assert.deepEqual([favicon.status, favicon.text], [204, ''], "a browser's own favicon request is not an error when the build has none");

  for (const p of ['/../outside.txt', '/..%2foutside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/%2e%2e%2foutside.txt']) {
    const r = await rawRequest(origin, { path: p });
    assert.ok(!r.text.includes('NOT FOR THE BROWSER'), `${p} escaped the UI folder`);
    assert.equal(r.status, 404, p);
  }
});

test('without a build, every page says how to build the UI', async (t) => {
  const origin = await serveUi(t, path.join(tempDir(t), 'not-built'));
  const page = await rawRequest(origin, { path: '/anything' });
  assert.equal(page.status, 200);
  assert.match(page.text, /The web UI is not built: run <code>npm run build<\/code>/);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
});
