/**
 * Invisible and direction-changing characters: which ones there are, how to show them, how to decode
 * what they hide, and the normalised text that the wording rules read (with them taken out, so that
 * `ig<U+200B>nore previous instructions` is still caught).
 */

/** Tag characters U+E0000–U+E007F: each of U+E0020–U+E007E mirrors one printable ASCII character. */
export const TAG_RUN = /[\u{E0000}-\u{E007F}]+/gu;
/** Zero-width and word-joining characters (U+FEFF only counts inside text; at the start it is a byte-order mark). */
export const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/gu;
/** Embedding, override and isolate controls that reorder how text is displayed (Trojan Source). */
export const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/gu;
/** Variation selectors: one after an emoji or an ideograph is normal; a run of them carries bytes. */
export const VARIATION_SELECTOR_RUN = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]{2,}/gu;

/** Everything taken out before the wording rules read a text. */
const STRIP = /[\u{E0000}-\u{E007F}\u200B-\u200F\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u00AD\u034F\u180E]/gu;

/** Cyrillic and Greek letters that look like Latin ones, folded before matching (`ignоre` with a Cyrillic о). */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', ε: 'e', ι: 'i', ο: 'o', ρ: 'p', υ: 'u', ν: 'v', κ: 'k', τ: 't',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const CONFUSABLE_CHARS = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'gu');

/**
 * The text the wording rules read: invisible characters removed, compatibility forms folded (NFKC:
 * full-width letters, ligatures), Latin look-alikes folded, runs of spaces and tabs made one space.
 */
export function normaliseText(raw: string): string {
  return raw
    .replace(STRIP, '')
    .normalize('NFKC')
    .replace(CONFUSABLE_CHARS, (ch) => CONFUSABLES[ch] ?? ch)
    .replace(/[ \t\u00A0]+/g, ' ');
}

/** `\u200B`, `\u{E0041}`: how an invisible or control character is shown in a finding. */
export function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Any invisible, format or control character (general categories Cf, Cc except tab and newline, and the variation selectors). */
const SHOW_ESCAPED = /[\p{Cf}\p{Co}\uFE00-\uFE0F\u{E0100}-\u{E01EF}]|[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/gu;

/** A text with every invisible character shown escaped, so the user sees where it hides. */
export function showInvisible(text: string): string {
  return text.replace(SHOW_ESCAPED, escapeChar);
}

/** The ASCII a run of tag characters spells; U+E0001 (language tag) and U+E007F (cancel tag) spell nothing. */
export function decodeTagRun(run: string): string {
  let out = '';
  for (const ch of run) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCharCode(cp - 0xe0000);
  }
  return out;
}

/**
 * Whether a tag run at `index` is a flag emoji's tag sequence: U+1F3F4 (black flag), then 2 to 7
 * lowercase letters or digits (`gbsct` for Scotland), then U+E007F (cancel tag).
 */
export function isEmojiTagSequence(text: string, index: number, run: string): boolean {
  const before = text.codePointAt(index - 2);
  return before === 0x1f3f4 && /^[a-z0-9]{2,7}$/.test(decodeTagRun(run)) && run.codePointAt(run.length - 2) === 0xe007f;
}

/**
 * The bytes a run of variation selectors carries (VS1–VS16 are 0–15, VS17–VS256 are 16–255), read as
 * UTF-8 (emoji smuggling). A lone selector after an emoji or an ideograph is never passed here.
 */
export function decodeVariationSelectors(run: string): string {
  const bytes: number[] = [];
  for (const ch of run) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0xfe00 && cp <= 0xfe0f) bytes.push(cp - 0xfe00);
    else if (cp >= 0xe0100 && cp <= 0xe01ef) bytes.push(cp - 0xe0100 + 16);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
}

/**
 * Whether the zero-width character at `index` is doing its ordinary job: U+200D joining the parts of
 * an emoji (👩‍💻), or U+200C/U+200D shaping letters of a script that needs them (Persian, Indic scripts).
 */
export function isLegitimateJoiner(text: string, index: number): boolean {
  const ch = text[index];
  if (ch !== '\u200C' && ch !== '\u200D') return false;
  const before = [...text.slice(Math.max(0, index - 4), index)].at(-1) ?? '';
  const after = [...text.slice(index + 1, index + 5)][0] ?? '';
  if (ch === '\u200D' && /[\p{Extended_Pictographic}\uFE0F\u{1F3FB}-\u{1F3FF}]/u.test(before) && /\p{Extended_Pictographic}/u.test(after)) return true;
  const nonLatinLetter = /[\p{L}\p{M}]/u;
  return nonLatinLetter.test(before) && nonLatinLetter.test(after) && !/\p{Script=Latin}/u.test(before) && !/\p{Script=Latin}/u.test(after);
}

/** Up to `width` characters either side of [start, end), with invisible characters shown escaped. */
export function contextAround(text: string, start: number, end: number, width = 20): string {
  let from = Math.max(0, start - width);
  let to = Math.min(text.length, end + width);
  // Never cut a surrogate pair in half.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from] ?? '')) from--;
  if (to < text.length && /[\uDC00-\uDFFF]/.test(text[to] ?? '')) to++;
  return `${from > 0 ? '…' : ''}${showInvisible(text.slice(from, to))}${to < text.length ? '…' : ''}`;
}
