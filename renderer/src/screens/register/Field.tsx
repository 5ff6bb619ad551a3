/**
 * A labelled input with its error beside it: `<p id="<id>-error" class="field-error">`, and the
 * input aria-invalid + aria-describedby that paragraph (and its hint), so a screen reader reads the
 * message with the field. Used by the register form and the settings screen.
 */
import type { ReactNode } from 'react';

export interface FieldProps {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  type?: 'text' | 'url' | 'password';
  multiline?: boolean;
  rows?: number;
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  className?: string;
  /** Visually hidden label (rows of a table-like group still get a real label). */
  hideLabel?: boolean;
}

export function describedBy(id: string, error: string | undefined, hint: boolean): string | undefined {
  const ids = [error !== undefined ? `${id}-error` : undefined, hint ? `${id}-hint` : undefined].filter((x) => x !== undefined);
  return ids.length === 0 ? undefined : ids.join(' ');
}

/** A field's hint (`<id>-hint`) and error (`<id>-error`), the ids `describedBy` names. */
export function FieldHelp({ id, hint, error }: { id: string; hint?: ReactNode; error: string | undefined }) {
  return (
    <>
      {hint !== undefined && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      <FieldError id={id} error={error} />
    </>
  );
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (error === undefined) return null;
  return (
    <p id={`${id}-error`} className="field-error">
      {error}
    </p>
  );
}

export function Field(props: FieldProps) {
  const { id, label, value, onChange, error, hint, type = 'text', multiline = false, rows = 3, required, autoComplete = 'off', placeholder } = props;
  const common = {
    id,
    value,
    required,
    placeholder,
    autoComplete,
    spellCheck: false,
    'aria-invalid': error !== undefined ? true : undefined,
    'aria-describedby': describedBy(id, error, hint !== undefined),
  } as const;
  return (
    <div className={`field${props.className ? ` ${props.className}` : ''}${error !== undefined ? ' has-error' : ''}`}>
      <label htmlFor={id} className={props.hideLabel ? 'visually-hidden' : undefined}>
        {label}
      </label>
      {multiline ? (
        <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...common} type={type} onChange={(e) => onChange(e.target.value)} />
      )}
      <FieldHelp id={id} hint={hint} error={error} />
    </div>
  );
}
