/**
 * A fieldset of name/value rows whose values may hold `{{secret:NAME}}` handles: the environment of
 * a stdio server and the headers of an http one. Each row has its two labelled fields, a secret
 * picker and a Remove button; the group has Add and "Add secret" buttons and its own error.
 */
import type { JSX, Ref } from 'react';
import { Field, FieldError } from './Field.tsx';
import type { FieldErrors } from './form-model.ts';
import { SecretPicker, type SecretsState } from './SecretPicker.tsx';

export interface PairRow {
  rowId: number;
  name: string;
  value: string;
}

export interface PairRowsProps {
  /** The REST field the group stands for (`env_template`, `headers`): its error id is `<id>-error`. */
  id: string;
  legend: string;
  /** `variable` or `header`: used in "Add variable", "Remove header 2", the picker's target. */
  noun: string;
  nameLabel: string;
  valueLabel: string;
  rows: readonly PairRow[];
  nameId: (rowId: number) => string;
  valueId: (rowId: number) => string;
  errors: FieldErrors;
  /** A change to one row; `fieldId` is the input whose error the change clears. */
  onChange: (rowId: number, change: Partial<Pick<PairRow, 'name' | 'value'>>, fieldId: string) => void;
  onAdd: () => void;
  onRemove: (rowId: number) => void;
  secrets: SecretsState;
  loadSecrets: () => void;
  onAddSecret: () => void;
  addSecretButton: Ref<HTMLButtonElement>;
}

const handle = (name: string): string => `{{secret:${name}}}`;
const withHandle = (value: string, name: string): string => (value === '' ? handle(name) : `${value}${handle(name)}`);

export function PairRows(props: PairRowsProps): JSX.Element {
  const { id, errors, noun } = props;
  return (
    <fieldset id={`${id}-group`} className="rows-group" tabIndex={-1} aria-describedby={errors[id] !== undefined ? `${id}-error` : undefined}>
      <legend>{props.legend}</legend>
      <FieldError id={id} error={errors[id]} />
      {props.rows.map((row, i) => {
        const label = row.name.trim() === '' ? `${noun} ${i + 1}` : row.name.trim();
        return (
          <div className="row-fields" key={row.rowId}>
            <Field
              id={props.nameId(row.rowId)}
              label={props.nameLabel}
              className="row-key"
              value={row.name}
              onChange={(v) => props.onChange(row.rowId, { name: v }, props.nameId(row.rowId))}
              error={errors[props.nameId(row.rowId)]}
            />
            <Field
              id={props.valueId(row.rowId)}
              label={props.valueLabel}
              className="row-value"
              value={row.value}
              onChange={(v) => props.onChange(row.rowId, { value: v }, props.valueId(row.rowId))}
              error={errors[props.valueId(row.rowId)]}
            />
            <div className="row-actions">
              <SecretPicker
                secrets={props.secrets}
                target={label}
                onOpen={props.loadSecrets}
                onPick={(name) => props.onChange(row.rowId, { value: withHandle(row.value, name) }, props.valueId(row.rowId))}
                onAddSecret={props.onAddSecret}
              />
              <button type="button" className="button small quiet" aria-label={`Remove ${noun} ${row.name.trim() === '' ? i + 1 : row.name.trim()}`} onClick={() => props.onRemove(row.rowId)}>
                Remove
              </button>
            </div>
          </div>
        );
      })}
      <div className="group-actions">
        <button type="button" className="button small" onClick={props.onAdd}>
          Add {noun}
        </button>
        <button ref={props.addSecretButton} type="button" className="button small" onClick={props.onAddSecret}>
          Add secret
        </button>
      </div>
    </fieldset>
  );
}
