/** Every route of the API, in the order the OpenAPI document lists them: served over HTTP and in-process alike. */
import { openApiDocument } from '../openapi.ts';
import { packageVersion } from '../package-root.ts';
import { ok, type Route } from '../route.ts';
import { agentRoutes } from './agents.ts';
import { alertAuditRoutes } from './alerts-audit.ts';
import { clientRoutes } from './clients.ts';
import { launcherRoutes } from './launcher.ts';
import { metaRoutes } from './meta.ts';
import { secretSettingRoutes } from './secrets-settings.ts';
import { serverRoutes } from './servers.ts';

let openApiBytes: Buffer | undefined;

export const ROUTES: readonly Route[] = [
  ...serverRoutes,
  ...launcherRoutes,
  ...agentRoutes,
  ...alertAuditRoutes,
  ...clientRoutes,
  ...secretSettingRoutes,
  ...metaRoutes,
  {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document, generated from the same schemas the server validates with',
    success: { status: 200, description: 'The OpenAPI document' },
    handler: () => ok((openApiBytes ??= Buffer.from(JSON.stringify(openApiDocument(ROUTES, packageVersion()))))),
  },
];
