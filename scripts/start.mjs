// `npm start`: builds the desktop app with electron-vite, then opens it in Electron.
//
// Electron >= 42 downloads its binary lazily, on first launch, not at `npm install`. Requiring the
// `electron` package runs that download synchronously with no time limit and throws a stack trace
// when it fails, so this script never requires it: it runs the package's own install.js in a child
// process with a time limit, then spawns the binary itself. Wherever the window cannot be opened
// (no display, no download, Electron dies at start-up), it says so in one sentence and runs the
// headless mode instead: `mcp-warden serve`, whose web UI it opens in the browser when there is a
// display (otherwise serve's printed login link is the way in).
//
// Environment:
//   ELECTRON_EXEC_PATH                      use this Electron binary (no download)
//   ELECTRON_OVERRIDE_DIST_PATH             folder holding an unpacked Electron (no download)
//   MCP_WARDEN_ELECTRON_DOWNLOAD_TIMEOUT    seconds to wait for the first-launch download (60)
//   MCP_WARDEN_WINDOW_TIMEOUT               seconds to wait for the window to open (60)
//   MCP_WARDEN_PORT                         port of the headless fallback's serve (8080; 0 picks a free one)
//   MCP_WARDEN_START_NO_BUILD=1             use the existing out/ build instead of rebuilding it
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const DOWNLOAD_TIMEOUT_S = seconds('MCP_WARDEN_ELECTRON_DOWNLOAD_TIMEOUT', 60);
const WINDOW_TIMEOUT_S = seconds('MCP_WARDEN_WINDOW_TIMEOUT', 60);
const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

class CannotStart extends Error {}

function seconds(name, fallback) {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Only for what prevents even the headless mode: one sentence, exit 1. */
function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** True where a browser window can be shown: always on macOS and Windows, with an X or Wayland display elsewhere. */
function hasDisplay() {
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Opens a URL in the user's browser; a failure only means the printed link is the way in. */
function openInBrowser(url) {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', () => process.stderr.write(`Could not open a browser (${command}): open the link above yourself.\n`));
    child.unref();
  } catch {
    // spawn throws only for invalid arguments; the link is printed either way.
  }
}

/**
 * The headless mode: `mcp-warden serve` (the built CLI, built first when missing), its output passed
 * through, its web UI opened in the browser when there is a display. Exits with serve's exit code.
 */
async function serveInstead(reason) {
  process.stderr.write(`MCP Warden could not start its desktop window (${reason}), so it runs the headless mode instead (\`mcp-warden serve\`): ${hasDisplay() ? 'its web UI opens in your browser' : 'open the link below in a browser'}.\n`);
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 14)) {
    fail(`The headless mode needs Node.js 22.14 or newer, but this is ${process.version}: install a newer Node.js and run \`npm start\` again.`);
  }
  if (!existsSync(path.join(root, 'dist', 'cli', 'run.js'))) {
    const built = await run(process.execPath, [path.join(root, 'scripts', 'build-cli.mjs')], { capture: false });
    if (built.code !== 0) fail('Building the command-line tool failed (see above), so the headless mode cannot start either.');
  }
  const port = process.env.MCP_WARDEN_PORT || '8080';
  const child = spawn(process.execPath, [path.join(root, 'bin', 'mcp-warden.mjs'), 'serve', '--port', port], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    windowsHide: true,
  });
  let pending = '';
  let opened = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const link = /^Open the web UI: (\S+)/.exec(line)?.[1];
      if (link === undefined || opened) continue;
      opened = true;
      if (hasDisplay()) openInBrowser(link);
    }
  });
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(name, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(name === 'SIGHUP' ? 'SIGTERM' : name);
    });
  }
  child.on('error', (error) => fail(`The headless mode could not be started either: ${error.message}.`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

/** Runs a command; resolves with its exit code and captured output, or kills it after timeoutMs. */
function run(command, args, { timeoutMs, capture = true, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      windowsHide: true,
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-16_384)));
    child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-16_384)));
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs)
      : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, output, timedOut, error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** The last line of a log that is not a stack frame: for a printed error, its message. */
function lastMessage(text) {
  const lines = String(text)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('at '));
  return lines.at(-1) ?? '';
}

function clip(text, max = 240) {
  const oneLine = String(text).replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

async function build() {
  if (process.env.MCP_WARDEN_START_NO_BUILD === '1') return;
  const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(bin)) throw new CannotStart('electron-vite is not installed: run `npm install` first');
  const result = await run(process.execPath, [bin, 'build', '--logLevel', 'warn'], { capture: false });
  if (result.code !== 0) {
    throw new CannotStart(`building it with electron-vite failed${result.error ? `: ${result.error.message}` : ''}`);
  }
}

function checkDisplay() {
  if (!hasDisplay()) {
    throw new CannotStart('there is no graphical display: neither DISPLAY nor WAYLAND_DISPLAY is set');
  }
}

function platformExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (process.platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** Where the download would come from, for the error message (same variables as @electron/get). */
function downloadBase() {
  const env = process.env;
  return (
    env.npm_config_electron_mirror ||
    env.NPM_CONFIG_ELECTRON_MIRROR ||
    env.npm_package_config_electron_mirror ||
    env.ELECTRON_MIRROR ||
    DEFAULT_MIRROR
  );
}

/** Why the download host cannot be reached, or undefined when it answers. Waits at most 10 s. */
async function probe(url) {
  try {
    await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return undefined;
  } catch (error) {
    if (error?.name === 'TimeoutError') return 'no answer within 10 s';
    const cause = error?.cause;
    return clip(cause?.message || cause?.code || error?.message || String(error));
  }
}

/** Absolute path of the Electron binary, downloading it first (bounded) when it is missing. */
async function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) {
    if (!existsSync(process.env.ELECTRON_EXEC_PATH)) {
      throw new CannotStart(`ELECTRON_EXEC_PATH points to ${process.env.ELECTRON_EXEC_PATH}, which does not exist`);
    }
    return process.env.ELECTRON_EXEC_PATH;
  }
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, platformExecutable());
    if (!existsSync(binary)) throw new CannotStart(`ELECTRON_OVERRIDE_DIST_PATH holds no ${platformExecutable()}`);
    return binary;
  }

  let electronDir;
  let version;
  try {
    const manifest = require.resolve('electron/package.json', { paths: [root] });
    electronDir = path.dirname(manifest);
    version = JSON.parse(readFileSync(manifest, 'utf8')).version;
  } catch {
    throw new CannotStart('the electron package is not installed: run `npm install` first');
  }

  // install.js exits 0 at once when the right binary is already there; otherwise it downloads the
  // zip (cached under ~/.cache/electron), unpacks it into node_modules/electron/dist and writes path.txt.
  const notice = setTimeout(() => {
    process.stderr.write(`Downloading Electron ${version} for the first launch (waiting at most ${DOWNLOAD_TIMEOUT_S} s)...\n`);
  }, 3_000);
  const result = await run(process.execPath, [path.join(electronDir, 'install.js')], {
    timeoutMs: DOWNLOAD_TIMEOUT_S * 1000,
    env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
  });
  clearTimeout(notice);

  const base = downloadBase();
  const host = URL.canParse(base) ? new URL(base).host : base;
  if (result.timedOut) {
    throw new CannotStart(
      `its Electron ${version} binary did not finish downloading from ${host} within ${DOWNLOAD_TIMEOUT_S} s; ` +
        'run `npx install-electron` once to download it without a time limit',
    );
  }
  if (result.code !== 0) {
    const why = (URL.canParse(base) && (await probe(base))) || clip(lastMessage(result.output) || result.error?.message || `install.js exited with code ${result.code}`);
    throw new CannotStart(`its Electron ${version} binary is not installed and could not be downloaded from ${host}: ${why}`);
  }

  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const binary = path.join(electronDir, 'dist', relative || platformExecutable());
  if (!existsSync(binary)) throw new CannotStart(`the Electron binary is missing after installation: ${binary}`);
  return binary;
}

/** Picks the line of Electron's start-up log that says why it died. */
function electronFailure(stderr) {
  const lines = String(stderr)
    .split(/\r?\n/)
    // Chromium prefixes its log lines with [pid:tid/time:LEVEL:file(line)].
    .map((line) => line.replace(/^\[[^\]]*\]\s*/, '').trim())
    .filter(Boolean);
  const telling = lines.find((line) =>
    /x server|display|sandbox|shared libraries|cannot open|not supported|fatal|error/i.test(line),
  );
  return clip(telling ?? lines.at(-1) ?? '');
}

/** Starts Electron on the built app and resolves once its window is up; rejects if it is not. */
function launch(binary) {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make Electron behave as plain Node
  return new Promise((resolve, reject) => {
    // The extra 'ipc' pipe lets electron/main/index.ts report "window ready" with process.send.
    const child = spawn(binary, [root], { cwd: root, env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let ready = false;
    let stderr = '';
    const onStderr = (chunk) => {
      if (ready) process.stderr.write(chunk);
      else stderr = (stderr + chunk).slice(-32_768);
    };
    child.stderr.on('data', onStderr);

    const timer = setTimeout(() => {
      if (ready) return;
      settled = true;
      removeSignalHandlers();
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      reject(new CannotStart(`its window did not open within ${WINDOW_TIMEOUT_S} s${stderr ? `: ${electronFailure(stderr)}` : ''}`));
    }, WINDOW_TIMEOUT_S * 1000);

    child.on('message', (message) => {
      if (ready || message?.type !== 'mcp-warden:window-ready') return;
      ready = true;
      clearTimeout(timer);
      if (stderr) process.stderr.write(stderr);
      if (child.connected) child.disconnect();
      resolve(child);
    });
    // Before the window is up, an exit is a failure (or the single-instance hand-over). Wait for
    // stderr to drain ('close'), but not for long: a lingering helper process may hold it open.
    let settled = false;
    const settle = (code, signal) => {
      if (settled || ready) return;
      settled = true;
      clearTimeout(timer);
      removeSignalHandlers();
      if (code === 0) {
        // The single-instance lock: another MCP Warden already runs, and it focused its window.
        process.stderr.write('MCP Warden is already running: its window was brought to the front.\n');
        process.exit(0);
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const why = electronFailure(stderr);
      reject(new CannotStart(`Electron ${how} before its window opened${why ? `: ${why}` : ''}`));
    };
    child.on('exit', (code, signal) => {
      if (!ready) setTimeout(() => settle(code, signal), 2_000);
    });
    child.on('close', (code, signal) => settle(code, signal));
    child.on('error', (error) => {
      if (settled || ready) return;
      settled = true;
      clearTimeout(timer);
      removeSignalHandlers();
      reject(new CannotStart(`Electron could not be run: ${error.message}`));
    });

    // Passed on to Electron; removed when Electron failed, so the headless fallback handles its own.
    const handlers = ['SIGINT', 'SIGTERM', 'SIGHUP'].map((name) => {
      const handler = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(name);
        else process.exit(1);
      };
      process.on(name, handler);
      return [name, handler];
    });
    function removeSignalHandlers() {
      for (const [name, handler] of handlers) process.off(name, handler);
    }
  });
}

async function main() {
  await build();
  checkDisplay();
  const binary = await electronBinary();
  const child = await launch(binary);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error) => {
  void serveInstead(error instanceof CannotStart ? error.message : `unexpected error: ${clip(error?.message ?? error)}`);
});
