/**
 * Register a server (`#/register`): every field of a server definition, validated on submit by the
 * same zod schema as the CLI and the REST API (so the messages match), then submitted as a REST
 * RegisterServerRequest; the API's own refusals (a taken name, a command not found) land beside
 * the field they name too. Secret values never pass through this form: env and header values hold
 * `{{secret:NAME}}` handles, and a new secret goes straight to the keychain from its own dialog.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type JSX } from 'react';
import { WardenClientError, type WardenClient } from '../../../core/api/client.ts';
import type { Transport } from '../../../core/api/server.ts';
import { navigate } from '../state/index.ts';
import { AddSecretDialog } from './register/AddSecretDialog.tsx';
import { Field, FieldError } from './register/Field.tsx';
import {
  emptyForm,
  envKeyId,
  envValueId,
  headerNameId,
  headerValueId,
  newEnvRow,
  newHeaderRow,
  placeIssue,
  toRequest,
  validate,
  type EnvRow,
  type FieldErrors,
  type HeaderRow,
  type RegisterForm,
} from './register/form-model.ts';
import { PairRows } from './register/PairRows.tsx';
import type { SecretsState } from './register/SecretPicker.tsx';
import './register/register.css';

const TRANSPORT_CHOICES: { value: Transport; label: string }[] = [
  { value: 'stdio', label: 'stdio (a local command)' },
  { value: 'http', label: 'http (streamable HTTP)' },
  { value: 'sse', label: 'sse (legacy HTTP + SSE)' },
];

export function RegisterScreen({ client }: { client: WardenClient }): JSX.Element {
  const [form, setForm] = useState<RegisterForm>(emptyForm);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [secrets, setSecrets] = useState<SecretsState>({ kind: 'loading' });
  const [addingSecret, setAddingSecret] = useState(false);
  const [notice, setNotice] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const addSecretButton = useRef<HTMLButtonElement>(null);

  const loadSecrets = useCallback(() => {
    client.listSecrets().then(
      (page) => setSecrets({ kind: 'ready', items: page.items }),
      (error: unknown) => setSecrets({ kind: 'error', message: error instanceof Error ? error.message : 'The secrets could not be listed.' }),
    );
  }, [client]);
  useEffect(loadSecrets, [loadSecrets]);

  // After a refused submit, the first field at fault (in page order) takes the focus.
  useEffect(() => {
    if (attempt === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);

  const set = <K extends keyof RegisterForm>(key: K, id: string = key) => (value: RegisterForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    clearError(id);
  };
  const clearError = (id: string) => setErrors((e) => (e[id] === undefined ? e : Object.fromEntries(Object.entries(e).filter(([k]) => k !== id))));

  const setEnv = (rowId: number, change: Partial<EnvRow>, id: string) => {
    setForm((f) => ({ ...f, env: f.env.map((r) => (r.rowId === rowId ? { ...r, ...change } : r)) }));
    clearError(id);
  };
  const setHeader = (rowId: number, change: Partial<HeaderRow>, id: string) => {
    setForm((f) => ({ ...f, headers: f.headers.map((r) => (r.rowId === rowId ? { ...r, ...change } : r)) }));
    clearError(id);
  };

  // What both name/value groups (environment, headers) need for their secret pickers.
  const secretProps = { secrets, loadSecrets, onAddSecret: () => setAddingSecret(true), addSecretButton };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (submitting) return;
    const { mapped, errors: found } = validate(form);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      setAttempt((n) => n + 1);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const server = await client.registerServer(toRequest(mapped.input));
      navigate(`/servers/${encodeURIComponent(server.id)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The server could not be registered.';
      const field = error instanceof WardenClientError && error.field !== undefined && error.field !== '' ? placeIssue(error.field, message, form, mapped) : 'form';
      setErrors({ [field]: message });
      setAttempt((n) => n + 1);
    } finally {
      setSubmitting(false);
    }
  };

  const problems = Object.entries(errors);
  const stdio = form.transport === 'stdio';

  return (
    <div className="r2-screen register-screen">
      <h1 className="screen-title">Register a server</h1>
      <p className="muted intro">
        Registering records the definition only: nothing is started or contacted until you probe it. Put credentials in the keychain and refer to them
        as <code>{'{{secret:NAME}}'}</code>.
      </p>

      <form ref={formRef} className="register-form r2-form" noValidate onSubmit={(e) => void submit(e)} aria-label="Register a server">
        {problems.length > 0 && (
          <div key={attempt} role="alert" className="error-summary" id="register-summary">
            <p className="error-summary-title">{problems.length === 1 ? 'One problem stops the registration:' : `${problems.length} problems stop the registration:`}</p>
            <ul>
              {problems.map(([id, message]) => (
                <li key={id}>
                  {id === 'form' ? (
                    message
                  ) : (
                    <button type="button" className="link-button" onClick={() => document.getElementById(id === 'env_template' || id === 'headers' ? `${id}-group` : id)?.focus()}>
                      {message}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}

        <section className="form-section" aria-labelledby="reg-identity">
          <h2 id="reg-identity">Server</h2>
          <Field id="name" label="Name" value={form.name} onChange={set('name')} error={errors.name} required hint="1 to 64 letters, digits, '-', '_' or '.'" />
          <div className={`field${errors.transport !== undefined ? ' has-error' : ''}`}>
            <label htmlFor="transport">Transport</label>
            <select
              id="transport"
              value={form.transport}
              aria-invalid={errors.transport !== undefined ? true : undefined}
              aria-describedby={errors.transport !== undefined ? 'transport-error' : undefined}
              onChange={(e) => set('transport')(e.target.value as Transport)}
            >
              {TRANSPORT_CHOICES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
            <FieldError id="transport" error={errors.transport} />
          </div>
          <Field id="display_name" label="Display name" value={form.display_name} onChange={set('display_name')} error={errors.display_name} />
          <Field id="description" label="Description" multiline rows={2} value={form.description} onChange={set('description')} error={errors.description} />
          <Field
            id="capabilities"
            label="Capabilities"
            value={form.capabilities}
            onChange={set('capabilities')}
            error={errors.capabilities}
            hint="Tool names the server should expose, comma separated (search_issues, create_pr). A probe alerts on any difference."
          />
        </section>

        {stdio ? (
          <section className="form-section" aria-labelledby="reg-launch">
            <h2 id="reg-launch">Launch</h2>
            <Field id="command" label="Command" value={form.command} onChange={set('command')} error={errors.command} required hint="A program on PATH or an absolute path (npx, uvx, /usr/local/bin/server)." />
            <Field id="args" label="Arguments" multiline rows={3} value={form.args} onChange={set('args')} error={errors.args} hint="One per line. Never put secrets here: other users can read process arguments." />
            <Field id="cwd" label="Working directory" value={form.cwd} onChange={set('cwd')} error={errors.cwd} />
            <PairRows
              id="env_template"
              legend="Environment"
              noun="variable"
              nameLabel="Variable name"
              valueLabel="Value"
              rows={form.env.map((r) => ({ rowId: r.rowId, name: r.key, value: r.value }))}
              nameId={envKeyId}
              valueId={envValueId}
              errors={errors}
              onChange={(rowId, change, id) => setEnv(rowId, { ...(change.name !== undefined ? { key: change.name } : {}), ...(change.value !== undefined ? { value: change.value } : {}) }, id)}
              onAdd={() => setForm((f) => ({ ...f, env: [...f.env, newEnvRow()] }))}
              onRemove={(rowId) => setForm((f) => ({ ...f, env: f.env.length === 1 ? [newEnvRow()] : f.env.filter((r) => r.rowId !== rowId) }))}
              {...secretProps}
            />
          </section>
        ) : (
          <section className="form-section" aria-labelledby="reg-connect">
            <h2 id="reg-connect">Connection</h2>
            <Field id="url" label="URL" type="url" value={form.url} onChange={set('url')} error={errors.url} required hint="http:// or https://; no credentials in the URL (use a header with a secret)." />
            <PairRows
              id="headers"
              legend="Headers"
              noun="header"
              nameLabel="Header name"
              valueLabel="Header value"
              rows={form.headers}
              nameId={headerNameId}
              valueId={headerValueId}
              errors={errors}
              onChange={setHeader}
              onAdd={() => setForm((f) => ({ ...f, headers: [...f.headers, newHeaderRow()] }))}
              onRemove={(rowId) => setForm((f) => ({ ...f, headers: f.headers.length === 1 ? [newHeaderRow()] : f.headers.filter((r) => r.rowId !== rowId) }))}
              {...secretProps}
            />
          </section>
        )}

        <div className="form-actions">
          <button type="submit" className="button primary" disabled={submitting} aria-describedby={submitting ? 'register-progress' : undefined}>
            Register
          </button>
          {submitting && (
            <span id="register-progress" role="status">
              Registering…
            </span>
          )}
        </div>
      </form>

      <p role="status" className="notice">
        {notice}
      </p>

      {addingSecret && (
        <AddSecretDialog
          client={client}
          onClose={() => {
            setAddingSecret(false);
            addSecretButton.current?.focus();
          }}
          onSaved={(secret) => {
            setAddingSecret(false);
            setNotice(`Secret ${secret.name} saved to the keychain. Insert it with {{secret:${secret.name}}}.`);
            loadSecrets();
            addSecretButton.current?.focus();
          }}
        />
      )}
    </div>
  );
}
