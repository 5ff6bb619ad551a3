/** Where MCP Warden is installed, found from this module whether it runs from source or from the bundled CLI. */
import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The folder holding MCP Warden's package.json and bin/mcp-warden.mjs. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'bin', 'mcp-warden.mjs')) && fs.existsSync(path.join(dir, 'package.json'))) return (root = dir);
    if (path.dirname(dir) === dir) return (root = import.meta.dirname);
  }
}

export function packageVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
