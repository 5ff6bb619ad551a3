/**
 * Splits a `command` written as one string (`"npx -y @scope/pkg@1.2"`, no args) into the program and
 * its arguments the way a shell would, without ever running or expanding anything.
 *
 * Rules (the config is read as written, never evaluated):
 * - Quotes are honoured ('...' and "..."). `$` is never expanded (`$HOME`, `${env:X}` and
 *   `${input:x}` stay verbatim), `#` never starts a comment, and a backslash is an ordinary
 *   character, so Windows paths (`C:\Users\me\x.js`) survive; quote a word instead of escaping it.
 *   Glob characters (`*`, `?`) are kept literally.
 * - A string holding shell operators (`|`, `&&`, `;`, `>`, `<`, `(`...) is not a program and its
 *   arguments but a shell script: it is kept unsplit, exactly as written (undefined is returned),
 *   so the watcher still sees and fingerprints it.
 * - An absolute path with spaces (`C:\Program Files\nodejs\node.exe`, `/Applications/My App/bin/x`)
 *   is not split inside the path. Starting from an absolute first word, following words are taken
 *   as part of the path while each one contains a path separator or ends in .exe/.cmd/.bat/.com,
 *   and does not start with `-`, a quote or another absolute path; the rest are arguments
 *   (`C:\Program Files\nodejs\node.exe server.js` -> that program, `["server.js"]`). When the first
 *   word is a well-known launcher (`/usr/bin/node lib/x.js`), its arguments are never read as part
 *   of the path. Without the file system this stays a heuristic: `/opt/run lib/x.js` reads as one
 *   path; the client would have to guess the same way.
 */
import { parse as shellParse } from 'shell-quote';
import { isWindowsAbsolute } from './platform-paths.ts';

export interface SplitCommand {
  command: string;
  args: string[];
}

/** Longer strings are kept as written: no real command line is this long, and the tokenizer is regex-based. */
export const MAX_SPLIT_LENGTH = 16 * 1024;

/** The program and arguments, or undefined when the string must be kept as written. */
export function splitCommandLine(line: string): SplitCommand | undefined {
  if (line.length > MAX_SPLIT_LENGTH || !/\s/.test(line)) return undefined;
  const pathEnd = absolutePathPrefixEnd(line);
  if (pathEnd !== undefined) {
    const rest = line.slice(pathEnd);
    if (rest.trim() === '') return undefined; // the whole string is one path
    const args = shellWords(rest);
    return args === undefined ? undefined : { command: line.slice(0, pathEnd), args };
  }
  const words = shellWords(line);
  const [command, ...args] = words ?? [];
  if (command === undefined || command === '' || args.length === 0) return undefined;
  return { command, args };
}

const WINDOWS_EXECUTABLE = /\.(exe|cmd|bat|com)$/i;
const LAUNCHERS = new Set(['node', 'nodejs', 'npx', 'npm', 'pnpm', 'yarn', 'bun', 'bunx', 'deno', 'python', 'python3', 'py', 'uv', 'uvx', 'pipx', 'docker', 'podman', 'bash', 'sh', 'zsh', 'cmd', 'powershell', 'pwsh', 'java', 'ruby', 'dotnet', 'go']);

function isAbsoluteLike(word: string): boolean {
  return word.startsWith('/') || word.startsWith('~/') || isWindowsAbsolute(word);
}

/**
 * Where the absolute path that starts `line` ends, when it spans more than one space-separated
 * word; undefined when the line does not start with such a path.
 */
function absolutePathPrefixEnd(line: string): number | undefined {
  const words = [...line.matchAll(/\S+/g)].map((m) => ({ text: m[0], end: m.index + m[0].length }));
  const first = words[0];
  if (first === undefined || !isAbsoluteLike(first.text) || LAUNCHERS.has(baseName(first.text))) return undefined;
  let end = first.end;
  for (const word of words.slice(1)) {
    const continuesPath =
      !/^[-'"]/.test(word.text) && !isAbsoluteLike(word.text) && (/[\\/]/.test(word.text) || WINDOWS_EXECUTABLE.test(word.text));
    if (!continuesPath) break;
    end = word.end;
  }
  return end === first.end ? undefined : end;
}

function baseName(word: string): string {
  const last = word.split(/[\\/]/).pop() ?? word;
  return last.toLowerCase().replace(WINDOWS_EXECUTABLE, '');
}

// Private-use characters stand in for what must stay literal while shell-quote tokenizes.
const DOLLAR = '\uE000';
const HASH = '\uE001';
const ESCAPE = '\uE002'; // passed as shell-quote's escape character, so `\` is literal

/** Shell words of `s`, or undefined when it holds shell operators (or cannot be tokenized). */
function shellWords(s: string): string[] | undefined {
  if (s.includes(DOLLAR) || s.includes(HASH) || s.includes(ESCAPE)) return undefined;
  let entries: ReturnType<typeof shellParse>;
  try {
    entries = shellParse(s.replaceAll('$', DOLLAR).replaceAll('#', HASH), undefined, { escape: ESCAPE });
  } catch {
    return undefined;
  }
  const words: string[] = [];
  for (const entry of entries) {
    let word: string;
    if (typeof entry === 'string') word = entry;
    else if ('op' in entry && entry.op === 'glob') word = entry.pattern;
    else return undefined;
    words.push(word.replaceAll(DOLLAR, '$').replaceAll(HASH, '#'));
  }
  return words;
}
