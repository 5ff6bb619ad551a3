#!/usr/bin/env node
// Entry point of the `mcp-warden` command: checks the Node version, then runs the bundled CLI.
import fs from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 14)) {
  process.stderr.write(`mcp-warden: MCP Warden needs Node.js 22.14 or newer (24 recommended), but this is ${process.version}.\n`);
  process.exit(1);
}
// Reuse V8's compiled code across runs: the CLI is started often, by scripts and other tools. Never in
// Node's default folder: that is <tmp>/node-compile-cache, which another local user can create first
// and fill with compiled code that we would then run. Our own folder, 0700 and ours, or no cache.
const cacheDir = privateCompileCacheDir();
if (cacheDir !== undefined) module.enableCompileCache?.(cacheDir);
try {
  await import('../dist/cli/run.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/run.js')) {
    process.stderr.write('mcp-warden: the CLI is not built yet: run `npm run build:cli` in the MCP Warden folder.\n');
    process.exit(1);
  }
  throw error;
}

/** `<user cache>/mcp-warden/compile-cache`, created 0700; undefined unless it is a folder of ours that no one else can write. */
function privateCompileCacheDir() {
  const base = process.platform === 'win32'
    ? process.env.LOCALAPPDATA
    : process.env.XDG_CACHE_HOME || (process.platform === 'darwin' ? path.join(os.homedir(), 'Library', 'Caches') : path.join(os.homedir(), '.cache'));
  if (!base || !path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'mcp-warden', 'compile-cache');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return undefined;
    if (process.platform !== 'win32' && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}
