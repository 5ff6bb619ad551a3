/**
 * A modal dialog on the native <dialog> element: `showModal()` gives the focus trap, Escape to close
 * and an inert page behind it for free. Its accessible name is its title (`getByRole('dialog',
 * { name: title })`).
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface DialogProps {
  /** Whether the dialog is shown. */
  open: boolean;
  /** The heading, which is also the dialog's accessible name ("Remove server"). */
  title: string;
  /** Called on Escape and on the Cancel button; the parent sets `open` to false. */
  onClose: () => void;
  /** The body: text, fields. */
  children?: ReactNode;
  /** The action buttons, shown before "Cancel" (e.g. <button className="button danger">Remove</button>). */
  actions?: ReactNode;
  /** Label of the closing button; "Cancel" by default. Pass null to leave it out. */
  closeLabel?: string | null;
}

export function Dialog(props: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const cancel = (event: Event): void => {
      event.preventDefault();
      onClose.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => dialog.removeEventListener('cancel', cancel);
  }, []);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId}>
      {props.open && (
        <>
          <h2 id={titleId} className="dialog-title">
            {props.title}
          </h2>
          <div className="dialog-body">{props.children}</div>
          <div className="dialog-actions">
            {props.actions}
            {props.closeLabel !== null && (
              <button type="button" className="button" onClick={() => props.onClose()}>
                {props.closeLabel ?? 'Cancel'}
              </button>
            )}
          </div>
        </>
      )}
    </dialog>
  );
}
