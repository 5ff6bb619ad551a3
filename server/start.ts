/**
 * Starts the HTTP(S) server around a WardenApp: binds, learns the bound port (0 picks one), tells the
 * app which names it answers to, and stops cleanly (event streams ended, connections closed).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WardenError } from '../core/api/errors.ts';
import { API_PREFIX } from '../core/api/rest.ts';
import { WardenApp, type AppOptions } from './app.ts';
import { baseUrl, type Binding } from './binding.ts';

export interface StartOptions extends AppOptions {
  host: string;
  port: number;
  /** PEM certificate and key: HTTPS instead of HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  /** Names a remote bind answers to besides its address. */
  publicHosts?: readonly string[];
}

export interface RunningServer {
  app: WardenApp;
  binding: Binding;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `<origin>/api/v1` */
  apiUrl: string;
  /** A new one-time login link for the web UI. */
  loginUrl(): string;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const app = new WardenApp(options);
  const server = options.tls === undefined ? http.createServer(app.handle) : https.createServer({ cert: options.tls.cert, key: options.tls.key }, app.handle);
  // Keep-alive sockets idle longer than a browser's would otherwise hold shutdown up.
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.host, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    app.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new WardenError('failed', `Port ${options.port} on ${options.host} is already in use: stop what uses it, or pass --port with another port (0 picks a free one).`, 'port');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new WardenError('failed', `Cannot listen on ${options.host}: it is not an address of this machine.`, 'host');
    if (code === 'EACCES') throw new WardenError('failed', `Not allowed to listen on port ${options.port}: ports below 1024 need privileges; pass --port with a higher one.`, 'port');
    throw error;
  }
  const address = server.address() as AddressInfo;
  const binding: Binding = { scheme: options.tls === undefined ? 'http' : 'https', address: address.address, port: address.port, publicHosts: options.publicHosts ?? [] };
  app.bind(binding);
  const origin = baseUrl(binding);
  let closed: Promise<void> | undefined;
  return {
    app,
    binding,
    origin,
    apiUrl: `${origin}${API_PREFIX}`,
    // The token rides in the fragment: a browser never sends it to a server, nor in a Referer.
    loginUrl: () => `${origin}/login#token=${app.sessions.issueLoginToken()}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        app.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
