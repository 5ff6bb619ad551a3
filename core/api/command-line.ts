/**
 * A stdio server's command line as a person reads it before confirming it: every word shell-quoted
 * (so `sh -c 'id > x'` reads as one argument), control characters shown as escapes (a terminal or
 * a page never interprets them), and the whole cut at a length a sentence can hold, saying so.
 */
import { quote } from 'shell-quote';
import type { ServerDefinition } from './server.ts';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** `text` with control and direction-changing characters shown as `\u{…}` escapes. */
export const visible = (text: string): string => text.replace(CONTROL, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);

/** `command arg…` quoted for a shell; `max` characters at most (with how many more there are). */
export function commandLineOf(def: Pick<ServerDefinition, 'command' | 'args'>, max = Number.POSITIVE_INFINITY): string {
  const line = visible(quote([def.command ?? '', ...def.args]));
  if (line.length <= max) return line;
  return `${line.slice(0, max)}… (${line.length - max} more characters)`;
}
