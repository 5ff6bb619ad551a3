/**
 * "Clients and launcher" on the server detail: every client config MCP Warden has seen, whether it
 * lists this server and whether that entry runs through the launcher (`mcp-warden run`), with
 * Attach / Detach per config. Attach writes the entry (absolute paths, backup kept); Detach puts
 * the plain entry back. The answer names the backup the engine made.
 */
import { useState } from 'react';
import type { ClientConfigView, ClientView } from '../../../../core/api/client.ts';
import type { AttachResult } from '../../../../core/api/launcher.ts';
import type { ServerView } from '../../../../core/api/rest.ts';
import { ErrorState, Loading } from '../../components/index.ts';
import { useAsync, useClient, useLiveRefetch } from '../../state/index.ts';

/** One config's entry for this server. */
type Entry = ClientConfigView['servers'][number];

interface Row {
  client: ClientView;
  config: ClientConfigView;
  entry: Entry | undefined;
  /** The accessible name suffix: the client, and the file when the client has several. */
  target: string;
}

function rowsOf(clients: ClientView[], serverId: string): Row[] {
  const rows: Row[] = [];
  for (const client of clients) {
    for (const config of client.configs) {
      const entry: Entry | undefined = config.servers.find((s) => s.id === serverId && s.present);
      rows.push({ client, config, entry, target: client.configs.length > 1 ? `${client.name} (${config.path})` : client.name });
    }
  }
  return rows;
}

type Outcome = { kind: 'done'; action: 'attach' | 'detach'; target: string; result: AttachResult } | { kind: 'error'; error: Error };

export function LauncherClients(props: { server: ServerView; onChanged: () => void }) {
  const client = useClient();
  const s = props.server;
  const clients = useAsync(() => client.listClients(), [client]);
  useLiveRefetch(clients.reload);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const act = (action: 'attach' | 'detach', row: Row): void => {
    const key = `${row.config.agent_id}:${action}`;
    setBusy(key);
    setOutcome(null);
    const body = { client: row.client.client, config_path: row.config.path };
    (action === 'attach' ? client.attachServer(s.id, body) : client.detachServer(s.id, body))
      .then(
        (result) => {
          setOutcome({ kind: 'done', action, target: row.target, result });
          clients.reload();
          props.onChanged();
        },
        (e: unknown) => setOutcome({ kind: 'error', error: e instanceof Error ? e : new Error(String(e)) }),
      )
      .finally(() => setBusy(null));
  };

  if (clients.data === undefined) return clients.error !== undefined ? <ErrorState error={clients.error} onRetry={clients.reload} /> : <Loading />;
  const rows = rowsOf(clients.data.items, s.id);
  return (
    <>
      <p className="muted">
        Attached entries start this server through <code>mcp-warden run</code>, which fills in keychain secrets, checks the attestation and records every tool call.
      </p>
      {rows.length === 0 ? (
        <p className="muted">No client config was found on this machine: install or configure an AI client, then scan on the Clients screen.</p>
      ) : (
        <table className="table launcher-clients">
          <caption className="visually-hidden">Client configs and whether they start this server through the launcher</caption>
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Config file</th>
              <th scope="col">This server</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const attached = row.entry?.attached ?? false;
              const action = attached ? 'detach' : 'attach';
              const label = attached ? `Detach from ${row.target}` : `Attach to ${row.target}`;
              return (
                <tr key={row.config.agent_id} data-testid="launcher-client">
                  <td>{row.client.name}</td>
                  <td>
                    <code className="wrap">{row.config.path}</code>
                  </td>
                  <td>{row.entry === undefined ? 'not listed' : attached ? `attached (entry ${row.entry.key})` : `listed, not attached (entry ${row.entry.key})`}</td>
                  <td>
                    <button type="button" className="button small" disabled={busy !== null || row.config.state === 'unparseable'} aria-label={row.client.configs.length > 1 ? label : undefined} onClick={() => act(action, row)}>
                      {attached ? `Detach from ${row.client.name}` : `Attach to ${row.client.name}`}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="action-feedback">
        {busy !== null && <Loading label={busy.endsWith(':attach') ? 'Attaching…' : 'Detaching…'} />}
        {outcome?.kind === 'error' && <ErrorState error={outcome.error} />}
        {outcome?.kind === 'done' && busy === null && (
          <p role="status" className="notice launcher-status">
            {outcome.action === 'attach' ? `Attached to ${outcome.target}` : `Detached from ${outcome.target}`}
            {outcome.result.changed ? '' : ': the entry was already that way, nothing written'}
            {outcome.result.backup !== null && (
              <>
                . The file as it was is kept at <code className="wrap">{outcome.result.backup}</code>
              </>
            )}
            .
          </p>
        )}
      </div>
    </>
  );
}
