/**
 * The key under which the launcher matches an answer to its request: the way the MCP TypeScript SDK's
 * client does (`Number(response.id)` against its numeric ids, `_onresponse` in shared/protocol.js),
 * so `2`, `"2"`, `" 2"`, `"2.0"` and `"0x2"` are one request, as they are for that client. A string
 * that is not a number is matched as itself; any other JSON value (no client takes it as an id) by
 * its JSON text. Matching more widely than a client never lets an answer that client accepts pass
 * uninspected.
 */
export function idKey(id: unknown): string {
  if (typeof id === 'number') return `n:${id}`; // String(-0) is "0", as the SDK's Map lookup treats -0 and 0 alike
  if (typeof id === 'string') {
    const n = Number(id);
    return Number.isNaN(n) ? `s:${id}` : `n:${n}`;
  }
  return `j:${JSON.stringify(id) ?? 'undefined'}`;
}
