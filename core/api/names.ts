/**
 * Name rules shared by servers, secrets, agents and API keys: letters, digits, '-', '_', '.'; 1 to
 * 64; and never a name that a program or a file system reads as something else. A name is written
 * into client configs (`mcp-warden run <name>`), typed on command lines and may name a file, so it
 * must not look like an option (`-h`, `--home`), be a path step (`.`, `..`) or a Windows device
 * name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, in any case, with or without an extension: Windows
 * opens the device for `nul.json`). docs/cli.md ("Names") says the same.
 */
const NAME_CHARS = /^[A-Za-z0-9_.-]{1,64}$/;
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\.|$)/i;

/** Every rule in one expression, for callers that only need yes or no. */
export const NAME_PATTERN = /^(?!-)(?!\.\.?$)(?!(?:con|prn|aux|nul|com[1-9]|lpt[1-9])(?:\.|$))[A-Za-z0-9_.-]{1,64}$/i;
/** The characters and length; `nameProblem` words the other rules when a name breaks one. */
export const NAME_RULE = "1 to 64 letters, digits, '-', '_' or '.'";

/** What is wrong with `name` (a clause to follow "is invalid: "), or null when it follows the rules. */
export function nameProblem(name: string): string | null {
  if (!NAME_CHARS.test(name)) return `use ${NAME_RULE}`;
  if (name.startsWith('-')) return "it starts with '-', so command lines would read it as an option";
  if (name === '.' || name === '..') return `"${name}" is a folder in a path, not a name`;
  if (WINDOWS_DEVICE.test(name)) return `${name.split('.')[0]?.toUpperCase()} is a Windows device name (with or without an extension)`;
  return null;
}

/**
 * A name that follows the rules, made from any text (a config key, a title): other characters
 * become '-', leading and trailing '-' go, and a Windows device name gets `-server` after it
 * (`nul` -> `nul-server`, `CON.json` -> `CON-server.json`). Empty, `.` or `..` after that: `fallback`.
 */
export function safeName(text: string, fallback = 'server'): string {
  let name = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  if (WINDOWS_DEVICE.test(name)) name = name.replace(/^[a-z0-9]+/i, (device) => `${device}-server`).slice(0, 64);
  return name === '' || name === '.' || name === '..' ? fallback : name;
}

/** A `{{secret:NAME}}` handle. Anything that looks like one but is not well formed is an error. */
export const SECRET_HANDLE = /\{\{secret:([A-Za-z0-9_.-]{1,64})\}\}/g;
export const LOOKS_LIKE_HANDLE = /\{\{\s*secret\s*:/i;

/** Secret names referenced by handles in `text`, in order of appearance, without repeats. */
export function secretHandlesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(SECRET_HANDLE)) names.add(match[1] as string);
  return [...names];
}

export const secretHandle = (name: string): string => `{{secret:${name}}}`;
