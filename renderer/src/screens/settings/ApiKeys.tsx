/**
 * API keys: the list (name, prefix, created, last used, state), "Create API key" (the key is shown
 * once, in a dialog, and dropped from state when it closes) and "Revoke" per active key.
 */
import { useState, type FormEvent } from 'react';
import { WardenClientError, type WardenClient } from '../../../../core/api/client.ts';
import type { CreatedApiKey } from '../../../../core/api/rest.ts';
import { Dialog, Empty, ErrorState, Loading, formatTime, relativeTime } from '../../components/index.ts';
import { useAsync, useLiveRefetch } from '../../state/index.ts';
import { Field } from '../register/Field.tsx';

export function ApiKeys({ client }: { client: WardenClient }) {
  const keys = useAsync(() => client.listApiKeys(), [client]);
  useLiveRefetch(keys.reload, ['changed']);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | undefined>(undefined);
  const [copied, setCopied] = useState('');
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const [revoking, setRevoking] = useState<string | undefined>(undefined);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() === '') {
      setNameError('Give the key a name, such as the tool that will use it.');
      document.getElementById('api-key-name')?.focus();
      return;
    }
    setCreating(true);
    setNameError(undefined);
    try {
      setCreated(await client.createApiKey(name.trim()));
      setName('');
      keys.reload();
    } catch (error) {
      setNameError(error instanceof Error ? error.message : 'The key could not be created.');
      document.getElementById('api-key-name')?.focus();
    } finally {
      setCreating(false);
    }
  };

  const revoke = (keyName: string) => {
    setRevoking(keyName);
    setActionError(undefined);
    client
      .revokeApiKey(keyName)
      .then(
        () => keys.reload(),
        (error: unknown) => setActionError(error instanceof WardenClientError || error instanceof Error ? error.message : 'The key could not be revoked.'),
      )
      .finally(() => setRevoking(undefined));
  };

  const closeCreated = () => {
    setCreated(undefined);
    setCopied('');
    document.getElementById('api-key-name')?.focus();
  };

  const items = keys.data?.items;
  return (
    <section className="card" aria-labelledby="api-keys-title">
      <h2 id="api-keys-title">API keys</h2>
      <p className="muted">Scripts, the SDK and other tools call the REST API with a key. Only a hash is stored: a key is shown once, when it is created.</p>

      <form className="toolbar r2-form api-key-form" onSubmit={(e) => void create(e)} noValidate>
        <Field id="api-key-name" label="Key name" value={name} onChange={(v) => { setName(v); setNameError(undefined); }} error={nameError} />
        <button type="submit" className="button primary" disabled={creating}>
          Create API key
        </button>
      </form>

      {actionError !== undefined && <ErrorState error={actionError} />}
      {keys.error !== undefined && <ErrorState error={keys.error} onRetry={keys.reload} />}
      {keys.loading && <Loading />}
      {items !== undefined && items.length === 0 && <Empty title="No API keys yet.">Create one above for each tool that calls the API.</Empty>}
      {items !== undefined && items.length > 0 && (
        <table className="data api-keys">
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((key) => (
              <tr key={key.name} data-testid="api-key-row">
                <th scope="row">{key.name}</th>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>
                  <time dateTime={key.created_at}>{formatTime(key.created_at)}</time>
                </td>
                <td>{key.last_used_at === null ? 'never' : <time dateTime={key.last_used_at} title={formatTime(key.last_used_at)}>{relativeTime(key.last_used_at)}</time>}</td>
                <td>{key.revoked_at === null ? <span className="pill ok">active</span> : <span className="pill bad">revoked {formatTime(key.revoked_at)}</span>}</td>
                <td>
                  {key.revoked_at === null && (
                    <button type="button" className="button small danger" onClick={() => revoke(key.name)} disabled={revoking === key.name}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Dialog open={created !== undefined} title="API key created" onClose={closeCreated} closeLabel="Done">
        {created !== undefined && (
          <>
            <p>
              Copy the key <strong>{created.name}</strong> now: only its hash is stored, so it cannot be shown again.
            </p>
            <p className="created-key">
              <code data-testid="created-api-key" className="wrap">{created.key}</code>
            </p>
            <button
              type="button"
              className="button small"
              onClick={() => {
                navigator.clipboard.writeText(created.key).then(
                  () => setCopied('Copied to the clipboard.'),
                  () => setCopied('Could not copy: select the key and copy it.'),
                );
              }}
            >
              Copy key
            </button>
            <span role="status" className="copied">
              {copied}
            </span>
          </>
        )}
      </Dialog>
    </section>
  );
}
