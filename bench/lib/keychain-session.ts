// Benchmarks that attest sign with the device key in the OS keychain. On Linux, `inKeychainSession`
// re-runs the calling benchmark inside a private D-Bus session (dbus-run-session) and, once inside,
// starts a throwaway unlocked gnome-keyring, as npm test does. Elsewhere the OS keychain is used.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SESSION_FLAG = 'MCP_WARDEN_BENCH_DBUS';
const repo = path.resolve(import.meta.dirname, '..', '..');

/**
 * Call first thing with the benchmark's `import.meta.url`. Outside the session it runs the benchmark
 * again inside one and exits with its status (never returns); inside, it starts the keyring and
 * returns its handle (`stop()` removes it), or undefined off Linux.
 */
export async function inKeychainSession(benchmarkUrl: string, name: string): Promise<{ stop(): void } | undefined> {
  if (process.platform !== 'linux') return undefined;
  if (process.env[SESSION_FLAG] !== '1') {
    for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
      if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
        process.stderr.write(`${name}: attesting needs a keychain: install the Debian packages dbus and gnome-keyring (${tool} is missing).\n`);
        process.exit(1);
      }
    }
    const run = spawnSync('dbus-run-session', ['--', process.execPath, fileURLToPath(benchmarkUrl), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [SESSION_FLAG]: '1' } });
    process.exit(run.status ?? 1);
  }
  const session = (await import(pathToFileURL(path.join(repo, 'scripts', 'keyring-session.mjs')).href)) as { startKeyring(): Promise<{ stop(): void }> };
  return session.startKeyring();
}
