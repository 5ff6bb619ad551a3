/** Every config a monitor or `scan` looks at, and one pass over all of them. */
import type { ConfigLocation, PlatformEnv } from '../api/discovery.ts';
import type { Db } from '../store/database.ts';
import { allLocations, projectLocations } from './clients/index.ts';
import { scanConfig, type ConfigScanResult, type ScanOptions } from './scan.ts';
import { storedLocations } from '../links/index.ts';

/** The clients' own paths, plus every config seen before (project files found through Claude Code). */
export function knownLocations(db: Db, where: PlatformEnv): ConfigLocation[] {
  const byPath = new Map<string, ConfigLocation>();
  for (const location of allLocations(where)) byPath.set(`${location.client}\0${location.path}`, location);
  const stored = storedLocations(db);
  for (const location of stored) if (!byPath.has(`${location.client}\0${location.path}`)) byPath.set(`${location.client}\0${location.path}`, location);
  return [...byPath.values()];
}

/** Scans every known config; Claude Code's project folders are followed to their .mcp.json files. */
export function scanAll(options: ScanOptions, where: PlatformEnv): ConfigScanResult[] {
  const queue = knownLocations(options.store.db, where);
  const done = new Set<string>();
  const results: ConfigScanResult[] = [];
  while (queue.length > 0) {
    const location = queue.shift() as ConfigLocation;
    const id = `${location.client}\0${location.path}`;
    if (done.has(id)) continue;
    done.add(id);
    const result = scanConfig(options, location);
    results.push(result);
    if (result.projectPaths.length > 0) queue.push(...projectLocations(result.projectPaths));
  }
  return results;
}
