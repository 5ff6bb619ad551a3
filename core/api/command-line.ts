/**
 * What a person reads of a launch before confirming it. A stdio server's command line: every word
 * shell-quoted (so `sh -c 'id > x'` reads as one argument), control characters shown as escapes (a
 * terminal or a page never interprets them), and the whole cut at a length a sentence can hold,
 * saying so. An http or sse server's URL, shown the same way, and the keychain secrets its headers
 * send there.
 */
import { quote } from 'shell-quote';
import { secretHandlesIn } from './names.ts';
import type { ServerDefinition } from './server.ts';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** `text` with control and direction-changing characters shown as `\u{…}` escapes. */
export const visible = (text: string): string => text.replace(CONTROL, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`);

/** `command arg…` quoted for a shell; `max` characters at most (with how many more there are). */
export function commandLineOf(def: Pick<ServerDefinition, 'command' | 'args'>, max = Number.POSITIVE_INFINITY): string {
  return cut(visible(quote([def.command ?? '', ...def.args])), max);
}

/** An http or sse server's URL as a person reads it; `max` characters at most. */
export function urlOf(def: Pick<ServerDefinition, 'url'>, max = Number.POSITIVE_INFINITY): string {
  return cut(visible(def.url ?? ''), max);
}

/**
 * The keychain secrets a launch sends to its URL: the names of the handles in an http or sse
 * server's headers (a stdio server's secrets stay on this machine, in its environment).
 */
export function secretsSentBy(def: Pick<ServerDefinition, 'transport' | 'headers'>): string[] {
  if (def.transport === 'stdio') return [];
  return [...new Set(Object.values(def.headers).flatMap(secretHandlesIn))];
}

/** `the keychain secret "a"`, `the keychain secrets "a" and "b"`, `… "a", "b" and "c"`. */
export function secretsPhrase(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  if (quoted.length <= 1) return `the keychain secret ${quoted[0] ?? ''}`.trimEnd();
  return `the keychain secrets ${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1) as string}`;
}
