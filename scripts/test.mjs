// `npm test`: the whole suite, the same on a developer machine and in CI.
// 1. runs itself under Node >= 22.14 (installing Node 24 from npm when the machine's is older);
// 2. on Linux, runs itself inside a private D-Bus session with an unlocked gnome-keyring, so the
//    keychain tests talk to a real Secret Service without touching the user's own keyring;
// 3. builds the CLI, builds the desktop/web UI with electron-vite when out/renderer is missing or older
//    than its sources (the end-to-end tests drive that build in Chromium through `serve`),
//    type-checks every project, and runs the tests with Node's test runner.
// Arguments are test files or globs to run instead of the whole suite.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './ensure-node.mjs';
import { startKeyring } from './keyring-session.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
process.chdir(root);
// What `electron-vite build` reads: the renderer, the core modules it imports (WardenClient, schemas),
// the Electron main/preload/shared code and the build config.
const UI_SOURCES = ['renderer', 'core', 'electron', 'electron.vite.config.ts', 'package.json'];
const UI_BUILT = path.join(root, 'out', 'renderer', 'index.html');

const node = ensureNode();
// Under a provisioned Node, put it first on PATH too, so every `node` the tests start is the same one.
if (node !== process.execPath) process.exit(run(node, [self, ...args], { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` }));

if (process.platform === 'linux' && process.env.MCP_WARDEN_TEST_DBUS !== '1') {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      fail(`The keychain tests need ${tool}: install the Debian packages dbus and gnome-keyring (apt-get install dbus gnome-keyring libsecret-tools).`);
    }
  }
  process.exit(run('dbus-run-session', ['--', node, self, ...args], { MCP_WARDEN_TEST_DBUS: '1' }));
}

const keyring = process.platform === 'linux' ? await startKeyring().catch((error) => fail(error.message)) : undefined;
let code = 1;
try {
  // Named test files run alone, for quick iterations; the whole suite type-checks first.
  code = step('Building the CLI', node, ['scripts/build-cli.mjs']) || buildUi() || (args.length === 0 ? typecheck() : 0) || runTests();
} finally {
  keyring?.stop();
}
process.exit(code);

/** Newest modification time under `entry` (a file or a folder, walked), in ms; 0 when missing. */
function newest(entry) {
  let stat;
  try {
    stat = statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs; // a deleted file shows as its folder's change
  for (const name of readdirSync(entry)) {
    if (name !== 'node_modules') latest = Math.max(latest, newest(path.join(entry, name)));
  }
  return latest;
}

/** Builds out/ only when stale: a few hundred stat calls instead of a build on every run. */
function buildUi() {
  const built = newest(UI_BUILT);
  const sources = Math.max(...UI_SOURCES.map((entry) => newest(path.join(root, entry))));
  if (built > sources) return 0;
  const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  return step('Building the UI (electron-vite build)', node, [cli, 'build', '--logLevel', 'warn']);
}

function typecheck() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['tsconfig.json', 'tsconfig.electron.json', 'tsconfig.web.json']) {
    const status = step(`Type-checking ${project}`, node, [tsc, '-p', project]);
    if (status !== 0) return status;
  }
  return 0;
}

function runTests() {
  const files = args.length > 0 ? args : ['test/**/*.test.ts'];
  return step('Running the tests', node, ['--test', '--test-concurrency=2', '--test-timeout=300000', ...files]);
}

function step(title, command, commandArgs) {
  process.stderr.write(`\n== ${title}\n`);
  return run(command, commandArgs);
}

function run(command, commandArgs, extraEnv = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.error) fail(`Could not run ${command}: ${result.error.message}.`);
  return result.status ?? 1;
}

function fail(message) {
  process.stderr.write(`npm test: ${message}\n`);
  process.exit(1);
}
