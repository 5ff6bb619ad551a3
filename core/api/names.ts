/** Name rules shared by servers and secrets (letters, digits, '-', '_', '.'; 1 to 64). */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
export const NAME_RULE = "1 to 64 letters, digits, '-', '_' or '.'";

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
