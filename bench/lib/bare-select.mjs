// Baseline for the registry-scale benchmark: the same SELECT through better-sqlite3 in a bare
// script, serialised to JSON and written to stdout, with nothing of MCP Warden loaded.
import Database from 'better-sqlite3';

const db = new Database(process.argv[2], { readonly: true });
const servers = db.prepare('SELECT * FROM servers ORDER BY name').all();
process.stdout.write(`${JSON.stringify({ servers })}\n`);
db.close();
