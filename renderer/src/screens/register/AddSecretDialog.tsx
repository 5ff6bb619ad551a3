/**
 * "Add a secret": name, value and description; the value goes straight to the OS keychain through
 * client.addSecret and is dropped from state the moment it is sent (success or not), so it lives
 * in this component only while the user types it. It is never logged and never echoed back.
 */
import { useState, type FormEvent } from 'react';
import { WardenClientError, type WardenClient } from '../../../../core/api/client.ts';
import type { SecretInfo } from '../../../../core/api/secret.ts';
import { Dialog } from '../../components/index.ts';
import { Field } from './Field.tsx';

export interface AddSecretDialogProps {
  client: WardenClient;
  onClose: () => void;
  onSaved: (secret: SecretInfo) => void;
}

type Errors = { name?: string; value?: string; description?: string; form?: string };

export function AddSecretDialog({ client, onClose, onSaved }: AddSecretDialogProps) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Errors = {};
    if (name.trim() === '') found.name = 'Give the secret a name.';
    if (value === '') found.value = 'Type the secret value.';
    if (found.name !== undefined || found.value !== undefined) {
      setErrors(found);
      document.getElementById(found.name !== undefined ? 'secret-name' : 'secret-value')?.focus();
      return;
    }
    const sent = value;
    setValue('');
    setSaving(true);
    setErrors({});
    try {
      const saved = await client.addSecret({ name: name.trim(), value: sent, ...(description.trim() === '' ? {} : { description: description.trim() }) });
      onSaved(saved);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'The secret could not be saved.';
      const field = error instanceof WardenClientError ? error.field : undefined;
      const at: keyof Errors = field === 'name' || field === 'value' || field === 'description' ? field : 'form';
      // The value was cleared on sending, so the user types it again after fixing the problem.
      setErrors({ [at]: message });
      document.getElementById(at === 'form' ? 'secret-name' : `secret-${at}`)?.focus();
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open
      title="Add a secret"
      onClose={onClose}
      actions={
        <button type="submit" form="add-secret-form" className="button primary" disabled={saving}>
          Save to keychain
        </button>
      }
    >
      <form id="add-secret-form" className="r2-form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">The value is stored in the OS keychain only. Servers get it at launch through a {'{{secret:NAME}}'} handle.</p>
        {errors.form !== undefined && (
          <p role="alert" className="form-error">
            {errors.form}
          </p>
        )}
        <Field id="secret-name" label="Secret name" value={name} onChange={setName} error={errors.name} hint="Letters, digits, '-', '_' or '.'" />
        <Field id="secret-value" label="Secret value" type="password" autoComplete="new-password" value={value} onChange={setValue} error={errors.value} />
        <Field id="secret-description" label="Description" value={description} onChange={setDescription} error={errors.description} />
        {saving && <p role="status">Saving…</p>}
      </form>
    </Dialog>
  );
}
