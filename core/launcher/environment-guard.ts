/**
 * What in the launcher's own environment could have loaded code into it: the launcher reads the
 * keychain, so it refuses to start when its environment or its Node flags carry settings that load
 * code (`docs/launcher.md`, "Code-loading settings"). It sets none of them itself, so any found came
 * from whoever started it (the client config entry, or the client's own environment).
 *
 * On Linux the environment the process was started with is read from /proc/self/environ too: a
 * payload preloaded by NODE_OPTIONS can delete `process.env.NODE_OPTIONS`, but not that record.
 */
import { readFileSync } from 'node:fs';

/** Variables that make the dynamic loader, Node or OpenSSL load code or modules from elsewhere. */
export const CODE_LOADING_VARIABLES = [
  'NODE_OPTIONS', // --require, --import, --loader... (harmless flags alone are allowed, see SAFE_NODE_FLAGS)
  'NODE_PATH', // extra module search path: the CLI resolves optional native packages by name
  'NODE_REPL_EXTERNAL_MODULE', // a module Node loads instead of its REPL
  'NODE_COMPILE_CACHE', // V8 code cache the CLI's entry enables: compiled code read from that folder
  'LD_PRELOAD', // shared objects loaded into every process
  'LD_LIBRARY_PATH', // where shared objects are looked up first
  'LD_AUDIT', // loader audit modules
  'GCONV_PATH', // iconv modules glibc loads
  'OPENSSL_CONF', // may load engines and providers
  'OPENSSL_ENGINES',
  'OPENSSL_MODULES',
] as const;
/** Every variable with this prefix counts (macOS: DYLD_INSERT_LIBRARIES, DYLD_LIBRARY_PATH, ...). */
export const CODE_LOADING_PREFIXES = ['DYLD_'] as const;

/**
 * Node flags that load no code, allowed in NODE_OPTIONS and on the command line (users set memory
 * limits and warning switches globally); anything else counts as code-loading.
 */
const SAFE_NODE_FLAGS = /^--(?:max-old-space-size=\d+|max-semi-space-size=\d+|no-warnings|no-deprecation|trace-warnings|trace-deprecation|enable-source-maps|use-openssl-ca|use-bundled-ca|use-system-ca|dns-result-order=(?:ipv4first|ipv6first|verbatim))$/;

export interface UnsafeSetting {
  /** The variable's name, or `node flag` for a flag on Node's command line. */
  name: string;
  /** Why it is refused, in a few words; never its value (it may hold a path or a token). */
  why: string;
}

export interface EnvironmentSources {
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
  /** The environment the process started with (Linux: /proc/self/environ), when readable. */
  initial: Record<string, string> | undefined;
  /** Default this process's: on Windows names are case-insensitive (Node reads `node_options` as NODE_OPTIONS). */
  platform?: NodeJS.Platform;
}

export function currentSources(): EnvironmentSources {
  return { env: process.env, execArgv: process.execArgv, initial: initialEnvironment() };
}

/** The code-loading settings found, each once; empty when none. */
export function unsafeSettings(sources: EnvironmentSources = currentSources()): UnsafeSetting[] {
  const found = new Map<string, UnsafeSetting>();
  const windows = (sources.platform ?? process.platform) === 'win32';
  for (const env of [sources.env, sources.initial ?? {}]) {
    for (const [written, value] of Object.entries(env)) {
      const name = windows ? written.toUpperCase() : written;
      if (value === undefined || value === '' || found.has(name)) continue;
      if (name === 'NODE_OPTIONS') {
        if (!onlySafeFlags(value.split(/\s+/).filter((flag) => flag !== ''))) found.set(name, { name, why: 'it passes Node flags that can load code' });
      } else if ((CODE_LOADING_VARIABLES as readonly string[]).includes(name) || CODE_LOADING_PREFIXES.some((prefix) => name.startsWith(prefix))) {
        found.set(name, { name, why: 'it makes the launcher load code from elsewhere' });
      }
    }
  }
  if (!onlySafeFlags(sources.execArgv)) found.set('node flag', { name: 'node flag', why: `Node was started with ${sources.execArgv.filter((f) => !SAFE_NODE_FLAGS.test(f)).map((f) => f.split('=')[0]).join(' ')}` });
  return [...found.values()];
}

function onlySafeFlags(flags: readonly string[]): boolean {
  return flags.every((flag) => SAFE_NODE_FLAGS.test(flag));
}

function initialEnvironment(): Record<string, string> | undefined {
  if (process.platform !== 'linux') return undefined;
  let raw: string;
  try {
    raw = readFileSync('/proc/self/environ', 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}
