import { readFileSync } from 'node:fs';
import path from 'node:path';
import { invalidInput, WardenError } from '../../core/api/errors.ts';
import { attestServer, exportAttestation, verifyAll, verifyServer } from '../../core/attest/attest.ts';
import { verifyEnvelope } from '../../core/attest/dsse.ts';
import { getServer } from '../../core/registry/read.ts';
import { OsKeychain } from '../../core/secrets/keychain.ts';
import { recomputeTrust } from '../../core/trust/record.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { print, printError, printJson } from '../output.ts';

export async function attest(name: string, options: GlobalOptions & { json?: boolean; out?: string; publisherKey?: string; checksum?: string; signature?: string }): Promise<void> {
  const done = await withStore(options, (store) => {
    const server = getServer(store.db, name);
    const result = attestServer(store, new OsKeychain(store.installId), server, {
      publisherKey: options.publisherKey,
      checksum: options.checksum,
      publisherSignature: options.signature,
    });
    const exported = options.out === undefined ? undefined : exportAttestation(store, server, options.out, { id: result.attestation.id });
    return { result, exported };
  });
  if (options.json === true) return printJson({ attestation: done.result.attestation, envelope: done.result.envelope, ...(done.exported ? { exported_to: done.exported.file } : {}) });
  const s = done.result.attestation.statement;
  const what = [
    s.executable ? `executable ${s.executable.path} sha256:${s.executable.sha256}` : null,
    s.script ? `script ${s.script.path} sha256:${s.script.sha256}` : null,
    s.package ? `package ${s.package.name}@${s.package.version ?? '?'} ${s.package.integrity ?? ''}`.trim() : null,
    s.url ? `url ${s.url}` : null,
    `manifest ${s.manifest_sha256 ?? 'not pinned'}`,
  ].filter(Boolean);
  print(`Attested "${name}" (attestation ${done.result.attestation.id}), signed by ${done.result.envelope.signatures[0]?.keyid ?? 'the device key'}:\n  ${what.join('\n  ')}\n`);
  if (done.exported) print(`Wrote the signed envelope to ${done.exported.file}.\n`);
}

export async function verify(name: string | undefined, options: GlobalOptions & { all?: boolean; json?: boolean }): Promise<void> {
  if ((name === undefined) === (options.all !== true)) throw invalidInput('name', 'Name one server to verify, or pass --all.');
  const results = await withStore(options, (store) => {
    return name === undefined ? verifyAll(store) : [verifyServer(store, getServer(store.db, name))];
  });
  if (options.json === true) printJson({ verifications: results });
  else {
    for (const r of results) {
      if (r.ok) print(`✓ ${r.name}: matches attestation ${r.attestation_id}\n`);
      else print(`✗ ${r.name}: attestation ${r.attestation_id} FAILED: ${r.differences.map((d) => `${d.label} changed (${short(d.before)} -> ${short(d.after)})${d.note ? `: ${d.note}` : ''}`).join('; ')}\n`);
    }
    if (results.length === 0) print('No server has been attested yet.\n');
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

const short = (v: unknown): string => {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text === undefined ? 'none' : text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** Offline verification of an exported envelope: needs only the file and the public key. */
export async function verifyFile(file: string, options: { key?: string; json?: boolean }): Promise<void> {
  if (options.key === undefined) throw invalidInput('key', 'Pass the signer\'s public key with --key ed25519:<base64>.');
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    throw new WardenError('not_found', `Cannot read ${path.resolve(file)}: ${(error as Error).message}.`, 'file');
  }
  const verdict = verifyEnvelope(text, options.key);
  if (options.json === true) printJson({ verification: verdict });
  else if (verdict.ok) print(`The attestation in ${file} is signed by ${options.key} and intact.\n`);
  if (!verdict.ok) {
    if (options.json !== true) printError(`mcp-warden: ${verdict.reason}\n`);
    process.exitCode = 1;
  }
}

export async function trust(name: string, options: GlobalOptions & { json?: boolean; history?: boolean }): Promise<void> {
  const { formatTrust } = await import('../../core/trust/format.ts');
  const { trustHistory } = await import('../../core/trust/record.ts');
  const out = await withStore(options, (store) => {
    const server = getServer(store.db, name);
    const recomputed = recomputeTrust(store.db, server.id);
    return { server, recomputed, history: options.history === true ? trustHistory(store.db, server.id) : undefined };
  });
  if (options.json === true) return printJson({ server: out.server.name, trust: out.recomputed.breakdown, ...(out.history ? { history: out.history } : {}) });
  print(`${formatTrust(out.server.name, out.recomputed.breakdown)}\n`);
}
