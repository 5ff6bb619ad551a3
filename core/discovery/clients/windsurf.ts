import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { inHome } from '../platform-paths.ts';

export const windsurf: ClientDefinition = {
  id: 'windsurf',
  displayName: 'Windsurf',
  locations(where: PlatformEnv): ConfigLocation[] {
    return [{ client: 'windsurf', path: inHome(where, '.codeium', 'windsurf', 'mcp_config.json'), format: 'mcpServers', scope: 'user' }];
  },
};
