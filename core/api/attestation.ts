/**
 * The attestation contract: what a statement holds, the DSSE envelope that signs it, and what
 * `verify` reports. Plain types, no runtime code, so any interface (CLI, REST, IPC, renderer) can
 * import them. (Candidates to move to core/api/attestation.ts, beside the other contracts.)
 */
import type { Transport } from './server.ts';

export const ATTESTATION_PAYLOAD_TYPE = 'application/vnd.mcp-warden.attestation+json';
export const STATEMENT_TYPE = 'https://mcp-warden.dev/attestation/v1';

/** An interpreter whose script file is measured, or a package runner whose package is. */
export type Launcher = 'node' | 'python' | 'deno' | 'bun' | 'npx' | 'npm-exec';

/** A file that was (or could not be) hashed. */
export interface FileMeasurement {
  /** Absolute path. */
  path: string;
  /** Lowercase hex SHA-256, or null when the file could not be read (`problem` says why). */
  sha256: string | null;
  problem: string | null;
}

export interface ExecutableMeasurement extends FileMeasurement {
  /** The path with every symbolic link resolved (`/usr/bin/python3` -> `/usr/bin/python3.12`). */
  real_path: string | null;
}

/** The npm package an `npx` / `npm exec` launch runs, as installed on this machine. */
export interface PackageMeasurement {
  /** The spec as written in the launch (`@scope/name@1.2.3`). */
  spec: string;
  name: string | null;
  version: string | null;
  /** The tarball's SRI integrity from the lockfile (`sha512-<base64>`). */
  integrity: string | null;
  /** Where it was found: npx's cache (`<npm cache>/_npx/<hash>`) or a `node_modules` above the cwd. */
  source: 'npx-cache' | 'node_modules' | null;
  /** The installed package directory. */
  dir: string | null;
  /** The file its `bin` entry runs, hashed: catches an installed package edited on disk. */
  entry: FileMeasurement | null;
  problem: string | null;
}

/** The one artifact a publisher checksum is compared with. */
export interface PrimaryArtifact {
  kind: 'script' | 'package' | 'executable';
  /** The file, or the package directory. */
  path: string;
  /** `sha256:<hex>` for a file, the SRI integrity for a package; null when unmeasured. */
  checksum: string | null;
}

/** What the publisher said the server should be, and their signature over it. */
export interface PublisherClaim {
  /** `ed25519:<base64>`, or null when only a checksum was recorded. */
  key: string | null;
  /** `sha256:<hex>` or an SRI string (`sha512-<base64>`), or null when only a key was recorded. */
  checksum: string | null;
  /** Base64 Ed25519 signature over the RFC 8785 canonical JSON of `attestation_data`. */
  signature: string | null;
  attestation_data: Record<string, unknown> | null;
}

/** The signed statement of what a server runs. Every field is compared by `verify` except `measured_at`. */
export interface AttestationStatement {
  _type: typeof STATEMENT_TYPE;
  server: { id: string; name: string };
  transport: Transport;
  /** The resolved executable (stdio); null for an http or sse server. */
  executable: ExecutableMeasurement | null;
  launcher: Launcher | null;
  /** The script an interpreter runs (`node server.js`). */
  script: FileMeasurement | null;
  /** The package `npx` / `npm exec` runs. */
  package: PackageMeasurement | null;
  args: string[];
  cwd: string | null;
  /** Environment variable names (never values), sorted. */
  env_keys: string[];
  /** HTTP header names (never values), lowercased and sorted. */
  header_names: string[];
  url: string | null;
  /** The pinned manifest hash (core/pins), or null when the server was never pinned. */
  manifest_sha256: string | null;
  /** The name and version the server reported in its latest successful probe; null if never probed. */
  reported: { name: string; version: string } | null;
  artifact: PrimaryArtifact | null;
  publisher: PublisherClaim | null;
  measured_at: string;
}

/** A DSSE envelope (https://github.com/secure-systems-lab/dsse). */
export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the statement's RFC 8785 canonical JSON. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export type EnvelopeVerdict =
  | { ok: true; statement: AttestationStatement; keyid: string }
  | { ok: false; reason: string };

/** One thing that no longer matches the attestation. */
export interface AttestationDifference {
  /** Dotted field of the statement (`script.sha256`, `package.version`, `args`), or `signature`, `publisher.match`. */
  field: string;
  /** What it is, for a person: `script file /srv/server.js`, `arguments`. */
  label: string;
  before: unknown;
  after: unknown;
  /** Why the new value is missing, when it is (`The file /srv/server.js does not exist.`). */
  note?: string;
}

export interface Attestation {
  id: number;
  server_id: string;
  at: string;
  status: 'valid' | 'failed';
  verified_at: string | null;
  differences: AttestationDifference[];
  /** The signing key, `ed25519:<base64>`. */
  keyid: string;
  statement: AttestationStatement;
  envelope: DsseEnvelope;
}
