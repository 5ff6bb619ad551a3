/**
 * Clients (`#/clients`): each AI client found on this machine, its config files (path, scope,
 * state), the servers each file lists and the hygiene findings in it (plaintext secrets, unpinned
 * packages, plain http), with "Scan now" to re-read every config at once and "Move to keychain"
 * beside each plaintext secret.
 */
import { useState, type JSX } from 'react';
import type { ClientConfigView, ClientView, ScanResponse, WardenClient } from '../../../core/api/client.ts';
import { Empty, ErrorState, Loading, SeverityBadge, formatTime, relativeTime } from '../components/index.ts';
import { href, serverHref, useAsync, useLiveRefetch } from '../state/index.ts';
import { MoveToKeychain } from './clients/MoveToKeychain.tsx';
import './clients/clients.css';

type Scan = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; result: ScanResponse } | { kind: 'error'; message: string };

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

export function ClientsScreen({ client }: { client: WardenClient }): JSX.Element {
  const clients = useAsync(() => client.listClients(), [client]);
  const [scan, setScan] = useState<Scan>({ kind: 'idle' });
  useLiveRefetch(clients.reload);

  const scanNow = () => {
    setScan({ kind: 'running' });
    client.scanNow().then(
      (result) => {
        setScan({ kind: 'done', result });
        clients.reload();
      },
      (e: unknown) => setScan({ kind: 'error', message: e instanceof Error ? e.message : 'The scan failed.' }),
    );
  };

  const items = clients.data?.items;
  return (
    <div className="r2-screen clients-screen">
      <div className="screen-head">
        <h1 className="screen-title">Clients</h1>
        <div className="actions">
          <button type="button" className="button primary" onClick={scanNow} disabled={scan.kind === 'running'}>
            Scan now
          </button>
        </div>
      </div>
      <p className="muted intro">The AI clients on this machine, the config files MCP Warden watches for them, the servers each file can start, and what is wrong in each file.</p>

      {scan.kind === 'running' && <p role="status">Scanning every client config…</p>}
      {scan.kind === 'done' && (
        <p role="status" className="notice">
          Scanned {plural(scan.result.configs, 'config file')}: {plural(scan.result.opened, 'alert')} opened, {scan.result.resolved} resolved.
        </p>
      )}
      {scan.kind === 'error' && <ErrorState error={scan.message} />}

      {clients.error !== undefined && <ErrorState error={clients.error} onRetry={clients.reload} />}
      {clients.loading && <Loading />}
      {items !== undefined && items.length === 0 && (
        <Empty title="No AI client configs were found on this machine.">
          <p>MCP Warden looks for Claude Desktop, Claude Code, Cursor, VS Code and Windsurf configs. Install or configure one, then press Scan now.</p>
        </Empty>
      )}
      {items?.map((c) => <ClientSection key={c.client} client={c} api={client} onChanged={clients.reload} />)}
    </div>
  );
}

function ClientSection({ client, api, onChanged }: { client: ClientView; api: WardenClient; onChanged: () => void }) {
  const headingId = `client-${client.client}`;
  const findings = client.configs.reduce((n, c) => n + c.findings.length, 0);
  return (
    <section className="card client-card" aria-labelledby={headingId} data-testid="client-section">
      <h2 id={headingId}>{client.name}</h2>
      <p className="muted client-summary">
        <code>{client.client}</code> · {plural(client.configs.length, 'config file')} · {findings === 0 ? 'no findings' : plural(findings, 'finding')}
      </p>
      {client.configs.map((config) => (
        <ConfigBlock key={config.agent_id} config={config} api={api} onChanged={onChanged} />
      ))}
    </section>
  );
}

const STATE_TEXT: Record<ClientConfigView['state'], string> = { ok: 'read', missing: 'missing', unparseable: 'cannot be parsed' };

function ConfigBlock({ config, api, onChanged }: { config: ClientConfigView; api: WardenClient; onChanged: () => void }) {
  const [secured, setSecured] = useState<string | null>(null);
  const findings = [...config.findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  return (
    <div className="config-block" data-testid="client-config">
      <h3 className="config-path">
        <code className="wrap">{config.path}</code>
      </h3>
      <p className="config-meta">
        <span className={`pill ${config.state === 'ok' ? 'ok' : 'bad'}`}>{STATE_TEXT[config.state]}</span>
        <span className="muted">
          {config.scope} scope · scanned <time dateTime={config.last_scan_at} title={formatTime(config.last_scan_at)}>{relativeTime(config.last_scan_at)}</time>
        </span>
      </p>

      {config.servers.length === 0 ? (
        <p className="muted">This file lists no MCP servers.</p>
      ) : (
        <table className="data config-servers">
          <caption>Servers in this file</caption>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Entry key</th>
              <th scope="col">Status</th>
              <th scope="col">In the file</th>
              <th scope="col">Through the launcher</th>
            </tr>
          </thead>
          <tbody>
            {config.servers.map((s) => (
              <tr key={`${s.id}:${s.key}`}>
                <td>
                  <a href={serverHref(s.id)}>{s.name}</a>
                </td>
                <td>
                  <code>{s.key}</code>
                </td>
                <td>{s.status}</td>
                <td>{s.present ? 'yes' : 'removed'}</td>
                <td>{s.attached ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h4 className="findings-title">Findings</h4>
      {secured !== null && (
        <p role="status" className="notice">
          {secured}
        </p>
      )}
      {findings.length === 0 ? (
        <p className="muted">No plaintext secrets or other problems in this file.</p>
      ) : (
        <ul className="findings">
          {findings.map((f) => (
            <li key={f.alert_id} data-testid="client-finding">
              <SeverityBadge severity={f.severity} /> <a href={href(`/alerts/${f.alert_id}`)}>{f.title}</a>
              {(f.server_name !== null || f.location !== null) && (
                <span className="muted">
                  {' '}
                  — {f.server_name ?? ''}
                  {f.location !== null && (
                    <>
                      {f.server_name !== null ? ' at ' : ''}
                      <code>{f.location}</code>
                    </>
                  )}
                </span>
              )}
              {f.type === 'plaintext_secret' && f.server_name !== null && (
                <MoveToKeychain
                  client={api}
                  finding={{ ...f, server_name: f.server_name }}
                  configPath={config.path}
                  onDone={(message) => {
                    setSecured(message);
                    onChanged();
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
