/**
 * "Move to keychain" beside a plaintext-secret finding on the Clients screen: after a confirmation
 * that says what happens, `secureServer` stores each plaintext value of that server's entry in the
 * OS keychain, rewrites the entry to run through the launcher with `{{secret:NAME}}` handles and
 * keeps a backup; its rescan of the file resolves the finding.
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
  const what = moved.map((m) => `${m.location} as ${m.secret}`).join(', ');
  return `Moved ${moved.length === 1 ? 'one value' : `${moved.length} values`} of ${server} to the keychain (${what})${backups.length > 0 ? `; the file as it was is kept at ${backups.join(', ')}` : ''}.`;
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
        // The engine re-scanned the file, which resolved the finding: reloading drops it from the list.
        props.onDone(securedMessage(finding.server_name, items));
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
        disabled={state.kind === 'running'}
        onClick={() => setState({ kind: 'confirm' })}
      >
        {/* Named "Move <location> of <server> to the keychain" from its text, so the visible words stay inside the name (no aria-label). */}
        Move <span className="visually-hidden">{`${where} of ${finding.server_name} `}</span>
        to <span className="visually-hidden">the </span>
        keychain
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
