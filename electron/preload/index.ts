// Preload script: runs sandboxed (CommonJS, only 'electron' and a few Node shims are available) and
// exposes a narrow, named API as `window.warden`. Never expose ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, type AppInfo, type WardenBridge } from '../shared/ipc';

const bridge: WardenBridge = {
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke(IPC_CHANNELS.appInfo) as Promise<AppInfo>,
};

contextBridge.exposeInMainWorld('warden', bridge);
