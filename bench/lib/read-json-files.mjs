// Baseline for the scan-scale benchmark: read and JSON.parse each file named on the command line,
// count the MCP server entries (mcpServers objects) so the work is not optimised away, print the
// count. The floor of any scanner: nothing of MCP Warden, no database.
import { readFileSync } from 'node:fs';

let servers = 0;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  servers += Object.keys(doc.mcpServers ?? {}).length;
}
process.stdout.write(`${JSON.stringify({ files: process.argv.length - 2, servers })}\n`);
