/// <reference types="vite/client" />
import type { WardenBridge } from '../../electron/shared/ipc';

declare global {
  interface Window {
    /** Set by the Electron preload script. Absent when the UI runs in a plain browser (`mcp-warden serve`). */
    readonly warden?: WardenBridge;
  }
}

export {};
