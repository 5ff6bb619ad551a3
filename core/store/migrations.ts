/**
 * Versioned schema migrations. `PRAGMA user_version` holds the version reached. Append only: a
 * shipped migration is never edited, and each new version gets a fixture in test/fixtures/db/
 * (`npm run make:db-fixture`) so upgrades from it stay tested.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry and secret metadata',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE servers (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        description  TEXT NOT NULL DEFAULT '',
        transport    TEXT NOT NULL CHECK (transport IN ('stdio', 'http', 'sse')),
        command      TEXT,
        args         TEXT NOT NULL DEFAULT '[]',
        cwd          TEXT,
        url          TEXT,
        headers      TEXT NOT NULL DEFAULT '{}',
        env_template TEXT NOT NULL DEFAULT '[]',
        capabilities TEXT NOT NULL DEFAULT '[]',
        source       TEXT NOT NULL DEFAULT '{"kind":"manual"}',
        fingerprint  TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      -- Names and descriptions only: secret values live in the OS keychain.
      CREATE TABLE secrets (
        name        TEXT PRIMARY KEY,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL
      ) STRICT;

      -- Which server holds a handle to which secret. No foreign key to secrets: a forced removal
      -- leaves the reference dangling on purpose, so the server reports the missing secret at launch.
      CREATE TABLE server_secret_refs (
        server_id   TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        secret_name TEXT NOT NULL,
        PRIMARY KEY (server_id, secret_name)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX server_secret_refs_by_secret ON server_secret_refs (secret_name);
    `,
  },
  {
    version: 2,
    name: 'discovery, alerts, audit trail, settings, file hashes',
    sql: `
      -- discovered: found in a client config and registered, not yet approved; approved: by hand or by the user.
      ALTER TABLE servers ADD COLUMN status TEXT NOT NULL DEFAULT 'approved' CHECK (status IN ('discovered', 'approved'));
      -- SHA-256 of the resolved executable when the definition was registered or approved.
      ALTER TABLE servers ADD COLUMN command_sha256 TEXT;

      -- A client config file: the agent whose allowed servers it lists.
      CREATE TABLE agents (
        id             TEXT PRIMARY KEY,
        client         TEXT NOT NULL,
        config_path    TEXT NOT NULL,
        format         TEXT NOT NULL,
        scope          TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('ok', 'missing', 'unparseable')),
        content_sha256 TEXT,
        baseline_at    TEXT,
        first_seen_at  TEXT NOT NULL,
        last_scan_at   TEXT NOT NULL,
        UNIQUE (client, config_path)
      ) STRICT;

      -- The servers an agent lists, with the entry as last seen (secret values redacted).
      CREATE TABLE agent_servers (
        agent_id     TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
        pointer      TEXT NOT NULL,
        server_id    TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        key          TEXT NOT NULL,
        observed     TEXT NOT NULL,
        present      INTEGER NOT NULL DEFAULT 1,
        disabled     INTEGER NOT NULL DEFAULT 0,
        in_baseline  INTEGER NOT NULL DEFAULT 0,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, pointer)
      ) STRICT;
      CREATE INDEX agent_servers_by_server ON agent_servers (server_id);

      CREATE TABLE alerts (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        type            TEXT NOT NULL,
        severity        TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
        state           TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
        title           TEXT NOT NULL,
        details         TEXT NOT NULL,
        dedup_key       TEXT NOT NULL,
        server_id       TEXT,
        agent_id        TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        resolved_reason TEXT,
        resolved_by     TEXT
      ) STRICT;
      -- The same condition never has two unresolved alerts.
      CREATE UNIQUE INDEX alerts_unresolved_dedup ON alerts (dedup_key) WHERE state != 'resolved';
      CREATE INDEX alerts_by_state ON alerts (state, severity);
      -- "Is this condition already covered?" runs once per condition per scan, over the whole history.
      CREATE INDEX alerts_by_dedup ON alerts (dedup_key);
      CREATE INDEX alerts_by_agent ON alerts (agent_id) WHERE state != 'resolved';

      -- Append-only, hash-chained (core/audit).
      CREATE TABLE audit_events (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        type      TEXT NOT NULL,
        server_id TEXT,
        details   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_events_by_server ON audit_events (server_id);

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- Cache of file hashes keyed by what changes when the file does (core/integrity).
      CREATE TABLE file_hashes (
        path      TEXT PRIMARY KEY,
        size      INTEGER NOT NULL,
        mtime_ms  REAL NOT NULL,
        ctime_ms  REAL NOT NULL,
        ino       TEXT NOT NULL,
        dev       TEXT NOT NULL,
        sha256    TEXT NOT NULL,
        hashed_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'probes, pins, content-rule allowlists, attestations, publisher expectations, trust history',
    sql: `
      -- Every probe of a server, successful or not, with what it found (never a secret value).
      CREATE TABLE probes (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id       TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        at              TEXT NOT NULL,
        ok              INTEGER NOT NULL,
        category        TEXT,
        message         TEXT,
        result          TEXT NOT NULL,
        manifest_sha256 TEXT,
        diff            TEXT,
        findings        TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX probes_by_server ON probes (server_id, id);

      -- The accepted definitions of a server: set by its first successful probe once approved,
      -- replaced only by approval.
      CREATE TABLE pins (
        server_id       TEXT PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
        manifest_sha256 TEXT NOT NULL,
        pin             TEXT NOT NULL,
        pinned_at       TEXT NOT NULL,
        probe_id        INTEGER
      ) STRICT;

      -- Content-scan rule ids the user silenced for one server (audited).
      ALTER TABLE servers ADD COLUMN allowed_rules TEXT NOT NULL DEFAULT '[]';

      -- Alerts about a server, not a config (probes): looked up by server.
      CREATE INDEX alerts_by_server ON alerts (server_id) WHERE state != 'resolved';

      -- Signed statements of what a server runs (core/attest), newest last.
      CREATE TABLE attestations (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id   TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        at          TEXT NOT NULL,
        envelope    TEXT NOT NULL,
        statement   TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('valid', 'failed')),
        verified_at TEXT,
        differences TEXT NOT NULL DEFAULT '[]'
      ) STRICT;
      CREATE INDEX attestations_by_server ON attestations (server_id, id);

      -- What the publisher says the server should be: a key (ed25519:<base64>) and a checksum.
      ALTER TABLE servers ADD COLUMN publisher_key TEXT;
      ALTER TABLE servers ADD COLUMN expected_checksum TEXT;

      -- Every trust score a server had, with the breakdown that explains it (core/trust).
      CREATE TABLE trust_scores (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        at        TEXT NOT NULL,
        score     INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
        breakdown TEXT NOT NULL
      ) STRICT;
      CREATE INDEX trust_scores_by_server ON trust_scores (server_id, id);
    `,
  },
  {
    version: 4,
    name: 'declared servers, API agents and their servers, API keys',
    sql: `
      -- A server registered by name and capabilities only, waiting for a client config to list it.
      -- Stored as status 'approved' (the status CHECK cannot change without rebuilding the table,
      -- which would cascade-delete every child row); core/registry/read.ts reports it as 'declared'.
      ALTER TABLE servers ADD COLUMN declared INTEGER NOT NULL DEFAULT 0 CHECK (declared IN (0, 1));

      -- Agents registered through the API (an agent's own code), beside the client configs in agents.
      CREATE TABLE api_agents (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        description  TEXT NOT NULL DEFAULT '',
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      CREATE TABLE api_agent_servers (
        agent_id  TEXT NOT NULL REFERENCES api_agents (id) ON DELETE CASCADE,
        server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, server_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX api_agent_servers_by_server ON api_agent_servers (server_id);

      -- REST API keys: the SHA-256 of the key and its first characters, never the key. Revoked rows
      -- stay for the record, and their name may be given to a new key.
      CREATE TABLE api_keys (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL COLLATE NOCASE,
        hash         TEXT NOT NULL UNIQUE,
        prefix       TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at   TEXT
      ) STRICT;
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 5,
    name: 'launcher policies per server, attached config entries',
    sql: `
      -- What \`mcp-warden run\` does when the attestation fails or an undeclared tool is called:
      -- 'warn' (go on, raise an alert) or 'block'; NULL follows the global setting.
      ALTER TABLE servers ADD COLUMN attestation_policy TEXT CHECK (attestation_policy IN ('warn', 'block'));
      ALTER TABLE servers ADD COLUMN undeclared_policy TEXT CHECK (undeclared_policy IN ('warn', 'block'));

      -- 1 when the config entry runs the server through the launcher (\`mcp-warden run <name>\`):
      -- the entry then says nothing of the real command, which is the registered definition.
      ALTER TABLE agent_servers ADD COLUMN attached INTEGER NOT NULL DEFAULT 0 CHECK (attached IN (0, 1));
    `,
  },
  {
    version: 6,
    name: 'launcher session receipts',
    sql: `
      -- One row per event a launcher session numbered (its session id, 1, 2, 3...) once the event is in
      -- the database (core/audit/launcher-sessions.ts). A replay skips an event whose receipt exists, and
      -- a number missing between two receipts is an event lost on the way, which audit verify reports.
      -- kind: audit (audit_seq is the event it became), alert, tools_drift, void (a pending call
      -- dropped), end (the session's last number: closed, or recovered from its journal).
      CREATE TABLE launcher_receipts (
        session   TEXT NOT NULL,
        seq       INTEGER NOT NULL CHECK (seq > 0),
        kind      TEXT NOT NULL CHECK (kind IN ('audit', 'alert', 'tools_drift', 'void', 'end')),
        audit_seq INTEGER,
        PRIMARY KEY (session, seq)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'alerts by server, resolved ones included',
    sql: `
      -- The trust score reads a server's alerts, resolved ones included (they age out over 180
      -- days), and asks whether any alert ever named it: the partial index of version 3 covers only
      -- unresolved alerts, so both scanned the whole table, once per server, on every scan that
      -- changed alerts. This index serves every per-server lookup, so it replaces that one.
      DROP INDEX alerts_by_server;
      CREATE INDEX alerts_by_server ON alerts (server_id, id);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
