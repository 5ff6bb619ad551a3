/**
 * The REST API's contract (`/api/v1`, served by `mcp-warden serve`), one file per resource under
 * ./rest/: request schemas, the shapes answered, and how an error code becomes an HTTP status. The
 * endpoints themselves (method, path, types) are declared once in ./endpoints.ts. The server
 * validates with these schemas, the OpenAPI document is generated from them, and the SDK imports
 * the types. This file only re-exports, so `core/api/rest.ts` stays the one import for all of it.
 */
export * from './rest/common.ts';
export * from './rest/servers.ts';
export * from './rest/agents.ts';
export * from './rest/alerts-audit.ts';
export * from './rest/events.ts';
export * from './rest/secrets-settings.ts';
export * from './rest/launcher.ts';
export * from './rest/clients.ts';
