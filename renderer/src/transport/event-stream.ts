/**
 * Server-sent events read with fetch, not EventSource: EventSource cannot send an Authorization
 * header, and the web UI's session travels in one (web-session.ts). Frames are parsed as the
 * EventSource spec says (`event:`, `data:` lines joined by newlines, `retry:`, comments ignored), and
 * the stream reconnects after `retry` milliseconds until it is closed or answered 401.
 */
export interface SseFrame {
  event: string;
  data: string;
}

/** Feeds text chunks, calls `onFrame` for every complete frame and `onRetry` for a `retry:` field. */
export function sseParser(onFrame: (frame: SseFrame) => void, onRetry: (ms: number) => void): (chunk: string) => void {
  let pending = '';
  let event = '';
  let data: string[] = [];
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) onFrame({ event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  };
  return (chunk) => {
    pending += chunk;
    let end: number;
    while ((end = pending.search(/\r\n|\r|\n/)) !== -1) {
      const crlf = pending.startsWith('\r\n', end);
      line(pending.slice(0, end));
      pending = pending.slice(end + (crlf ? 2 : 1));
    }
  };
}

export interface StreamOptions {
  url: string;
  /** Headers for each (re)connection, e.g. the credential; null stops (not signed in). */
  headers: () => Promise<Record<string, string> | null>;
  onFrame: (frame: SseFrame) => void;
  onStatus?: ((connected: boolean) => void) | undefined;
  /** Called once on a 401: the stream stops for good. */
  onUnauthorized?: (() => void) | undefined;
}

/** Opens the stream; the returned function closes it. */
export function openEventStream(options: StreamOptions): () => void {
  let closed = false;
  let abort: AbortController | undefined;
  let retryMs = 3_000;
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  void (async () => {
    while (!closed) {
      abort = new AbortController();
      try {
        const headers = await options.headers();
        if (headers === null) {
          options.onStatus?.(false);
          options.onUnauthorized?.();
          return;
        }
        const response = await fetch(options.url, { headers: { accept: 'text/event-stream', ...headers }, cache: 'no-store', signal: abort.signal });
        if (response.status === 401) {
          options.onStatus?.(false);
          options.onUnauthorized?.();
          return;
        }
        if (response.ok && response.body !== null) {
          options.onStatus?.(true);
          const feed = sseParser(options.onFrame, (ms) => (retryMs = ms));
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            feed(decoder.decode(value, { stream: true }));
          }
        }
      } catch {
        // A dropped connection or a closed stream: reconnect below unless closed.
      }
      if (closed) return;
      options.onStatus?.(false);
      await wait(retryMs);
    }
  })();

  return () => {
    closed = true;
    abort?.abort();
  };
}
