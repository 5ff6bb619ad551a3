/**
 * Many servers in a data directory, fast, before `serve` starts: registered in-process with the same
 * registerServer a CLI `mcp add` uses, all inside one transaction (one fsync instead of 10,000).
 * Names sort in registration order (`server-00000`...), so a row's position in the registry is known.
 */
import { registerServer } from '../../../core/registry/register.ts';
import { openStore } from '../../../core/store/database.ts';

export const seededName = (i: number): string => `server-${String(i).padStart(5, '0')}`;

export function seedServers(home: string, count: number): void {
  const store = openStore(home);
  try {
    const ctx = { cwd: process.cwd(), env: process.env };
    store.db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const name = seededName(i);
        registerServer(
          store,
          i % 2 === 0
            ? { name, transport: 'stdio', command: process.execPath, args: ['server.js', `--port=${i}`], capabilities: ['read'], description: `Seeded server ${i}` }
            : { name, transport: 'http', url: `https://mcp${i}.example.com/mcp`, description: `Seeded server ${i}` },
          ctx,
        );
      }
    })();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    store.close();
  }
}
