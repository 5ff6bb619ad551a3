import type { ConfigLocation, PlatformEnv } from '../../api/discovery.ts';
import type { ClientDefinition } from '../client.ts';
import { inHome } from '../platform-paths.ts';

/** Gemini CLI reads `url` as an SSE endpoint and `httpUrl` as Streamable HTTP (see parse rules). */
export const geminiCli: ClientDefinition = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  locations(where: PlatformEnv): ConfigLocation[] {
    return [{ client: 'gemini-cli', path: inHome(where, '.gemini', 'settings.json'), format: 'mcpServers', scope: 'user' }];
  },
};
