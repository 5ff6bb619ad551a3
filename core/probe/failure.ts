/** How a probe stops early: one category and one sentence for the user, thrown inside, returned outside. */
import type { ProbeFailureCategory } from '../api/probe.ts';

export interface StopDetails {
  exit_code?: number | null;
  signal?: string | null;
  http_status?: number;
}

export class ProbeStop extends Error {
  readonly category: ProbeFailureCategory;
  readonly details: StopDetails;

  constructor(category: ProbeFailureCategory, message: string, details: StopDetails = {}) {
    super(message);
    this.name = 'ProbeStop';
    this.category = category;
    this.details = details;
  }
}

/** `15 s`, `1.5 s`, `250 ms`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** `16 MiB`, `256 KiB`, `900 bytes`. */
export function bytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** The last non-empty line of `text`, cut to `max` characters, or undefined. */
export function lastLine(text: string, max = 200): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('[stderr truncated'));
  const line = lines.at(-1);
  if (line === undefined) return undefined;
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Quotes text inside a sentence, without its trailing full stop. */
export function quote(text: string): string {
  return `"${text.replace(/[.\s]+$/, '')}"`;
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0] ?? '';
  return (line.length > 200 ? `${line.slice(0, 200)}…` : line).replace(/[.\s]+$/, '');
}
