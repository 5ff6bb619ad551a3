// Finds a Node.js new enough for MCP Warden (>= 22.14), installing Node 24 from the npm registry's
// `node` package into a per-user cache when the machine's Node is older. Plain JavaScript that runs
// on old Node versions too. Used by `npm test`, `npm start` and .ci/run.
//   node scripts/ensure-node.mjs --bin-dir   prints the directory holding a suitable `node`
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIN = [22, 14];
export const WANTED_MAJOR = 24;

export function isSuitable(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN[0] || (major === MIN[0] && minor >= MIN[1]);
}

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'mcp-warden', `node-${WANTED_MAJOR}`);
}

/** Absolute path of a suitable node binary. */
export function ensureNode({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  if (isSuitable(process.version)) return process.execPath;
  const prefix = cacheDir();
  const bin = path.join(prefix, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(bin)) {
    log(`Node ${process.version} is older than ${MIN.join('.')}: installing Node ${WANTED_MAJOR} from the npm registry into ${prefix}.`);
    mkdirSync(prefix, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${WANTED_MAJOR}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!isSuitable(version)) throw new Error(`The installed ${bin} is ${version}, still older than ${MIN.join('.')}.`);
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bin = ensureNode();
  process.stdout.write(`${process.argv.includes('--bin-dir') ? path.dirname(bin) : bin}\n`);
}
