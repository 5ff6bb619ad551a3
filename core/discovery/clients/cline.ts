import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { pathApi, vscodeUserDir } from '../platform-paths.ts';

/** Cline is a VS Code extension: its settings live in the extension's globalStorage. */
export const cline: ClientDefinition = {
  id: 'cline',
  displayName: 'Cline',
  locations(where: PlatformEnv): ConfigLocation[] {
    const path = pathApi(where).join(vscodeUserDir(where), 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json');
    return [{ client: 'cline', path, format: 'mcpServers', scope: 'user' }];
  },
};
