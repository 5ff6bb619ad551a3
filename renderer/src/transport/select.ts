/** IPC when the desktop bridge is there (Electron), HTTP otherwise (a browser on `mcp-warden serve`). */
import { createWardenClient, type WardenClient } from '../../../core/api/client.ts';
import { httpTransport } from './http.ts';
import { ipcTransport } from './ipc.ts';
import { openWebSession } from './web-session.ts';

export type TransportKind = 'ipc' | 'http';

export function selectClient(): { client: WardenClient; kind: TransportKind } {
  const bridge = typeof window !== 'undefined' ? window.warden : undefined;
  if (bridge) return { client: createWardenClient(ipcTransport(bridge)), kind: 'ipc' };
  return { client: createWardenClient(httpTransport(openWebSession())), kind: 'http' };
}
