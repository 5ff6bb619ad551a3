import { createRequire } from 'node:module';
import type { KeychainStatus } from '../api/secret.ts';
import { unavailable, WardenError } from '../api/errors.ts';

/** Where secret values live. The OS keychain implements it; nothing else may hold a value. */
export interface Keychain {
  status(): KeychainStatus;
  set(name: string, value: string): void;
  get(name: string): string | null;
  /** True when a value was there to delete. */
  delete(name: string): boolean;
}

type KeyringModule = typeof import('@napi-rs/keyring');
type EntryOptions = import('@napi-rs/keyring').EntryOptions;

const BACKENDS: Partial<Record<NodeJS.Platform, KeychainStatus['backend']>> = {
  darwin: 'macos-keychain',
  win32: 'windows-credential-manager',
  linux: 'secret-service',
  freebsd: 'secret-service',
};

/**
 * The OS keychain through @napi-rs/keyring. On Linux every entry is pinned to the Secret Service:
 * the library would otherwise fall back silently to the kernel keyring, which loses secrets at
 * logout, so an absent Secret Service is reported as an unavailable keychain instead.
 */
export class OsKeychain implements Keychain {
  readonly service: string;
  readonly #platform: NodeJS.Platform;
  #keyring: KeyringModule | undefined;

  /** `scope` keeps two data directories' secrets apart (the database's install id). */
  constructor(scope: string, platform: NodeJS.Platform = process.platform) {
    this.service = `mcp-warden:${scope}`;
    this.#platform = platform;
  }

  status(): KeychainStatus {
    const backend = BACKENDS[this.#platform] ?? 'none';
    if (backend === 'none') {
      return { available: false, persistent: false, backend, problem: `MCP Warden has no keychain backend for ${this.#platform}.` };
    }
    try {
      this.#entry('.mcp-warden-probe').getPassword();
      return { available: true, persistent: true, backend };
    } catch (error) {
      return { available: false, persistent: false, backend, problem: this.#explain(error).message };
    }
  }

  set(name: string, value: string): void {
    this.#guard(() => this.#entry(name).setPassword(value));
  }

  get(name: string): string | null {
    return this.#guard(() => this.#entry(name).getPassword());
  }

  delete(name: string): boolean {
    return this.#guard(() => this.#entry(name).deleteCredential());
  }

  #entry(name: string) {
    this.#keyring ??= createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
    const options: EntryOptions = { linux: { store: 'secret-service' } };
    return new this.#keyring.Entry(this.service, name, options);
  }

  #guard<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw this.#explain(error);
    }
  }

  #explain(error: unknown): WardenError {
    const detail = String((error as Error)?.message ?? error).replace(/\.$/, '');
    if (this.#platform === 'linux' || this.#platform === 'freebsd') {
      return unavailable(
        `The OS keychain is not available, because no unlocked Secret Service answered on the D-Bus session bus (${detail}): start and unlock one (GNOME Keyring, KWallet or KeePassXC) and try again, since MCP Warden will not fall back to the kernel keyring, which forgets secrets at logout.`,
      );
    }
    return unavailable(`The OS keychain is not available (${detail}): unlock it and try again.`);
  }
}
