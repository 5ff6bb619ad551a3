// Floor for the rescan-scale benchmark: a fresh SQLite file configured as MCP Warden's store (WAL,
// synchronous NORMAL), one table shaped like `servers` (text key, unique name, JSON columns), and
// argv[3] rows inserted in ONE transaction with one prepared statement. Nothing of MCP Warden: the
// least any scan that stores one row per server can cost.
import path from 'node:path';
import Database from 'better-sqlite3';

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
const db = new Database(path.join(dir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE servers (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, transport TEXT NOT NULL, command TEXT,
  args TEXT NOT NULL, url TEXT, env_template TEXT NOT NULL, source TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at TEXT NOT NULL
) STRICT`);
const insert = db.prepare('INSERT INTO servers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const at = new Date().toISOString();
db.transaction(() => {
  for (let i = 0; i < count; i++) {
    insert.run(`srv_${i.toString(16).padStart(24, '0')}`, `tool-${i}`, 'stdio', 'npx', JSON.stringify(['-y', `@acme/mcp-tool-${i}@1.0.0`]), null, '[]', JSON.stringify({ kind: 'discovered', key: `tool-${i}` }), i.toString(16).padStart(64, '0'), at);
  }
})();
const rows = db.prepare('SELECT count(*) AS n FROM servers').get().n;
db.close();
process.stdout.write(`${JSON.stringify({ rows })}\n`);
