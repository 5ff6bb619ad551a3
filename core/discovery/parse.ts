/**
 * parseConfig: the text of one client config file -> the MCP servers it declares, normalised.
 *
 * Never throws, whatever the input. Decisions:
 * - Broken JSON (or JSONC: comments and trailing commas are accepted for every client) fails with a
 *   plain-words message and the 1-based line and column of the first error.
 * - An empty file fails ("The file is empty") rather than reading as "no servers": a watcher sees
 *   empty files mid-write, and reporting every server as removed would be a false alarm.
 * - A top-level value that is not an object (`[]`, `"x"`, `42`) fails too, at the value's position:
 *   no client accepts such a file, so it is broken, not empty.
 * - A servers container of the wrong type (`"mcpServers": []`) is one problem; bad entries are
 *   skipped with a problem each; everything else in the file still parses.
 */
import type { ClientId, ConfigLocation, ConfigProblem, DiscoveredServer, ParseResult } from '../api/discovery.ts';
import { readJsonDocument, type JsonObject, type JsonValue } from './read-json.ts';
import { jsonPointer } from './json-pointer.ts';
import { normaliseEntry } from './normalise-entry.ts';
import { isWindowsAbsolute } from './platform-paths.ts';

export function parseConfig(text: string, location: Pick<ConfigLocation, 'client' | 'format'>): ParseResult {
  try {
    return parseChecked(text, location);
  } catch {
    // A backstop only: every known path returns a result. The caller must still get one, not a crash.
    return { ok: false, error: { message: 'The file could not be read as a client config', line: 1, column: 1 } };
  }
}

function parseChecked(text: string, location: Pick<ConfigLocation, 'client' | 'format'>): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: { message: 'The file is not text', line: 1, column: 1 } };
  const doc = readJsonDocument(text);
  if (!doc.ok) return { ok: false, error: doc.error };
  if (!(doc.value instanceof Map)) {
    return { ok: false, error: { message: `The file holds ${kindOf(doc.value)}, but a client config is a JSON object`, ...doc.start } };
  }
  const root = doc.value;
  const found = new Collector(location.client);
  const projectPaths: string[] = [];
  switch (location.format) {
    case 'mcpServers':
      found.servers(root.get('mcpServers'), jsonPointer('mcpServers'));
      break;
    case 'vscode-mcp':
      // `inputs` (prompted secrets) are ignored: `${input:x}` references stay verbatim in the entries.
      found.servers(root.get('servers'), jsonPointer('servers'));
      break;
    case 'vscode-settings': {
      const mcp = root.get('mcp');
      if (mcp instanceof Map) found.servers(mcp.get('servers'), jsonPointer('mcp', 'servers'));
      found.servers(root.get('mcp.servers'), jsonPointer('mcp.servers'));
      break;
    }
    case 'claude-code': {
      found.servers(root.get('mcpServers'), jsonPointer('mcpServers'));
      const projects = root.get('projects');
      // A `projects` value of another type declares no servers; it is not a server entry to report.
      if (projects instanceof Map) {
        for (const [dir, project] of projects) {
          if (isAbsolutePath(dir)) projectPaths.push(dir);
          if (project instanceof Map) found.servers(project.get('mcpServers'), jsonPointer('projects', dir, 'mcpServers'));
        }
      }
      break;
    }
  }
  return { ok: true, servers: found.found, problems: found.problems, projectPaths };
}

class Collector {
  readonly found: DiscoveredServer[] = [];
  readonly problems: ConfigProblem[] = [];
  readonly client: ClientId;
  constructor(client: ClientId) {
    this.client = client;
  }

  /** The entries of one servers object (`mcpServers`, `servers`...); null or missing means none. */
  servers(container: JsonValue | undefined, pointer: string): void {
    if (container === undefined || container === null) return;
    if (!(container instanceof Map)) {
      this.problems.push({ pointer, message: `The servers under ${pointer} were skipped: they should be an object of named servers, but it is ${kindOf(container)}.` });
      return;
    }
    for (const [key, entry] of container as JsonObject) {
      const outcome = normaliseEntry(key, entry, `${pointer}${jsonPointer(key)}`, this.client);
      if (outcome.ok) this.found.push(outcome.server);
      else this.problems.push(outcome.problem);
    }
  }
}

/** POSIX absolute or Windows absolute (`C:\x`, `C:/x`, `\\host\share`): how Claude Code keys projects. */
function isAbsolutePath(dir: string): boolean {
  return dir.startsWith('/') || isWindowsAbsolute(dir);
}

function kindOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Map) return 'an object';
  return `a ${typeof value}`;
}
