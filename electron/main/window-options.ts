// The options of the app's one BrowserWindow. Pure (no runtime import of 'electron') so a plain
// Node test can assert every security setting: see test/integration/electron-build.test.ts.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (a CommonJS file: sandboxed preloads cannot be ESM). */
  preloadPath: string;
  /** Absolute path of the window icon (used on Linux and Windows), if there is one. */
  iconPath?: string;
}

export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'MCP Warden',
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 480,
    show: false, // shown on 'ready-to-show', so the user never sees an empty white frame
    autoHideMenuBar: true,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: {
      preload: input.preloadPath,
      // The renderer is untrusted: it runs without Node, in Chromium's sandbox, in a world isolated
      // from the preload script, and talks to the main process only through the narrow bridge.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
