// `npm test`: the whole suite, the same on a developer machine and in CI.
// 1. runs itself under Node >= 22.14 (installing Node 24 from npm when the machine's is older);
// 2. on Linux, runs itself inside a private D-Bus session with an unlocked gnome-keyring, so the
//    keychain tests talk to a real Secret Service without touching the user's own keyring;
// 3. builds the CLI, type-checks every project, and runs the tests with Node's test runner.
// Arguments are test files or globs to run instead of the whole suite.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './ensure-node.mjs';
import { startKeyring } from './keyring-session.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
process.chdir(root);

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
  code = step('Building the CLI', node, ['scripts/build-cli.mjs']) || (args.length === 0 ? typecheck() : 0) || runTests();
} finally {
  keyring?.stop();
}
process.exit(code);

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
