// Baseline for the probe-all benchmark: probes stdio MCP servers one after another with nothing but
// the SDK's Client and StdioClientTransport, and prints each probe's wall time as one JSON document.
// Argument: a JSON file holding [{ name, command, args, env }]. Per server: spawn, initialize, then
// tools/list, prompts/list, resources/list and resources/templates/list as its capabilities declare
// (every page), then stop it. Stopping is done as MCP Warden does it (stdin closed and SIGTERM at
// once, then wait for the process to be gone), not with the SDK's close() alone, which gives a
// server 2 s to leave on its own before signalling it: that grace would be measured, not the probe.
// A probe's wall time runs from spawn to the process being gone. Run it under GNU time to get the
// CPU of the client and every server (they are its waited-for children).
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const servers = JSON.parse(readFileSync(process.argv[2], 'utf8'));

async function listAll(list, key) {
  const items = [];
  let cursor;
  do {
    const page = await list(cursor === undefined ? undefined : { cursor });
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}

async function probe(server) {
  const transport = new StdioClientTransport({ command: server.command, args: server.args, env: server.env, stderr: 'ignore' });
  const client = new Client({ name: 'bench-sequential-probe', version: '0.0.0' }, { capabilities: {} });
  const counts = { tools: 0, prompts: 0, resources: 0, resource_templates: 0 };
  try {
    await client.connect(transport);
    const caps = client.getServerCapabilities() ?? {};
    if (caps.tools) counts.tools = (await listAll((p) => client.listTools(p), 'tools')).length;
    if (caps.prompts) counts.prompts = (await listAll((p) => client.listPrompts(p), 'prompts')).length;
    if (caps.resources) {
      counts.resources = (await listAll((p) => client.listResources(p), 'resources')).length;
      counts.resource_templates = (await listAll((p) => client.listResourceTemplates(p), 'resourceTemplates')).length;
    }
    return { name: server.name, ok: true, ...counts, ms: 0 };
  } catch (error) {
    return { name: server.name, ok: false, error: String(error?.message ?? error), ms: 0 };
  } finally {
    const pid = transport.pid;
    if (pid !== null && pid !== undefined) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    await client.close(); // resolves on the process's 'close' event
  }
}

const started = performance.now();
const probes = [];
for (const server of servers) {
  const begin = performance.now();
  const result = await probe(server);
  result.ms = Math.round((performance.now() - begin) * 100) / 100;
  probes.push(result);
}
process.stdout.write(`${JSON.stringify({ total_ms: Math.round((performance.now() - started) * 100) / 100, probes })}\n`);
