/** The desktop transport: the preload bridge (`window.warden`), answered in-process by the main process. */
import type { HttpMethod, TransportResponse, WardenTransport } from '../../../core/api/client.ts';
import type { ApiEvent } from '../../../core/api/rest.ts';
import type { WardenBridge } from '../../../electron/shared/ipc.ts';

export function ipcTransport(bridge: WardenBridge): WardenTransport {
  return {
    async request(method: HttpMethod, path: string, body?: unknown): Promise<TransportResponse> {
      try {
        return await bridge.request(method, path, body);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { status: 500, body: { error: { code: 'internal', message: `The desktop app could not answer: ${message}` } } };
      }
    },
    subscribe(listener: (event: ApiEvent) => void, onStatus?: (connected: boolean) => void): () => void {
      const off = bridge.onEvent(listener);
      onStatus?.(true);
      return off;
    },
  };
}
