/** The server's definition as stored: handles (`{{secret:NAME}}`) are shown as handles, never resolved. */
import type { ServerView } from '../../../../core/api/rest.ts';
import { formatTime } from '../../components/index.ts';

const HANDLE = /(\{\{secret:[^}]+\}\})/g;

/** A value with its secret handles marked, so it is clear the value lives in the keychain. */
export function WithHandles(props: { value: string }) {
  const parts = props.value.split(HANDLE);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <span key={i} className="secret-handle" title="Resolved from the OS keychain only when the server starts">
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </>
  );
}

export function Definition(props: { server: ServerView }) {
  const s = props.server;
  const headers = Object.entries(s.headers);
  return (
    <dl className="kv">
      <dt>Name</dt>
      <dd className="mono">{s.name}</dd>
      {s.description !== '' && (
        <>
          <dt>Description</dt>
          <dd>{s.description}</dd>
        </>
      )}
      <dt>Status</dt>
      <dd>{s.status}</dd>
      <dt>Source</dt>
      <dd>{s.source.kind === 'manual' ? 'registered by hand' : `${s.source.client} config ${s.source.config_path} (entry "${s.source.key}")`}</dd>
      <dt>Transport</dt>
      <dd>{s.transport}</dd>
      <dt>Server URL</dt>
      <dd className="mono">{s.server_url}</dd>
      {s.command !== null && (
        <>
          <dt>Command</dt>
          <dd className="mono">{s.command}</dd>
        </>
      )}
      {s.command_sha256 !== null && (
        <>
          <dt>Command sha256</dt>
          <dd className="mono">{s.command_sha256}</dd>
        </>
      )}
      {s.args.length > 0 && (
        <>
          <dt>Arguments</dt>
          <dd>
            <ol className="plain-list mono">
              {s.args.map((a, i) => (
                <li key={i}>
                  <WithHandles value={a} />
                </li>
              ))}
            </ol>
          </dd>
        </>
      )}
      {s.cwd !== null && (
        <>
          <dt>Working directory</dt>
          <dd className="mono">{s.cwd}</dd>
        </>
      )}
      {s.url !== null && (
        <>
          <dt>URL</dt>
          <dd className="mono">
            <WithHandles value={s.url} />
          </dd>
        </>
      )}
      {headers.length > 0 && (
        <>
          <dt>Headers</dt>
          <dd>
            <ul className="plain-list mono">
              {headers.map(([k, v]) => (
                <li key={k}>
                  {k}: <WithHandles value={v} />
                </li>
              ))}
            </ul>
          </dd>
        </>
      )}
      <dt>Environment</dt>
      <dd>
        {s.env_template.length === 0 ? (
          <span className="muted">none</span>
        ) : (
          <ul className="plain-list mono">
            {s.env_template.map((e) => (
              <li key={e.key}>
                {e.key}=<WithHandles value={e.value} />
              </li>
            ))}
          </ul>
        )}
      </dd>
      {s.capabilities.length > 0 && (
        <>
          <dt>Declared capabilities</dt>
          <dd className="mono">{s.capabilities.join(', ')}</dd>
        </>
      )}
      <dt>Fingerprint</dt>
      <dd className="mono">{s.fingerprint}</dd>
      <dt>Registered</dt>
      <dd>{formatTime(s.created_at)}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(s.updated_at)}</dd>
    </dl>
  );
}
