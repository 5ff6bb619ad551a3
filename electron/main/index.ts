// Electron main process: a thin shell. One window, one narrow IPC surface, everything else denied;
// the engine (store, monitor, in-process API) runs here, the tray and notifications report on it.
// Business rules live in core/ and server/ (see DESIGN.md section 1), not here.
import { app, BrowserWindow, ipcMain, session, shell, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ApiEvent } from '../../core/api/rest.ts';
import { CONTENT_SECURITY_POLICY, DEV_CONTENT_SECURITY_POLICY } from '../shared/csp';
import { IPC_CHANNELS, type AppInfo } from '../shared/ipc';
import { autostartExecutable, autostartFollower, isAutostartEnabled, syncAutostart, type AutostartWhere } from './autostart.ts';
import { electronLoginItems, ElectronNotifications, ElectronTray, resourcesDir, wasOpenedAtLogin } from './electron-ports.ts';
import { startEngine, type Engine } from './engine.ts';
import { assertTrustedSender, handleRequest, Subscriptions } from './ipc-handlers.ts';
import { NotificationBatcher } from './notification-batch.ts';
import type { TrayPort } from './ports.ts';
import { routeForCommand, trayState } from './tray-state.ts';
import { createWindowOptions } from './window-options';

// out/main/index.js -> out/preload/index.cjs and out/renderer/index.html
const outDir = join(import.meta.dirname, '..');
const preloadPath = join(outDir, 'preload', 'index.cjs');
const rendererFile = join(outDir, 'renderer', 'index.html');

// The dev server URL is honoured only in an unpackaged app: a packaged app always loads its own files.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const allowedRendererUrl = devServerUrl ?? pathToFileURL(rendererFile).href;

let mainWindow: BrowserWindow | undefined;
let engine: Engine | undefined;
let tray: TrayPort | undefined;
const notifications = new ElectronNotifications();
const subscriptions = new Subscriptions<WebContents>();
/** The engine, once started (undefined if it could not start); set when this is the only instance. */
let engineReady: Promise<Engine | undefined> = Promise.resolve(undefined);

function iconPath(): string | undefined {
  if (process.platform === 'darwin') return undefined; // macOS takes the icon from the app bundle
  const candidate = join(resourcesDir(), 'icon.png');
  return existsSync(candidate) ? candidate : undefined;
}

/** Creates the window; `route` (`#/alerts/5`) is the page it opens on. */
function createWindow(route?: string): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions({ preloadPath, iconPath: iconPath() }));
  window.once('ready-to-show', () => {
    window.show();
    // Tells scripts/start.mjs (when it launched us with an IPC channel) that the window is up.
    process.send?.({ type: 'mcp-warden:window-ready' });
  });
  window.on('closed', () => {
    mainWindow = undefined;
  });
  const hash = route?.replace(/^#/, '');
  if (devServerUrl) void window.loadURL(hash ? `${devServerUrl}#${hash}` : devServerUrl);
  else void window.loadFile(rendererFile, hash ? { hash } : {});
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

/** Shows the window on a route (after a click on a notification or a tray alert). */
function openRoute(route: string): void {
  if (!mainWindow) {
    mainWindow = createWindow(route);
    return;
  }
  focusMainWindow();
  mainWindow.webContents.send(IPC_CHANNELS.navigate, route);
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

/** Every handler checks the sender frame first (isAllowedSender via ipc-handlers.ts). */
function registerIpc(): void {
  ipcMain.handle(IPC_CHANNELS.appInfo, async (event): Promise<AppInfo> => {
    assertTrustedSender(event.senderFrame?.url, allowedRendererUrl);
    const status = (await engineReady)?.monitorStatus();
    return {
      name: app.getName(),
      version: app.getVersion(),
      platform: process.platform,
      monitoring: status !== undefined && status.running && !status.paused,
      ...(status?.message === undefined ? {} : { monitorMessage: status.message }),
    };
  });
  ipcMain.handle(IPC_CHANNELS.request, async (event, payload: unknown) => {
    assertTrustedSender(event.senderFrame?.url, allowedRendererUrl);
    const running = await engineReady;
    if (running === undefined) {
      return { status: 503, body: { error: { code: 'unavailable', message: 'The MCP Warden engine did not start: see the message it printed at start-up.' } } };
    }
    return handleRequest(event.senderFrame?.url, allowedRendererUrl, payload, running);
  });
  ipcMain.on(IPC_CHANNELS.subscribe, (event, on: unknown) => {
    const contents = event.sender;
    try {
      if (subscriptions.set(event.senderFrame?.url, allowedRendererUrl, contents, on) && on === true) {
        contents.once('destroyed', () => subscriptions.remove(contents));
      }
    } catch (error) {
      // A one-way message has no caller to throw to: say so and send nothing to that page.
      process.stderr.write(`mcp-warden: ${(error as Error).message}\n`);
    }
  });
}

function forwardEvent(event: ApiEvent): void {
  subscriptions.forEach((contents) => {
    if (contents.isDestroyed()) subscriptions.remove(contents);
    else contents.send(IPC_CHANNELS.event, event);
  });
}

function autostartWhere(): AutostartWhere {
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    executable: autostartExecutable(process.execPath, process.env),
    // An unpackaged app is `electron <project folder>`; a packaged one is its own executable.
    args: app.isPackaged ? ['--hidden'] : [app.getAppPath(), '--hidden'],
  };
}

let trayTimer: NodeJS.Timeout | undefined;
/** Rebuilds the tray from the store; many events in a burst (a scan) rebuild it once. */
function refreshTray(): void {
  clearTimeout(trayTimer);
  trayTimer = setTimeout(() => {
    if (!engine || !tray) return;
    const status = engine.monitorStatus();
    tray.show(
      trayState({
        openAlerts: engine.openAlerts(),
        monitoring: status.running,
        paused: status.paused,
        startAtLogin: isAutostartEnabled(autostartWhere(), electronLoginItems),
      }),
    );
  }, 150);
}

async function onTrayCommand(id: string): Promise<void> {
  const route = routeForCommand(id);
  if (route !== undefined) return openRoute(route);
  switch (id) {
    case 'open':
      return focusMainWindow();
    case 'scan-now':
      await engine?.scanNow();
      return refreshTray();
    case 'pause':
    case 'resume':
      engine?.setPaused(id === 'pause');
      forwardEvent({ type: 'changed' });
      return refreshTray();
    case 'start-at-login':
      // Through the setting, like the Settings screen: its `settings` event updates the OS entry.
      await engine?.request('PUT', '/settings/start-at-login', { value: engine.startAtLogin() === 'on' ? 'off' : 'on' });
      return refreshTray();
    case 'quit':
      app.quit();
      return;
  }
}

/** Starts the engine once Electron is ready; resolves undefined (and says why) if it cannot start. */
async function startEngineWhenReady(): Promise<Engine | undefined> {
  await app.whenReady();
  const batcher = new NotificationBatcher({
    level: () => engine?.notificationLevel() ?? 'high',
    send: (request) => notifications.show(request, () => openRoute(request.target)),
  });
  try {
    engine = await startEngine({
      notifier: { notify: (alerts) => batcher.notify(alerts) },
      cwd: os.homedir(),
    });
  } catch (error) {
    process.stderr.write(`mcp-warden: the engine could not start: ${(error as Error).message}\n`);
    return undefined;
  }
  syncAutostart(autostartWhere(), engine.startAtLogin(), electronLoginItems);
  engine.subscribe(autostartFollower(autostartWhere, electronLoginItems));
  engine.subscribe((event) => {
    forwardEvent(event);
    if (event.type !== 'probe') refreshTray();
  });
  app.once('will-quit', () => batcher.close());
  refreshTray();
  return engine;
}

if (!app.requestSingleInstanceLock()) {
  // Another MCP Warden is already running: it receives 'second-instance' and focuses its window.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (app.isReady()) focusMainWindow();
  });
  hardenWebContents();
  engineReady = startEngineWhenReady();
  registerIpc();
  void app.whenReady().then(() => {
    hardenSession();
    tray = new ElectronTray();
    tray.onCommand((id) => void onTrayCommand(id).catch((error: Error) => process.stderr.write(`mcp-warden: ${error.message}\n`)));
    // Started at login (the autostart entry or login item): stay in the tray until the user opens the window.
    if (!process.argv.includes('--hidden') && !wasOpenedAtLogin()) mainWindow = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });
  // Closing the window leaves the app running in the tray (on every platform): the monitor keeps
  // watching. Quit is in the tray menu (and the macOS app menu).
  app.on('window-all-closed', () => {});
  // Stop the monitor (releasing the data directory's lease) and close the store before exiting.
  let closedEngine = false;
  app.on('will-quit', (event) => {
    if (closedEngine || !engine) return;
    event.preventDefault();
    closedEngine = true;
    tray?.destroy();
    void engine.close().finally(() => app.quit());
  });
}
