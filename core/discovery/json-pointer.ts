/** RFC 6901 JSON pointers: `~` is written `~0` and `/` is written `~1` (in that order, so `~1` in a key stays `~01`). */
export function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function jsonPointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapePointerSegment(String(s))}`).join('');
}

/** A longer pointer below `base`. */
export function childPointer(base: string, ...segments: readonly (string | number)[]): string {
  return base + jsonPointer(...segments);
}
