/** The one WardenClient of the app, handed down by context so every screen uses the same transport. */
import { createContext, useContext, type ReactNode } from 'react';
import type { WardenClient } from '../../../core/api/client.ts';

const ClientContext = createContext<WardenClient | null>(null);

export function ClientProvider(props: { client: WardenClient; children: ReactNode }) {
  return <ClientContext.Provider value={props.client}>{props.children}</ClientContext.Provider>;
}

/** The app's WardenClient. Throws outside <ClientProvider> (a wiring bug, not a runtime state). */
export function useClient(): WardenClient {
  const client = useContext(ClientContext);
  if (client === null) throw new Error('useClient() needs a <ClientProvider> above it.');
  return client;
}
