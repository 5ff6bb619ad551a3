/**
 * Attest and Verify with one click each. While one runs the panel says so (role="status"); after it,
 * the result and what was measured: the executable, the script or the package, with their sha256.
 */
import { useState } from 'react';
import type { AttestationDifference, AttestationStatement } from '../../../../core/api/attestation.ts';
import type { WardenClient } from '../../../../core/api/client.ts';
import type { ServerView } from '../../../../core/api/rest.ts';
import { DiffView, ErrorState, formatTime } from '../../components/index.ts';

type Outcome =
  | { kind: 'attested'; at: string; statement: AttestationStatement; keyid: string }
  | { kind: 'verified'; ok: boolean; statement: AttestationStatement; differences: AttestationDifference[] };

export interface AttestationState {
  running: 'attest' | 'verify' | null;
  outcome: Outcome | null;
  error: Error | null;
}

/** The attest/verify actions and their state, shared by the header buttons and the panel. */
export function useAttestation(client: WardenClient, id: string, onDone: () => void) {
  const [state, setState] = useState<AttestationState>({ running: null, outcome: null, error: null });
  const run = async (kind: 'attest' | 'verify'): Promise<void> => {
    setState((s) => ({ ...s, running: kind, error: null }));
    try {
      if (kind === 'attest') {
        const r = await client.attestServer(id, {});
        setState({ running: null, error: null, outcome: { kind: 'attested', at: r.attestation.at, statement: r.attestation.statement, keyid: r.attestation.keyid } });
      } else {
        const r = await client.verifyServer(id);
        setState({ running: null, error: null, outcome: { kind: 'verified', ok: r.ok, statement: r.statement, differences: r.differences } });
      }
    } catch (error) {
      setState((s) => ({ ...s, running: null, error: error instanceof Error ? error : new Error(String(error)) }));
    }
    onDone();
  };
  return { state, attest: () => void run('attest'), verify: () => void run('verify') };
}

/** The sha256 that identifies what runs: the script an interpreter runs, else the executable, else the package's entry file. */
export function measuredSha256(s: AttestationStatement): string | null {
  return s.script?.sha256 ?? s.executable?.sha256 ?? s.package?.entry?.sha256 ?? null;
}

export function AttestationPanel(props: { server: ServerView; state: AttestationState; onAttest: () => void; onVerify: () => void }) {
  const { server, state } = props;
  const current = server.attestation === 'valid' ? 'Attested; the last verification matched.' : server.attestation === 'failed' ? 'Attestation failed: the server no longer matches what was attested.' : 'Not attested yet.';
  return (
    <div data-testid="attestation-panel">
      <p>
        <span className={`pill ${server.attestation === 'valid' ? 'ok' : server.attestation === 'failed' ? 'bad' : ''}`}>{current}</span>
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={props.onAttest} disabled={state.running !== null}>
          Attest
        </button>
        <button type="button" className="button" onClick={props.onVerify} disabled={state.running !== null || server.attestation === null}>
          Verify
        </button>
      </div>
      {state.running !== null && (
        <p role="status" className="state-loading">
          <span className="spinner" aria-hidden="true" />
          {state.running === 'attest' ? 'Attesting…' : 'Verifying…'}
        </p>
      )}
      {state.error !== null && <ErrorState error={state.error} />}
      {state.outcome !== null && state.running === null && <Outcome outcome={state.outcome} />}
    </div>
  );
}

function Outcome(props: { outcome: Outcome }) {
  const o = props.outcome;
  const sha = measuredSha256(o.statement);
  return (
    <div className="attest-result">
      <p role="status" className={`pill ${o.kind === 'attested' || o.ok ? 'ok' : 'bad'}`}>
        {o.kind === 'attested'
          ? `Attested at ${formatTime(o.at)}, signed with this device's key.`
          : o.ok
            ? 'Verified: the server still matches its attestation.'
            : `Verification failed: ${o.differences.length} ${o.differences.length === 1 ? 'difference' : 'differences'}.`}
      </p>
      <p>
        Measured sha256:{' '}
        <code data-testid="measured-sha256" className="mono">
          {sha ?? 'nothing to hash (no local executable, script or package)'}
        </code>
      </p>
      {o.kind === 'verified' && o.differences.length > 0 && (
        <DiffView caption="What no longer matches" rows={o.differences.map((d) => ({ label: d.label, before: d.before, after: d.after, ...(d.note !== undefined ? { note: d.note } : {}) }))} />
      )}
      <h3>What was measured</h3>
      <Measured statement={o.statement} />
    </div>
  );
}

function Measured(props: { statement: AttestationStatement }) {
  const s = props.statement;
  return (
    <dl className="kv">
      <dt>Transport</dt>
      <dd>{s.transport}</dd>
      {s.executable !== null && (
        <>
          <dt>Executable</dt>
          <dd className="mono">
            {s.executable.real_path ?? s.executable.path}
            <br />
            sha256 {s.executable.sha256 ?? `not measured: ${s.executable.problem ?? 'unknown'}`}
          </dd>
        </>
      )}
      {s.launcher !== null && (
        <>
          <dt>Launcher</dt>
          <dd>{s.launcher}</dd>
        </>
      )}
      {s.script !== null && (
        <>
          <dt>Script</dt>
          <dd className="mono">
            {s.script.path}
            <br />
            sha256 {s.script.sha256 ?? `not measured: ${s.script.problem ?? 'unknown'}`}
          </dd>
        </>
      )}
      {s.package !== null && (
        <>
          <dt>Package</dt>
          <dd className="mono">
            {s.package.spec}
            {s.package.version !== null && ` (installed ${s.package.name ?? ''}@${s.package.version})`}
            {s.package.integrity !== null && (
              <>
                <br />
                integrity {s.package.integrity}
              </>
            )}
            {s.package.entry !== null && (
              <>
                <br />
                entry {s.package.entry.path} sha256 {s.package.entry.sha256 ?? 'not measured'}
              </>
            )}
            {s.package.problem !== null && (
              <>
                <br />
                {s.package.problem}
              </>
            )}
          </dd>
        </>
      )}
      {s.url !== null && (
        <>
          <dt>URL</dt>
          <dd className="mono">{s.url}</dd>
        </>
      )}
      <dt>Arguments</dt>
      <dd className="mono">{s.args.length === 0 ? '(none)' : s.args.join(' ')}</dd>
      {s.cwd !== null && (
        <>
          <dt>Working directory</dt>
          <dd className="mono">{s.cwd}</dd>
        </>
      )}
      <dt>Environment names</dt>
      <dd className="mono">{s.env_keys.length === 0 ? '(none)' : s.env_keys.join(', ')}</dd>
      <dt>Manifest pin</dt>
      <dd className="mono">{s.manifest_sha256 ?? 'not pinned'}</dd>
      {s.publisher !== null && (
        <>
          <dt>Publisher</dt>
          <dd className="mono">
            {s.publisher.key ?? 'no key'}; checksum {s.publisher.checksum ?? 'none'}
          </dd>
        </>
      )}
      <dt>Measured at</dt>
      <dd>{formatTime(s.measured_at)}</dd>
    </dl>
  );
}
