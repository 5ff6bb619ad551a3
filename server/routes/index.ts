/**
 * Every route of the API, one per endpoint of core/api/endpoints.ts (test/api/endpoint-table.test.ts
 * checks none is missing or doubled): served over HTTP and in-process alike.
 */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { openApiDocument } from '../openapi.ts';
import { packageVersion } from '../package-root.ts';
import { handle, ok, type Route } from '../route.ts';
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
  handle(ENDPOINTS.openApi, () => ok((openApiBytes ??= Buffer.from(JSON.stringify(openApiDocument(packageVersion())))))),
];
