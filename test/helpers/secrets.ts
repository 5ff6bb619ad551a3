import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { openStore } from '../../core/store/database.ts';
import { envWith } from './cli.ts';

/** The OS keychain as the data directory `home` uses it (its install id scopes the entries). */
export function keychainOf(home: string): OsKeychain {
  const store = openStore(home);
  try {
    return new OsKeychain(store.installId);
  } finally {
    store.close();
  }
}

/** Every file under `dir` (the WAL and shared-memory files included) whose bytes contain `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => statSync(file).isFile() && readFileSync(file).includes(Buffer.from(needle)));
}

/**
 * Starts a client config entry the way a client does (SDK client over stdio, the entry's env over the
 * test's) and asks the echo-env fixture for the variable `name`: what the server really received.
 */
export async function envThroughEntry(entry: { command: string; args: string[]; env?: Record<string, string> }, env: Record<string, string | undefined>, name: string): Promise<string> {
  const childEnv = Object.fromEntries(Object.entries({ ...envWith(env), ...(entry.env ?? {}) }).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({ command: entry.command, args: entry.args, env: childEnv, stderr: 'pipe' });
  const client = new Client({ name: 'mcp-warden-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    const result = (await client.callTool({ name: 'env', arguments: { name } })) as { content: { type: string; text: string }[] };
    return result.content[0]?.text ?? '';
  } finally {
    await client.close();
  }
}
