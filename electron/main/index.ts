// Electron main process: a thin shell. One window, one narrow IPC surface, everything else denied.
// Business rules live in core/ (see DESIGN.md section 1), not here.
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../shared/csp';
import { IPC_CHANNELS, type AppInfo } from '../shared/ipc';
import { isAllowedSender } from './ipc-guard';
import { createWindowOptions } from './window-options';

// out/main/index.js -> out/preload/index.cjs and out/renderer/index.html
const outDir = join(import.meta.dirname, '..');
const preloadPath = join(outDir, 'preload', 'index.cjs');
const rendererFile = join(outDir, 'renderer', 'index.html');

// The dev server URL is honoured only in an unpackaged app: a packaged app always loads its own files.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const allowedRendererUrl = devServerUrl ?? pathToFileURL(rendererFile).href;

let mainWindow: BrowserWindow | undefined;

function iconPath(): string | undefined {
  if (process.platform === 'darwin') return undefined; // macOS takes the icon from the app bundle
  const candidate = app.isPackaged
    ? join(process.resourcesPath, 'icon.png')
    : join(app.getAppPath(), 'resources', 'icon.png');
  return existsSync(candidate) ? candidate : undefined;
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions({ preloadPath, iconPath: iconPath() }));
  window.once('ready-to-show', () => {
    window.show();
    // Tells scripts/start.mjs (when it launched us with an IPC channel) that the window is up.
    process.send?.({ type: 'mcp-warden:window-ready' });
  });
  window.on('closed', () => {
    mainWindow = undefined;
  });
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(rendererFile);
  return window;
}

function focusMainWindow(): void {
  if (!mainWindow) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Hardening that applies to every web contents the app ever creates, not only the main window. */
function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    // The renderer is a single-page app: it never navigates, it never opens windows.
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // A link to the web opens in the user's browser, never inside the app.
      if (/^https:\/\//i.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  // No camera, microphone, notifications-from-web, geolocation, clipboard-read, ... for web content.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  const policy = devServerUrl ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY;
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
    });
  });
}

/** Refuses an IPC call unless it comes from the app's own renderer page. */
function assertTrustedSender(event: IpcMainInvokeEvent): void {
  const url = event.senderFrame?.url ?? '';
  if (!isAllowedSender(url, allowedRendererUrl)) {
    throw new Error(`MCP Warden refused an IPC call from an unexpected page: ${url || '(unknown frame)'}`);
  }
}

function registerIpc(): void {
  ipcMain.handle(IPC_CHANNELS.appInfo, (event): AppInfo => {
    assertTrustedSender(event);
    return { name: app.getName(), version: app.getVersion(), platform: process.platform };
  });
}

if (!app.requestSingleInstanceLock()) {
  // Another MCP Warden is already running: it receives 'second-instance' and focuses its window.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (app.isReady()) focusMainWindow();
  });
  hardenWebContents();
  void app.whenReady().then(() => {
    hardenSession();
    registerIpc();
    mainWindow = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
