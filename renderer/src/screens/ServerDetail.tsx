/**
 * One server (`#/servers/<id>`): its definition, tools with pinned hashes and drift, attestation,
 * trust score with history, linked clients, attach/detach per client config, launcher policies, the
 * latest tool calls, open findings and audit events; actions Approve, Probe (consent first for a
 * discovered server, which nobody approved to run; a pending one, whose command line, or URL with
 * headers sending keychain secrets, came in through the API, is confirmed first, in a dialog showing
 * that exact command line, or that URL with each header as written and the secrets sent), Remove.
 */
import { useState } from 'react';
import type { ProbeResponse } from '../../../core/api/client.ts';
import { WardenClientError } from '../../../core/api/client.ts';
import { commandLineOf, secretsSentBy, visible } from '../../../core/api/command-line.ts';
import type { ServerView } from '../../../core/api/rest.ts';
import { Dialog, DiffView, ErrorState, formatTime, Loading, rowsFromAlert, SeverityBadge, TrustBadge } from '../components/index.ts';
import { navigate, useAsync, useClient, useLiveEvents, useLiveRefetch } from '../state/index.ts';
import { AttestationPanel, useAttestation } from './server/AttestationPanel.tsx';
import { Definition } from './server/Definition.tsx';
import { Entries } from './server/Entries.tsx';
import { LauncherClients } from './server/LauncherClients.tsx';
import { LauncherPolicy } from './server/LauncherPolicy.tsx';
import { ToolCalls } from './server/ToolCalls.tsx';
import { TrustPanel } from './server/TrustPanel.tsx';
import { statusText } from './Registry.tsx';
import './server/server.css';
import './server/launcher.css';

export function ServerDetailScreen(props: { id: string }) {
  const client = useClient();
  const { id } = props;
  const server = useAsync(() => client.getServer(id), [client, id]);
  const tools = useAsync(() => client.tools(id), [client, id]);
  const trust = useAsync(() => client.trust(id), [client, id]);
  const alerts = useAsync(() => client.listAlerts({ server: id, state: 'open', limit: 100 }), [client, id]);
  const audit = useAsync(() => client.listAudit({ server: id, limit: 200 }), [client, id]);
  const agents = useAsync(() => client.listAgents(), [client, id]);
  const reloadAll = (): void => {
    server.reload();
    tools.reload();
    trust.reload();
    alerts.reload();
    audit.reload();
    agents.reload();
  };
  useLiveRefetch(reloadAll);
  const attestation = useAttestation(client, id, reloadAll);

  if (server.data === undefined) {
    if (server.error !== undefined) {
      const gone = server.error instanceof WardenClientError && server.error.status === 404;
      return (
        <>
          <h1 className="screen-title">{gone ? 'Server not found' : 'Server'}</h1>
          <ErrorState error={server.error} onRetry={server.reload} />
          <p>
            <a href="#/">Back to the registry</a>
          </p>
        </>
      );
    }
    return (
      <>
        <h1 className="screen-title">Server</h1>
        <Loading />
      </>
    );
  }
  const s = server.data;
  const linked = (agents.data?.items ?? []).filter((a) => a.servers.some((x) => x.id === id));

  return (
    <>
      <p className="breadcrumb">
        <a href="#/">Registry</a> / <span className="mono">{s.name}</span>
      </p>
      <div className="screen-head">
        <h1 className="screen-title">{s.display_name !== '' ? s.display_name : s.name}</h1>
        <TrustBadge trust={s.trust} />
        <span className={`pill${s.attestation === 'failed' ? ' bad' : ''}`}>{statusText(s)}</span>
        <Actions server={s} onChanged={reloadAll} />
      </div>
      {server.error !== undefined && <ErrorState error={server.error} onRetry={server.reload} />}

      <section className="card" aria-labelledby="sec-definition">
        <h2 id="sec-definition">Definition</h2>
        <Definition server={s} />
      </section>

      <section className="card" aria-labelledby="sec-entries">
        <h2 id="sec-entries">Tools, prompts and resources</h2>
        {tools.data !== undefined ? <Entries tools={tools.data} /> : tools.error !== undefined ? <ErrorState error={tools.error} onRetry={tools.reload} /> : <Loading />}
      </section>

      <section className="card" aria-labelledby="sec-attestation">
        <h2 id="sec-attestation">Attestation</h2>
        <AttestationPanel server={s} state={attestation.state} onAttest={attestation.attest} onVerify={attestation.verify} />
      </section>

      <section className="card" aria-labelledby="sec-trust">
        <h2 id="sec-trust">Trust score</h2>
        {trust.data !== undefined ? <TrustPanel trust={trust.data} /> : trust.error !== undefined ? <ErrorState error={trust.error} onRetry={trust.reload} /> : <Loading />}
      </section>

      <section className="card" aria-labelledby="sec-clients">
        <h2 id="sec-clients">Linked clients</h2>
        {agents.error !== undefined && <ErrorState error={agents.error} onRetry={agents.reload} />}
        {s.clients.length === 0 && linked.length === 0 ? (
          <p className="muted">No client config lists this server and no agent is linked to it.</p>
        ) : (
          <ul className="plain-list linked">
            {linked.map((a) => (
              <li key={a.id}>
                <strong>{a.display_name !== '' ? a.display_name : a.name}</strong>{' '}
                <span className="muted">
                  {a.kind === 'client' ? `${a.client ?? ''} config ${a.config_path ?? ''}${a.state !== null && a.state !== 'ok' ? ` (${a.state})` : ''}` : 'registered agent'}
                </span>
              </li>
            ))}
            {s.clients
              .filter((c) => !linked.some((a) => a.client === c))
              .map((c) => (
                <li key={c}>
                  <strong>{c}</strong>
                </li>
              ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="sec-launcher">
        <h2 id="sec-launcher">Clients and launcher</h2>
        <LauncherClients server={s} onChanged={reloadAll} />
      </section>

      <section className="card" aria-labelledby="sec-policy">
        <h2 id="sec-policy">Launcher policy</h2>
        <LauncherPolicy serverId={s.id} />
      </section>

      <section className="card" aria-labelledby="sec-tool-calls">
        <h2 id="sec-tool-calls">Latest tool calls</h2>
        <ToolCalls serverId={s.id} />
      </section>

      <section className="card" aria-labelledby="sec-findings">
        <h2 id="sec-findings">Findings</h2>
        {alerts.data !== undefined ? (
          alerts.data.items.length === 0 ? (
            <p className="muted">No open alerts for this server.</p>
          ) : (
            <ul className="plain-list findings">
              {alerts.data.items.map((a) => {
                const rows = rowsFromAlert(a);
                return (
                  <li key={a.id} className="finding">
                    <p>
                      <SeverityBadge severity={a.severity} /> <a href={`#/alerts/${a.id}`}>{a.title}</a> <span className="muted">{formatTime(a.created_at)}</span>
                    </p>
                    {rows.length > 0 && <DiffView rows={rows} />}
                  </li>
                );
              })}
            </ul>
          )
        ) : alerts.error !== undefined ? (
          <ErrorState error={alerts.error} onRetry={alerts.reload} />
        ) : (
          <Loading />
        )}
      </section>

      <section className="card" aria-labelledby="sec-audit">
        <h2 id="sec-audit">Audit events</h2>
        {audit.data !== undefined ? (
          audit.data.items.length === 0 ? (
            <p className="muted">No audit events for this server.</p>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Audit events of this server, newest first</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Seq
                  </th>
                  <th scope="col">Time</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Event</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {[...audit.data.items].reverse().map((e) => (
                  <tr key={e.seq}>
                    <td className="num">{e.seq}</td>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.actor}</td>
                    <td className="mono">{e.type}</td>
                    <td className="mono audit-details">{summarise(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : audit.error !== undefined ? (
          <ErrorState error={audit.error} onRetry={audit.reload} />
        ) : (
          <Loading />
        )}
      </section>
    </>
  );
}

function summarise(details: Record<string, unknown>): string {
  const text = JSON.stringify(details);
  return text.length > 240 ? `${text.slice(0, 237)}…` : text;
}

type Busy = null | 'approve' | 'probe' | 'remove';

function Actions(props: { server: ServerView; onChanged: () => void }) {
  const client = useClient();
  const s = props.server;
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<Error | null>(null);
  const [consent, setConsent] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [probe, setProbe] = useState<ProbeResponse | null>(null);
  const [progress, setProgress] = useState<string | null>(null);

  useLiveEvents((event) => {
    if (event.type === 'probe' && event.server_id === s.id && event.phase === 'started') setProgress(event.total !== undefined ? `Probing… (${event.done ?? 0} of ${event.total})` : 'Probing…');
  });

  const act = async (kind: Exclude<Busy, null>, run: () => Promise<unknown>): Promise<void> => {
    setBusy(kind);
    setError(null);
    try {
      await run();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(null);
      setProgress(null);
    }
  };

  // Its command line (or a URL its headers send keychain secrets to) came in through the API: nothing
  // starts it or connects to it until a person confirms it here (or in the CLI).
  const pending = s.status === 'pending';
  const remote = s.transport !== 'stdio';
  // What the dialog shows is what is confirmed: a launch changed since is refused by the server.
  const seen = { command: s.command, args: s.args, cwd: s.cwd, env_template: s.env_template, url: s.url, headers: s.headers };
  const headers = Object.entries(s.headers);
  const secrets = secretsSentBy(s);
  const approve = (): void => {
    setConsent(false);
    void act('approve', async () => {
      await client.approveServer(s.id, pending ? { seen } : {});
      props.onChanged();
    });
  };

  const doProbe = (withConsent: boolean): void => {
    setConsent(false);
    setProbe(null);
    void act('probe', async () => {
      const r = await client.probeServer(s.id, withConsent ? { consent: true, ...(pending ? { seen } : {}) } : {});
      setProbe(r);
      props.onChanged();
    });
  };

  return (
    <>
      <div className="actions">
        {pending ? (
          <button type="button" className="button primary" disabled={busy !== null} onClick={() => setConsent(true)}>
            Confirm…
          </button>
        ) : (
          <button type="button" className="button primary" disabled={busy !== null || s.status !== 'discovered'} onClick={approve}>
            Approve
          </button>
        )}
        <button type="button" className="button" disabled={busy !== null} onClick={() => (s.status === 'discovered' || pending ? setConsent(true) : doProbe(false))}>
          Probe
        </button>
        <button type="button" className="button danger" disabled={busy !== null} onClick={() => setConfirmRemove(true)}>
          Remove
        </button>
      </div>
      <div className="action-feedback">
        {busy !== null && (
          <p role="status" className="state-loading">
            <span className="spinner" aria-hidden="true" />
            {busy === 'probe' ? (progress ?? 'Probing…') : busy === 'approve' ? 'Approving…' : 'Removing…'}
          </p>
        )}
        {error !== null && <ErrorState error={error} />}
        {probe !== null && busy === null && <ProbeResult result={probe} />}
      </div>

      <Dialog
        open={consent}
        title={pending ? (remote ? 'Send keychain secrets to this URL?' : 'Confirm this command line?') : 'Start this server?'}
        onClose={() => setConsent(false)}
        actions={
          pending ? (
            <>
              <button type="button" className="button primary" onClick={() => doProbe(true)}>
                Confirm and probe
              </button>
              <button type="button" className="button" onClick={approve}>
                Confirm only
              </button>
            </>
          ) : (
            <button type="button" className="button primary" onClick={() => doProbe(true)}>
              Start and probe
            </button>
          )
        }
      >
        {pending && remote ? (
          <p>
            <strong>{s.name}</strong> was registered through the API with headers that send secrets from your keychain to this URL, and MCP Warden has not
            connected to it: no person has confirmed it yet. Confirming lets MCP Warden send them there (probe it); probing connects now:
          </p>
        ) : pending ? (
          <p>
            <strong>{s.name}</strong> was registered through the API, and MCP Warden has not started it: no person has confirmed its command line yet. Confirming
            lets MCP Warden start it (probe it, attach it to clients); probing starts it now on this machine:
          </p>
        ) : (
          <p>
            <strong>{s.name}</strong> was discovered in a client config and nobody has approved it yet. Probing starts it on this machine to list its tools,
            prompts and resources:
          </p>
        )}
        <pre className="command">{s.transport === 'stdio' ? commandLineOf(s) : visible(s.url ?? '')}</pre>
        {pending && remote && (
          <dl className="confirm-launch">
            <dt>Headers</dt>
            <dd className="mono">
              {headers.map(([name, value]) => (
                <div key={name}>
                  {visible(name)}: {visible(value)}
                </div>
              ))}
            </dd>
            <dt>Secrets sent</dt>
            <dd className="mono">{secrets.join(', ')}</dd>
          </dl>
        )}
        {pending && !remote && (
          <dl className="confirm-launch">
            <dt>Working directory</dt>
            <dd className="mono">{s.cwd === null ? 'not set' : visible(s.cwd)}</dd>
            <dt>Environment</dt>
            <dd className="mono">{s.env_template.length === 0 ? 'nothing added' : s.env_template.map((e) => `${e.key}=${visible(e.value)}`).join(' ')}</dd>
          </dl>
        )}
        <p>{pending && remote ? 'Only continue if you trust this URL with these secrets.' : 'Only continue if you trust what this command runs.'}</p>
      </Dialog>

      <Dialog
        open={confirmRemove}
        title="Remove server"
        onClose={() => setConfirmRemove(false)}
        actions={
          <button
            type="button"
            className="button danger"
            onClick={() => {
              setConfirmRemove(false);
              void act('remove', async () => {
                await client.removeServer(s.id);
                navigate('/');
              });
            }}
          >
            Remove
          </button>
        }
      >
        <p>
          Remove <strong>{s.name}</strong> from the registry? Its pins, probes and attestations go with it. A client config that still lists it will bring it back as
          discovered on the next scan.
        </p>
      </Dialog>
    </>
  );
}

function ProbeResult(props: { result: ProbeResponse }) {
  const r = props.result;
  if (!r.ok) {
    return (
      <div role="alert" className="state-error">
        <p>
          The probe failed{r.category !== undefined ? ` (${r.category})` : ''}: {r.message ?? 'no reason given.'}
        </p>
      </div>
    );
  }
  const changes = r.diff ? r.diff.added.length + r.diff.removed.length + r.diff.changed.length + (r.diff.instructions ? 1 : 0) : 0;
  const opened = r.alerts_opened?.length ?? 0;
  return (
    <p role="status" className="pill ok">
      Probe finished: {r.pinned === true ? 'definitions pinned' : changes > 0 ? `${changes} ${changes === 1 ? 'change' : 'changes'} since the pin` : 'matches the pin'}
      {opened > 0 ? `, ${opened} ${opened === 1 ? 'alert' : 'alerts'} opened` : ''}.
    </p>
  );
}

