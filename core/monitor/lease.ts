/**
 * Only one monitor per data directory: a lease row in the database, renewed by a heartbeat. A
 * second monitor finds a live lease and says who holds it; a lease whose holder died (its pid is
 * gone on this host, or no heartbeat for STALE_MS) is taken over.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { WardenError } from '../api/errors.ts';
import type { Db } from '../store/database.ts';

export const HEARTBEAT_MS = 2_000;
export const STALE_MS = 10_000;

interface LeaseValue {
  token: string;
  pid: number;
  host: string;
  started_at: string;
  heartbeat_at: number;
}

export interface Lease {
  readonly holder: LeaseValue;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLease(db: Db): LeaseValue | undefined {
  const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'monitor_lease'").get();
  return row === undefined ? undefined : (JSON.parse(row.value) as LeaseValue);
}

export function currentMonitor(db: Db, now = Date.now()): LeaseValue | undefined {
  const lease = readLease(db);
  if (lease === undefined) return undefined;
  const dead = (lease.host === os.hostname() && !isAlive(lease.pid)) || now - lease.heartbeat_at > STALE_MS;
  return dead ? undefined : lease;
}

export function acquireLease(db: Db, dataDir: string): Lease {
  const mine: LeaseValue = { token: randomUUID(), pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), heartbeat_at: Date.now() };
  const write = db.prepare("INSERT INTO meta (key, value) VALUES ('monitor_lease', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  db.transaction(() => {
    const holder = currentMonitor(db);
    if (holder !== undefined) {
      throw new WardenError('conflict', `Another MCP Warden monitor (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}) is already watching ${dataDir}: only one runs per data directory.`);
    }
    write.run(JSON.stringify(mine));
  }).immediate();

  const beat = setInterval(() => {
    try {
      db.transaction(() => {
        if (readLease(db)?.token === mine.token) write.run(JSON.stringify({ ...mine, heartbeat_at: Date.now() }));
      }).immediate();
    } catch {
      // A busy database delays one heartbeat; the lease stays valid for STALE_MS.
    }
  }, HEARTBEAT_MS);
  beat.unref();

  return {
    holder: mine,
    release() {
      clearInterval(beat);
      try {
        db.transaction(() => {
          if (readLease(db)?.token === mine.token) db.prepare("DELETE FROM meta WHERE key = 'monitor_lease'").run();
        }).immediate();
      } catch {
        // Closing anyway: the lease goes stale on its own.
      }
    },
  };
}
