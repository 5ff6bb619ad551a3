// The one contract between the Electron main process and the preload bridge: channel names and
// the shapes that cross them. Imported by electron/main, electron/preload and (types only) renderer/.
import type { HttpMethod, TransportResponse } from '../../core/api/client.ts';
import type { ApiEvent } from '../../core/api/rest.ts';

/** IPC channel names. Every channel the main process handles is listed here and nowhere else. */
export const IPC_CHANNELS = {
  appInfo: 'warden:app-info',
  /** One API request, handled in-process by the same route handlers `serve` uses. */
  request: 'warden:request',
  /** Main -> renderer: ApiEvent pushes (alerts, registry changes, scans, probe progress). */
  event: 'warden:event',
  /** Renderer -> main: start or stop receiving `warden:event` for this window. */
  subscribe: 'warden:subscribe',
  /** Main -> renderer: show this route (`#/alerts/5`), e.g. after a click on a notification or a tray item. */
  navigate: 'warden:navigate',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** What `warden:app-info` answers. */
export interface AppInfo {
  name: string;
  version: string;
  /** Node's `process.platform` of the main process: 'linux', 'darwin', 'win32', ... */
  platform: string;
  /** Whether this app's monitor watches the client configs (false: another process holds the lease, or monitoring is paused). */
  monitoring?: boolean;
  /** One sentence about monitoring when it is not running here, for the UI to show. */
  monitorMessage?: string;
}

/**
 * The API the preload script exposes as `window.warden`. Deliberately narrow: the renderer gets
 * named functions, never `ipcRenderer` itself.
 */
export interface WardenBridge {
  appInfo(): Promise<AppInfo>;
  /** `/api/v1<path>` as the REST API answers it: the same statuses and bodies. */
  request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse>;
  /** Receives every ApiEvent until the returned function is called. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Receives the routes the main process asks the UI to show (`#/alerts/5`) until the returned function is called. */
  onNavigate(listener: (to: string) => void): () => void;
}

/** What crosses `warden:request`. */
export interface IpcRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
}
