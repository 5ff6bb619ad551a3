/**
 * Server processes: how both the probe and the launcher start one (`spawnServer`), build what it
 * sees (`buildEnvironment`, the login shell's PATH, secrets resolved in memory), scrub its output
 * (`Redactor`) and end it with everything it started (`killProcessTree`). The public surface of
 * `core/process/`.
 */
export { pdeathsigHelper, spawnArguments, spawnServer, type ServerCommand, type SpawnServerOptions } from './spawn.ts';
export { buildEnvironment, fillHandles, handlesIn, Redactor, resolveSecrets, SAFE_ENV_KEYS, SAFE_ENV_KEYS_WINDOWS, type BuildEnvironmentInput } from './environment.ts';
export { loginShellPath, readLoginShellPath, setLoginShellPath, LOGIN_SHELL_TIMEOUT_MS } from './login-path.ts';
export { descendantsOf, killProcessTree, DEFAULT_KILL_GRACE_MS } from './kill-tree.ts';
