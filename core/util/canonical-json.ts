import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON, for hashing. RFC 8785 has no encoding for a lone UTF-16 surrogate, which a
 * JSON escape such as "\ud800" in a client config can produce; such a code unit is replaced by
 * U+FFFD first, so hashing never fails on what a hostile config holds.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(wellFormed(value)) as string;
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
  }
  return value;
}
