import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { pathApi, vscodeUserDir } from '../platform-paths.ts';

export const vscode: ClientDefinition = {
  id: 'vscode',
  displayName: 'VS Code',
  locations(where: PlatformEnv): ConfigLocation[] {
    const p = pathApi(where);
    const dir = vscodeUserDir(where);
    return [
      { client: 'vscode', path: p.join(dir, 'mcp.json'), format: 'vscode-mcp', scope: 'user' },
      // Older VS Code releases kept servers under "mcp.servers" in settings.json, and still read them.
      { client: 'vscode', path: p.join(dir, 'settings.json'), format: 'vscode-settings', scope: 'user' },
    ];
  },
};
