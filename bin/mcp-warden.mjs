#!/usr/bin/env node
// Entry point of the `mcp-warden` command: checks the Node version, then runs the bundled CLI.
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 14)) {
  process.stderr.write(`mcp-warden: MCP Warden needs Node.js 22.14 or newer (24 recommended), but this is ${process.version}.\n`);
  process.exit(1);
}
// Reuse V8's compiled code across runs: the CLI is started often, by scripts and other tools.
module.enableCompileCache?.();
try {
  await import('../dist/cli/run.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/run.js')) {
    process.stderr.write('mcp-warden: the CLI is not built yet: run `npm run build:cli` in the MCP Warden folder.\n');
    process.exit(1);
  }
  throw error;
}
