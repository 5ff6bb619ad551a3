/**
 * A declared server (registered by name and capabilities, core/registry/api-register.ts) has no
 * launch until a client config lists a server of that name: nothing can start, measure or attest it.
 */
import { conflict } from '../api/errors.ts';
import type { ServerDefinition } from '../api/server.ts';

export function declaredOnlyMessage(server: Pick<ServerDefinition, 'name'>): string {
  return `“${server.name}” is declared only: no client config lists a server of that name yet, so there is nothing to run.`;
}

/** Throws a conflict for a declared server; every path that launches, measures or attests calls it. */
export function assertRunnable(server: Pick<ServerDefinition, 'name' | 'status'>): void {
  if (server.status === 'declared') throw conflict(declaredOnlyMessage(server), 'name');
}
