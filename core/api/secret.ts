/** Secret metadata. The value lives only in the OS keychain and never appears in these shapes. */
export interface SecretInfo {
  name: string;
  description: string;
  created_at: string;
  /** Names of the servers whose env_template or headers hold a handle to this secret. */
  used_by: string[];
}

export interface KeychainStatus {
  available: boolean;
  /** False when secrets would not survive a logout (or there is no keychain at all). */
  persistent: boolean;
  backend: 'macos-keychain' | 'windows-credential-manager' | 'secret-service' | 'none';
  /** One sentence for the user when the keychain cannot be used, with the fix. */
  problem?: string;
}
