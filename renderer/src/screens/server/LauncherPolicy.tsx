/**
 * "Launcher policy" on the server detail: this server's own attestation and undeclared-tool
 * policies, or the global default (Settings) when it has none. Saved as soon as a select changes.
 */
import { useState } from 'react';
import type { Policy, ServerPolicies } from '../../../../core/api/launcher.ts';
import { ErrorState, Loading } from '../../components/index.ts';
import { useAsync, useClient, useLiveRefetch } from '../../state/index.ts';
import { describedBy, FieldHelp } from '../register/Field.tsx';

const FIELDS = [
  { field: 'attestation', setting: 'attestation-policy', label: 'Attestation policy', hint: 'When the server no longer matches its attestation at launch: warn starts it and raises a high alert; block does not start it.' },
  { field: 'undeclared', setting: 'undeclared-tool-policy', label: 'Undeclared-tool policy', hint: 'When a client calls a tool the server neither pinned nor declared: warn passes the call and raises a high alert; block answers it with an error.' },
] as const;

const word = (p: string | undefined): string => (p === 'block' ? 'Block' : p === 'warn' ? 'Warn' : (p ?? ''));

type Field = (typeof FIELDS)[number]['field'];
type Saving = Partial<Record<Field, { state: 'saving' | 'saved' } | { state: 'error'; message: string }>>;

export function LauncherPolicy(props: { serverId: string }) {
  const client = useClient();
  const { serverId } = props;
  const policy = useAsync(() => client.getPolicy(serverId), [client, serverId]);
  const settings = useAsync(() => client.getSettings(), [client]);
  useLiveRefetch(() => {
    policy.reload();
    settings.reload();
  }, ['registry', 'settings', 'changed']);
  const [pending, setPending] = useState<Partial<Record<Field, string>>>({});
  const [saving, setSaving] = useState<Saving>({});

  const change = (field: Field, value: string): void => {
    setPending((p) => ({ ...p, [field]: value }));
    setSaving((s) => ({ ...s, [field]: { state: 'saving' } }));
    client
      .setPolicy(serverId, { [field]: value === '' ? null : (value as Policy) })
      .then(
        () => {
          setSaving((s) => ({ ...s, [field]: { state: 'saved' } }));
          policy.reload();
        },
        (e: unknown) => setSaving((s) => ({ ...s, [field]: { state: 'error', message: e instanceof Error ? e.message : 'The policy could not be saved.' } })),
      )
      .finally(() => setPending((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== field))));
  };

  if (policy.data === undefined) return policy.error !== undefined ? <ErrorState error={policy.error} onRetry={policy.reload} /> : <Loading />;
  const data: ServerPolicies = policy.data;
  return (
    <div className="settings-grid r2-form launcher-policy">
      {FIELDS.map(({ field, setting, label, hint }) => {
        const id = `policy-${field}`;
        const status = saving[field];
        const error = status?.state === 'error' ? status.message : undefined;
        const global = settings.data?.values[setting];
        return (
          <div key={field} className={`field${error !== undefined ? ' has-error' : ''}`}>
            <label htmlFor={id}>{label}</label>
            <div className="setting-control">
              <select
                id={id}
                value={pending[field] ?? data[field] ?? ''}
                aria-invalid={error !== undefined ? true : undefined}
                aria-describedby={describedBy(id, error, true)}
                onChange={(e) => change(field, e.target.value)}
              >
                <option value="">{global === undefined ? 'Use global default' : `Use global default (${word(global)})`}</option>
                <option value="warn">Warn</option>
                <option value="block">Block</option>
              </select>
              <span role="status" className="muted save-state">
                {status?.state === 'saving' ? 'Saving…' : status?.state === 'saved' ? 'Saved' : ''}
              </span>
            </div>
            <FieldHelp
              id={id}
              hint={
                <>
                  {hint} In force now: <strong>{word(data.effective[field])}</strong>.
                </>
              }
              error={error}
            />
          </div>
        );
      })}
    </div>
  );
}
