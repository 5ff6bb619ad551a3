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
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
