import { dataDirFrom, type GlobalOptions } from '../context.ts';

/**
 * `mcp-warden run <name>`: what a client config runs instead of the server. stdout belongs to the
 * MCP protocol, so nothing but the server's (and the launcher's own JSON-RPC answers) goes there;
 * the launcher speaks on stderr. Ends the process with the server's exit code.
 */
export async function run(name: string, options: GlobalOptions): Promise<void> {
  // First of all, before the launcher's modules (and the native ones they load) are imported:
  // settings that load code (NODE_OPTIONS, LD_PRELOAD, ...) make the launcher refuse to start.
  const { unsafeSettings } = await import('../../core/launcher/environment-guard.ts');
  const unsafe = unsafeSettings();
  const { runLauncher } = await import('../../core/launcher/session.ts');
  const code = await runLauncher({ dataDir: dataDirFrom(options), name, unsafe });
  process.exit(code);
}
