import { dataDirFrom, type GlobalOptions } from '../context.ts';

/**
 * `mcp-warden run <name>`: what a client config runs instead of the server. stdout belongs to the
 * MCP protocol, so nothing but the server's (and the launcher's own JSON-RPC answers) goes there;
 * the launcher speaks on stderr. Ends the process with the server's exit code.
 */
export async function run(name: string, options: GlobalOptions): Promise<void> {
  const { runLauncher } = await import('../../core/launcher/session.ts');
  const code = await runLauncher({ dataDir: dataDirFrom(options), name });
  process.exit(code);
}
