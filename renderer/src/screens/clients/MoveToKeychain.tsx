/**
 * "Move to keychain" beside a plaintext-secret finding on the Clients screen: after a confirmation
 * that says what happens, `secureServer` stores each plaintext value of that server's entry in the
 * OS keychain, rewrites the entry to run through the launcher with `{{secret:NAME}}` handles and
 * keeps a backup; the rescan that follows resolves the finding.
 */
import { useState } from 'react';
import type { ConfigFinding, WardenClient } from '../../../../core/api/client.ts';
import type { SecureResult } from '../../../../core/api/launcher.ts';
import { Dialog, ErrorState } from '../../components/index.ts';

type State = { kind: 'idle' } | { kind: 'confirm' } | { kind: 'running' } | { kind: 'error'; error: Error };

/** What was moved, in one sentence (the finding itself leaves the list after the rescan). */
export function securedMessage(server: string, items: SecureResult[]): string {
  const moved = items.flatMap((r) => r.moved);
  const backups = items.map((r) => r.backup).filter((b): b is string => b !== null);
  if (moved.length === 0) return `Nothing of ${server} needed moving: its entry holds no plaintext secret any more.`;
  return `Moved ${moved.map((m) => m.location).join(', ')} of ${server} to the keychain (as ${moved.map((m) => m.secret).join(', ')})${backups.length > 0 ? `; the file as it was is kept at ${backups.join(', ')}` : ''}.`;
}

export function MoveToKeychain(props: { client: WardenClient; finding: ConfigFinding & { server_name: string }; configPath: string; onDone: (message: string) => void }) {
  const { client, finding, configPath } = props;
  const [state, setState] = useState<State>({ kind: 'idle' });
  const where = finding.location ?? 'the secret';

  const run = (): void => {
    setState({ kind: 'running' });
    client.secureServer(finding.server_name).then(
      ({ items }) => {
        setState({ kind: 'idle' });
        // A rescan makes the finding's condition false, so it is resolved and leaves the list.
        void client.scanNow().finally(() => props.onDone(securedMessage(finding.server_name, items)));
      },
      (e: unknown) => setState({ kind: 'error', error: e instanceof Error ? e : new Error(String(e)) }),
    );
  };

  return (
    <>
      {' '}
      <button
        type="button"
        className="button small"
        aria-label={`Move ${where} of ${finding.server_name} to the keychain`}
        disabled={state.kind === 'running'}
        onClick={() => setState({ kind: 'confirm' })}
      >
        Move to keychain
      </button>
      {state.kind === 'running' && <span role="status"> Moving to the keychain…</span>}
      {state.kind === 'error' && <ErrorState error={state.error} />}
      <Dialog
        open={state.kind === 'confirm'}
        title="Move to keychain"
        onClose={() => setState({ kind: 'idle' })}
        actions={
          <button type="button" className="button primary" onClick={run}>
            Move to keychain
          </button>
        }
      >
        <p>
          MCP Warden will take every plaintext secret in the entry of <strong>{finding.server_name}</strong> in <code className="wrap">{configPath}</code> (here{' '}
          <code>{where}</code>) and:
        </p>
        <ul>
          <li>store each value in the OS keychain under a generated name;</li>
          <li>rewrite the entry to start the server through <code>mcp-warden run</code>, which puts the values back into its environment when it starts;</li>
          <li>keep a copy of the file as it was, next to it.</li>
        </ul>
        <p>Afterwards the file holds only <code>{'{{secret:NAME}}'}</code> handles; the client must be restarted to pick up the new entry.</p>
      </Dialog>
    </>
  );
}
