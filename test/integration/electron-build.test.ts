// The desktop shell's build and its security settings, checked without launching Electron (its
// binary is downloaded lazily and there may be no display): a real `electron-vite build` into a
// temp folder, the BrowserWindow options, the IPC sender guard, and the built renderer bundle.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isAllowedSender } from '../../electron/main/ipc-guard.ts';
import { createWindowOptions } from '../../electron/main/window-options.ts';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../electron/shared/csp.ts';

const root = path.resolve(import.meta.dirname, '..', '..');

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Every use of run-time code generation in a bundle (what `script-src 'self'` would block anyway). */
function dynamicCodeUses(source: string): string[] {
  return source.match(/\beval\s*\(|\bnew\s+Function\s*\(/g) ?? [];
}

test('electron-vite builds main (ESM), a CommonJS preload and the renderer, with the strict CSP', (t) => {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-electron-build-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));

  const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [cli, 'build', '--outDir', outDir, '--logLevel', 'error'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(result.status, 0, `electron-vite build failed:\n${result.stdout}\n${result.stderr}`);

  // package.json "main" (relative to out/) is what the build wrote.
  const pkg = JSON.parse(read(path.join(root, 'package.json'))) as { main: string; type: string };
  assert.match(pkg.main, /^out\//, 'package.json "main" points into out/');
  const mainFile = path.join(outDir, pkg.main.replace(/^out\//, ''));
  assert.ok(existsSync(mainFile), `main process bundle ${mainFile} exists`);
  const main = read(mainFile);
  assert.match(main, /^import .* from "electron";/m, 'main is an ES module (package.json "type": "module")');

  // Sandboxed preloads must be CommonJS; .cjs because the package is "type": "module".
  const preloadFile = path.join(outDir, 'preload', 'index.cjs');
  assert.ok(existsSync(preloadFile), 'preload bundle out/preload/index.cjs exists');
  const preload = read(preloadFile);
  assert.match(preload, /require\("electron"\)/, 'preload requires electron (CommonJS)');
  assert.doesNotMatch(preload, /^\s*(import|export)\s/m, 'preload has no ES module syntax');
  assert.doesNotMatch(preload, /require\("(?!electron")/, 'preload requires nothing but electron (sandbox)');
  assert.match(preload, /exposeInMainWorld\("warden"/, 'preload exposes window.warden');
  assert.match(main, /"index\.cjs"/, 'main loads the preload by the file name the build gives it');

  const htmlFile = path.join(outDir, 'renderer', 'index.html');
  assert.ok(existsSync(htmlFile), 'renderer index.html exists');
  const html = read(htmlFile);
  const csp = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  assert.ok(csp, 'built index.html carries a Content-Security-Policy meta tag');
  assert.equal(csp[1], META_CONTENT_SECURITY_POLICY, 'the meta tag is the strict policy of electron/shared/csp.ts');
  // Chromium ignores frame-ancestors in a meta tag (and logs an error): only the headers carry it.
  assert.equal(csp[1], CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''), 'the meta tag is the header policy less frame-ancestors, nothing else');
  for (const directive of ["script-src 'self'", "style-src 'self'", "object-src 'none'"]) {
    assert.ok(csp[1].split('; ').includes(directive), `CSP has ${directive}`);
  }
  assert.ok(CONTENT_SECURITY_POLICY.split('; ').includes("frame-ancestors 'none'"), 'the header policy keeps frame-ancestors');
  assert.doesNotMatch(csp[1], /unsafe-inline|unsafe-eval/, 'no unsafe-* source in the built CSP');
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.ok(scripts.length > 0, 'index.html loads a script');
  for (const tag of scripts) assert.match(tag, /\ssrc="\.\/assets\/[^"]+\.js"/, `no inline script: ${tag}`);
  assert.doesNotMatch(html, /<style\b|\sstyle="/i, 'no inline styles');

  // No run-time code generation in the renderer bundle.
  assert.deepEqual(dynamicCodeUses('x = eval("1"); y = new Function("return 1")'), ['eval(', 'new Function('], 'the detector works');
  const assets = path.join(outDir, 'renderer', 'assets');
  const bundles = readdirSync(assets).filter((name) => name.endsWith('.js'));
  assert.ok(bundles.length > 0, 'the renderer has a JS bundle');
  for (const name of bundles) {
    assert.deepEqual(dynamicCodeUses(read(path.join(assets, name))), [], `${name} uses no eval( or new Function(`);
  }
});

test('the BrowserWindow keeps every security setting', () => {
  const preloadPath = '/app/out/preload/index.cjs';
  const options = createWindowOptions({ preloadPath });
  const web = options.webPreferences;
  assert.ok(web, 'webPreferences are set');
  assert.equal(web.preload, preloadPath);
  assert.equal(web.contextIsolation, true, 'contextIsolation must be true');
  assert.equal(web.sandbox, true, 'sandbox must be true');
  assert.equal(web.nodeIntegration, false, 'nodeIntegration must be false');
  assert.notEqual(web.nodeIntegrationInWorker, true, 'no Node in workers');
  assert.notEqual(web.nodeIntegrationInSubFrames, true, 'no Node in sub-frames');
  assert.notEqual(web.webSecurity, false, 'webSecurity must not be turned off');
  assert.notEqual(web.allowRunningInsecureContent, true, 'no insecure content');
  assert.notEqual(web.webviewTag, true, 'no <webview> tag');
  assert.notEqual(web.experimentalFeatures, true, 'no experimental web features');

  // The main process builds its window from these options and nothing else.
  const mainSource = read(path.join(root, 'electron', 'main', 'index.ts'));
  assert.equal(mainSource.match(/new BrowserWindow\(/g)?.length, 1, 'one BrowserWindow constructor call');
  assert.match(mainSource, /new BrowserWindow\(createWindowOptions\(/, 'it takes createWindowOptions()');
  assert.match(mainSource, /will-navigate/, 'navigation is denied');
  assert.match(mainSource, /setWindowOpenHandler\([^]*?action: 'deny'/, 'window.open is denied');
  assert.match(mainSource, /setPermissionRequestHandler\([^)]*\)\s*=>\s*callback\(false\)/, 'permission requests are denied');
  assert.match(mainSource, /setPermissionCheckHandler\(\(\) => false\)/, 'permission checks are denied');
  for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
    assert.match(mainSource, new RegExp(`contents\\.on\\('${event}', \\(event\\) => event\\.preventDefault\\(\\)\\)`), `${event} is prevented`);
  }
  assert.match(mainSource, /app\.on\('web-contents-created'/, 'the hardening applies to every web contents');
  assert.match(mainSource, /'Content-Security-Policy': \[policy\]/, 'the CSP is sent as a response header');
  assert.match(mainSource, /const policy = devServerUrl \? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;/, 'the dev policy only under the dev server');
  assert.match(mainSource, /const devServerUrl = !app\.isPackaged \?/, 'a packaged app never loads a dev server URL');
  assert.match(mainSource, /app\.requestSingleInstanceLock\(\)/, 'single-instance lock');
  assert.match(mainSource, /app\.on\('window-all-closed', \(\) => \{\}\)/, 'closing the window leaves the app in the tray');
  // No window, web preferences or session switch anywhere else in the main process.
  for (const file of readdirSync(path.join(root, 'electron', 'main'))) {
    const source = read(path.join(root, 'electron', 'main', file));
    if (file !== 'window-options.ts') assert.doesNotMatch(source, /webPreferences|nodeIntegration|contextIsolation|sandbox:/, `${file} sets no web preferences`);
    if (file !== 'index.ts') assert.doesNotMatch(source, /new BrowserWindow\(|ipcMain\.|webContents\.send\(/, `${file} opens no window and handles no IPC`);
    assert.doesNotMatch(source, /app\.commandLine\.appendSwitch|disable-web-security|no-sandbox/, `${file} turns no Chromium safety off`);
  }

  // Every IPC handler checks the sending frame before anything else, and handles only channels of the contract.
  const registrations = [...mainSource.matchAll(/ipcMain\.(handle|on)\(IPC_CHANNELS\.(\w+),[^]*?(?=\n  ipcMain\.|\n\}\n)/g)];
  assert.deepEqual(registrations.map((m) => m[2]).sort(), ['appInfo', 'request', 'subscribe'], 'the renderer-to-main channels are the ones handled');
  for (const [handler, , channel] of registrations) {
    const firstStatement = handler.split('\n').slice(1).find((line) => line.trim() !== '' && !line.trim().startsWith('const contents') && !line.trim().startsWith('try {'));
    assert.match(firstStatement ?? '', /assertTrustedSender\(event\.senderFrame\?\.url, allowedRendererUrl\)|subscriptions\.set\(event\.senderFrame\?\.url, allowedRendererUrl/, `${channel} checks the sender first`);
  }
  assert.equal(mainSource.match(/ipcMain\.(handle|on)\(/g)?.length, 3, 'no other IPC handler');
});

test('IPC is accepted only from the app\'s own renderer page', () => {
  const built = pathToFileURL(path.join(root, 'out', 'renderer', 'index.html')).href;
  assert.equal(isAllowedSender(built, built), true, 'the built index.html');
  assert.equal(isAllowedSender(`${built}#/alerts`, built), true, 'the built index.html with a fragment');
  assert.equal(isAllowedSender('https://evil.example/', built), false, 'a foreign https origin');
  assert.equal(isAllowedSender('https://evil.example/out/renderer/index.html', built), false, 'a foreign origin with the same path');
  assert.equal(isAllowedSender(pathToFileURL(path.join(root, 'out', 'renderer', 'other.html')).href, built), false, 'another file beside it');
  assert.equal(isAllowedSender(pathToFileURL(path.join(os.tmpdir(), 'index.html')).href, built), false, 'an index.html elsewhere');
  assert.equal(isAllowedSender(built.replace('file:///', 'file://evil-host/'), built), false, 'the same path on a remote file host');
  assert.equal(isAllowedSender('not a url', built), false, 'a malformed string');
  assert.equal(isAllowedSender('', built), false, 'an empty string (destroyed frame)');
  assert.equal(isAllowedSender(built, 'not a url'), false, 'a malformed allowed URL allows nothing');

  const dev = 'http://localhost:5173/';
  assert.equal(isAllowedSender('http://localhost:5173/index.html', dev), true, 'a page of the dev server');
  assert.equal(isAllowedSender('http://localhost:5174/', dev), false, 'another port');
  assert.equal(isAllowedSender('https://localhost:5173/', dev), false, 'another scheme');
  assert.equal(isAllowedSender('http://localhost.evil.example:5173/', dev), false, 'a look-alike host');
  assert.equal(isAllowedSender(built, dev), false, 'a file page while the dev server is the renderer');
  assert.equal(isAllowedSender('data:text/html,hi', 'data:text/html,hi'), false, 'only http(s) and file renderers exist');
});
