import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { inHome } from '../platform-paths.ts';

export const cursor: ClientDefinition = {
  id: 'cursor',
  displayName: 'Cursor',
  locations(where: PlatformEnv): ConfigLocation[] {
    return [{ client: 'cursor', path: inHome(where, '.cursor', 'mcp.json'), format: 'mcpServers', scope: 'user' }];
  },
};
