/** The three states every screen has besides its content: loading, empty and failed. */
import type { ReactNode } from 'react';

/** `role="status"` "Loading…" (or `label`). Announced politely to screen readers. */
export function Loading(props: { label?: string }) {
  return (
    <p role="status" className="state state-loading">
      <span className="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </p>
  );
}

/**
 * What is empty and what to do about it.
 * @param title one sentence saying what is empty ("No alerts are open.")
 * @param children what the user can do next (text, a link, a command)
 */
export function Empty(props: { title: string; children?: ReactNode }) {
  return (
    <section className="state state-empty">
      <p className="state-title">{props.title}</p>
      {props.children !== undefined && <div className="state-body">{props.children}</div>}
    </section>
  );
}

/**
 * `role="alert"` with the API's message (WardenClientError.message is already one sentence).
 * @param error what failed; a string is shown as is
 * @param onRetry shows a "Try again" button when given
 */
export function ErrorState(props: { error: Error | string; onRetry?: () => void }) {
  const message = typeof props.error === 'string' ? props.error : props.error.message;
  return (
    <div role="alert" className="state state-error">
      <p>{message}</p>
      {props.onRetry && (
        <button type="button" className="button" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
