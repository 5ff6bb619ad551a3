// The one contract between the Electron main process and the preload bridge: channel names and
// the shapes that cross them. Imported by electron/main, electron/preload and (types only) renderer/.

/** IPC channel names. Every channel the main process handles is listed here and nowhere else. */
export const IPC_CHANNELS = {
  appInfo: 'warden:app-info',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** What `warden:app-info` answers. */
export interface AppInfo {
  name: string;
  version: string;
  /** Node's `process.platform` of the main process: 'linux', 'darwin', 'win32', ... */
  platform: string;
}

/**
 * The API the preload script exposes as `window.warden`. Deliberately narrow: the renderer gets
 * named functions, never `ipcRenderer` itself.
 */
export interface WardenBridge {
  appInfo(): Promise<AppInfo>;
}
