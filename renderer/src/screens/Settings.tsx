/**
 * Settings (`#/settings`): one select per setting the API offers (values and their choices come
 * from getSettings, so a new setting shows up without a UI change), saved as soon as it changes,
 * and the API keys.
 */
import { useState, type JSX } from 'react';
import type { WardenClient } from '../../../core/api/client.ts';
import { ErrorState, Loading } from '../components/index.ts';
import { useAsync, useLiveRefetch } from '../state/index.ts';
import { FieldHelp, describedBy } from './register/Field.tsx';
import { ApiKeys } from './settings/ApiKeys.tsx';
import { choiceLabel, orderedKeys, settingHint, settingLabel } from './settings/labels.ts';
import './settings/settings.css';

type Saving = Record<string, { state: 'saving' | 'saved' } | { state: 'error'; message: string }>;

export function SettingsScreen({ client }: { client: WardenClient }): JSX.Element {
  const settings = useAsync(() => client.getSettings(), [client]);
  useLiveRefetch(settings.reload, ['changed']);
  // What the user picked, shown until the API answers (then the answer wins).
  const [pending, setPending] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState<Saving>({});

  const change = (key: string, value: string) => {
    setPending((p) => ({ ...p, [key]: value }));
    setSaving((s) => ({ ...s, [key]: { state: 'saving' } }));
    client.setSetting(key, value).then(
      () => {
        setSaving((s) => ({ ...s, [key]: { state: 'saved' } }));
        settings.reload();
      },
      (error: unknown) => setSaving((s) => ({ ...s, [key]: { state: 'error', message: error instanceof Error ? error.message : 'The setting could not be saved.' } })),
    ).finally(() => setPending((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== key))));
  };

  const data = settings.data;
  return (
    <div className="r2-screen settings-screen">
      <h1 className="screen-title">Settings</h1>

      <section className="card" aria-labelledby="settings-general">
        <h2 id="settings-general">General</h2>
        {settings.error !== undefined && <ErrorState error={settings.error} onRetry={settings.reload} />}
        {settings.loading && <Loading />}
        {data !== undefined && Object.keys(data.choices).length === 0 && <p>There are no settings to change.</p>}
        {data !== undefined && (
          <div className="settings-grid r2-form">
            {orderedKeys(Object.keys(data.choices)).map((key) => {
              const id = `setting-${key}`;
              const status = saving[key];
              const error = status?.state === 'error' ? status.message : undefined;
              const hint = settingHint(key);
              return (
                <div key={key} className={`field${error !== undefined ? ' has-error' : ''}`}>
                  <label htmlFor={id}>{settingLabel(key)}</label>
                  <div className="setting-control">
                    <select
                      id={id}
                      value={pending[key] ?? data.values[key] ?? ''}
                      aria-invalid={error !== undefined ? true : undefined}
                      aria-describedby={describedBy(id, error, hint !== undefined)}
                      onChange={(e) => change(key, e.target.value)}
                    >
                      {(data.choices[key] ?? []).map((value) => (
                        <option key={value} value={value}>
                          {choiceLabel(key, value)}
                        </option>
                      ))}
                    </select>
                    <span role="status" className="muted save-state">
                      {status?.state === 'saving' ? 'Saving…' : status?.state === 'saved' ? 'Saved' : ''}
                    </span>
                  </div>
                  <FieldHelp id={id} hint={hint} error={error} />
                </div>
              );
            })}
          </div>
        )}
      </section>

      <ApiKeys client={client} />
    </div>
  );
}
