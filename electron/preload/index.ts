// Preload script: runs sandboxed (CommonJS, only 'electron' and a few Node shims are available) and
// exposes a narrow, named API as `window.warden`. Never expose ipcRenderer itself.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { HttpMethod, TransportResponse } from '../../core/api/client.ts';
import type { ApiEvent } from '../../core/api/rest.ts';
import { IPC_CHANNELS, type AppInfo, type IpcRequest, type WardenBridge } from '../shared/ipc';

const bridge: WardenBridge = {
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke(IPC_CHANNELS.appInfo) as Promise<AppInfo>,
  request: (method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse> => {
    const request: IpcRequest = { method, path, body };
    return ipcRenderer.invoke(IPC_CHANNELS.request, request) as Promise<TransportResponse>;
  },
  onEvent: (listener: (event: ApiEvent) => void): (() => void) => {
    // The page gets the event, never the IpcRendererEvent (which would hand it `sender`).
    const forward = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(IPC_CHANNELS.event, forward);
    ipcRenderer.send(IPC_CHANNELS.subscribe, true);
    return () => {
      ipcRenderer.off(IPC_CHANNELS.event, forward);
      if (ipcRenderer.listenerCount(IPC_CHANNELS.event) === 0) ipcRenderer.send(IPC_CHANNELS.subscribe, false);
    };
  },
  onNavigate: (listener: (to: string) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, to: unknown) => {
      // Only in-app routes: the main process sends nothing else, and the page must not be led elsewhere.
      if (typeof to === 'string' && to.startsWith('#/')) listener(to);
    };
    ipcRenderer.on(IPC_CHANNELS.navigate, forward);
    return () => {
      ipcRenderer.off(IPC_CHANNELS.navigate, forward);
    };
  },
};

contextBridge.exposeInMainWorld('warden', bridge);
