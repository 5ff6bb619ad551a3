/**
 * The registry as the REST API lists it: servers with what the registry screen shows beside each
 * (latest trust score, open alerts, the clients listing it, the last probe). One statement reads a
 * page with all of that (correlated subqueries over per-server indexes, no query per row) and one
 * counts the matches, so a page costs the same with 10 servers or 10,000.
 */
import { SEVERITIES } from '../api/alert.ts';
import type { ListServersQuery, Page, ServerSort, ServerView } from '../api/rest.ts';
import type { ServerDefinition } from '../api/server.ts';
import type { Db } from '../store/database.ts';
import { stmt } from '../store/statements.ts';
import { trustBand } from '../trust/score.ts';
import { rowToServer, type ServerRow } from './read.ts';

interface Extras {
  trust_score: number | null;
  open_alerts: number;
  /** JSON array of client ids, or null when no config lists it. */
  clients: string | null;
  last_probe_at: string | null;
  attestation: 'valid' | 'failed' | null;
}

/** A severity as a number (info 0 .. critical 4), to compare with a minimum. */
const SEVERITY_RANK = `CASE a.severity ${SEVERITIES.map((sev, i) => `WHEN '${sev}' THEN ${i}`).join(' ')} END`;

const EXTRAS = `
  (SELECT t.score FROM trust_scores t WHERE t.server_id = s.id ORDER BY t.id DESC LIMIT 1) AS trust_score,
  (SELECT count(*) FROM alerts a WHERE a.server_id = s.id AND a.state != 'resolved') AS open_alerts,
  (SELECT json_group_array(DISTINCT g.client) FROM agent_servers l JOIN agents g ON g.id = l.agent_id WHERE l.server_id = s.id AND l.present = 1) AS clients,
  (SELECT p.at FROM probes p WHERE p.server_id = s.id ORDER BY p.id DESC LIMIT 1) AS last_probe_at,
  (SELECT x.status FROM attestations x WHERE x.server_id = s.id ORDER BY x.id DESC LIMIT 1) AS attestation`;

/** Every filter is inert when its parameter is null, so one cached statement serves every query. */
const WHERE = `
  WHERE (@q IS NULL OR s.name LIKE @q ESCAPE '\\' OR s.display_name LIKE @q ESCAPE '\\' OR s.description LIKE @q ESCAPE '\\')
    AND (@status IS NULL
         OR (@status = 'declared' AND s.declared = 1)
         OR (@status = 'approved' AND s.status = 'approved' AND s.declared = 0)
         OR (@status = 'discovered' AND s.status = 'discovered' AND json_extract(s.source, '$.kind') = 'discovered')
         OR (@status = 'pending' AND s.status = 'discovered' AND json_extract(s.source, '$.kind') = 'manual'))
    AND (@client IS NULL OR s.id IN (SELECT l.server_id FROM agents g JOIN agent_servers l ON l.agent_id = g.id
                                      WHERE g.client = @client AND l.present = 1))
    AND (@severity IS NULL OR EXISTS (SELECT 1 FROM alerts a WHERE a.server_id = s.id AND a.state != 'resolved'
                                       AND ${SEVERITY_RANK} >= @severity))`;

/** Each order ends with the name, so pages are stable. SQLite cannot bind ORDER BY: one statement per sort. */
const ORDER: Record<ServerSort, string> = {
  name: 's.name',
  // What needs a look first: the least trusted; servers never scored come last.
  trust: 'trust_score IS NULL, trust_score, s.name',
  alerts: 'open_alerts DESC, s.name',
};

/** `%text%` with LIKE's own wildcards (and the escape character) taken literally. */
export const likeContains = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function toView(row: ServerRow & Extras): ServerView {
  return {
    ...rowToServer(row),
    trust: row.trust_score === null ? null : { score: row.trust_score, band: trustBand(row.trust_score) },
    open_alerts: row.open_alerts,
    clients: row.clients === null ? [] : (JSON.parse(row.clients) as string[]).sort(),
    last_probe_at: row.last_probe_at,
    attestation: row.attestation,
  };
}

/**
 * One page of servers ordered by name. `q` matches name, display name and description
 * (case-insensitive, as LIKE is for ASCII); `status` and `client` narrow it.
 */
export function listServerPage(db: Db, query: ListServersQuery): Page<ServerView> {
  const params = {
    q: query.q === undefined || query.q === '' ? null : likeContains(query.q),
    status: query.status ?? null,
    client: query.client ?? null,
    severity: query.severity === undefined ? null : SEVERITIES.indexOf(query.severity),
  };
  const limit = query.limit;
  const offset = query.offset;
  const rows = stmt<[typeof params & { limit: number; offset: number }], ServerRow & Extras>(db, `SELECT s.*, ${EXTRAS} FROM servers s ${WHERE} ORDER BY ${ORDER[query.sort]} LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit, offset });
  const total = (stmt<[typeof params], { n: number }>(db, `SELECT count(*) AS n FROM servers s ${WHERE}`).get(params) as { n: number }).n;
  return { items: rows.map(toView), total, limit, offset, next_offset: offset + rows.length < total ? offset + rows.length : null };
}

/** One server as the API answers it. */
export function serverView(db: Db, server: ServerDefinition): ServerView {
  const row = stmt<[string], ServerRow & Extras>(db, `SELECT s.*, ${EXTRAS} FROM servers s WHERE s.id = ?`).get(server.id);
  // Removed meanwhile by another process: answer what the caller holds, with nothing beside it.
  if (row === undefined) return { ...server, trust: null, open_alerts: 0, clients: [], last_probe_at: null, attestation: null };
  return toView(row);
}
