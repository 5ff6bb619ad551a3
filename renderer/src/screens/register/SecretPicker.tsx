/**
 * "Insert secret": a button that opens a listbox of the keychain's secret names; choosing one
 * inserts `{{secret:NAME}}` into the value beside it. Keyboard: arrows/Home/End move, Enter or
 * Space picks, Escape closes and gives focus back to the button.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { SecretInfo } from '../../../../core/api/secret.ts';

export type SecretsState = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; items: SecretInfo[] };

export interface SecretPickerProps {
  secrets: SecretsState;
  /** What the handle goes into, for the listbox's name: "Value of GITHUB_TOKEN". */
  target: string;
  onPick: (name: string) => void;
  onAddSecret: () => void;
  /** Called when the list opens, to refresh the names. */
  onOpen?: () => void;
}

export function SecretPicker({ secrets, target, onPick, onAddSecret, onOpen }: SecretPickerProps) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const baseId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popupRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const items = secrets.kind === 'ready' ? secrets.items : [];

  useEffect(() => {
    if (!open) return;
    // Focus the listbox when there is one, else the first control in the popup.
    const focusTarget = listRef.current ?? popupRef.current?.querySelector<HTMLElement>('button');
    focusTarget?.focus();
  }, [open, secrets.kind]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const pick = (index: number) => {
    const secret = items[index];
    if (secret === undefined) return;
    onPick(secret.name);
    close(true);
  };

  const onListKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const last = items.length - 1;
    const moves: Record<string, number> = { ArrowDown: Math.min(active + 1, last), ArrowUp: Math.max(active - 1, 0), Home: 0, End: last };
    const next = moves[e.key];
    if (next !== undefined) {
      e.preventDefault();
      setActive(next);
      document.getElementById(`${baseId}-opt-${next}`)?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      pick(active);
    }
  };

  return (
    <div
      className="secret-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          close(true);
        }
      }}
      onBlur={(e) => {
        if (open && !e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="button small"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? `${baseId}-popup` : undefined}
        onClick={() => {
          setActive(0);
          if (!open) onOpen?.();
          setOpen(!open);
        }}
      >
        Insert secret
      </button>
      {open && (
        <div ref={popupRef} id={`${baseId}-popup`} className="secret-popup">
          {secrets.kind === 'loading' && <p role="status">Loading…</p>}
          {secrets.kind === 'error' && <p role="alert">{secrets.message}</p>}
          {secrets.kind === 'ready' && items.length === 0 && <p>No secrets in the keychain yet: add one first.</p>}
          {items.length > 0 && (
            <ul
              ref={listRef}
              role="listbox"
              tabIndex={0}
              aria-label={`Secrets for ${target}`}
              aria-activedescendant={`${baseId}-opt-${active}`}
              onKeyDown={onListKey}
            >
              {items.map((secret, i) => (
                <li
                  key={secret.name}
                  id={`${baseId}-opt-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className={i === active ? 'active' : undefined}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => pick(i)}
                >
                  <span className="secret-name">{secret.name}</span>
                  {secret.description !== '' && <span className="muted"> — {secret.description}</span>}
                </li>
              ))}
            </ul>
          )}
          {secrets.kind !== 'loading' && (
            <button
              type="button"
              className="button small link"
              onClick={() => {
                close(false);
                onAddSecret();
              }}
            >
              New secret…
            </button>
          )}
        </div>
      )}
    </div>
  );
}
