import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { inHome, pathApi, roamingAppData, xdgConfigHome } from '../platform-paths.ts';

const FILE = 'claude_desktop_config.json';

export const claudeDesktop: ClientDefinition = {
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  locations(where: PlatformEnv): ConfigLocation[] {
    const p = pathApi(where);
    let paths: string[];
    switch (where.platform) {
      case 'darwin':
        paths = [inHome(where, 'Library', 'Application Support', 'Claude', FILE)];
        break;
      case 'win32':
        paths = [p.join(roamingAppData(where), 'Claude', FILE)];
        break;
      default:
        // Anthropic ships no Linux build; the community builds use either folder name, so both are watched.
        paths = [p.join(xdgConfigHome(where), 'Claude', FILE), p.join(xdgConfigHome(where), 'claude', FILE)];
    }
    return paths.map((path) => ({ client: 'claude-desktop', path, format: 'mcpServers', scope: 'user' }));
  },
};
