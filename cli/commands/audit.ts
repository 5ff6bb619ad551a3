import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { invalidInput, WardenError } from '../../core/api/errors.ts';
import { iterateAudit, listAudit } from '../../core/audit/audit-log.ts';
import { verifyTrail } from '../../core/launcher/verify-trail.ts';
import { getServer } from '../../core/registry/read.ts';
import { openPrivateOutput } from '../../core/util/private-file.ts';
import { withStore, type GlobalOptions } from '../context.ts';
import { formatTable, jsonText, print, printError, printJson, truncate } from '../output.ts';

export async function list(options: GlobalOptions & { json?: boolean; server?: string; type?: string; limit?: string }): Promise<void> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw invalidInput('limit', `--limit takes a positive whole number, not "${options.limit}".`);
  const events = await withStore(options, (store) => {
    const serverId = options.server === undefined ? undefined : getServer(store.db, options.server).id;
    const all = listAudit(store.db, { serverId, type: options.type });
    return limit === undefined ? all : all.slice(-limit);
  });
  if (options.json === true) return printJson({ events });
  if (events.length === 0) {
    print('No audit events.\n');
    return;
  }
  const rows = events.map((e) => [String(e.seq), e.at, e.actor, e.type, truncate(JSON.stringify(e.details), 90)]);
  print(`${formatTable(['SEQ', 'AT', 'ACTOR', 'TYPE', 'DETAILS'], rows)}\n`);
}

export async function verify(options: GlobalOptions & { json?: boolean }): Promise<void> {
  const { verdict, recovered } = await withStore(options, (store) => verifyTrail(store));
  if (options.json !== true) {
    if ('problem' in recovered) printError(`mcp-warden: The launchers' spooled events could not be brought into the trail first (${recovered.problem.replace(/\.$/, '')}); a gap below may be events still waiting there.\n`);
    else if (recovered.files > 0) print(`Brought ${recovered.events} spooled launcher event${recovered.events === 1 ? '' : 's'} (${recovered.files} file${recovered.files === 1 ? '' : 's'}) into the trail first.\n`);
    for (const f of 'failed' in recovered ? recovered.failed : []) printError(`mcp-warden: The spool file ${f.file} could not be replayed (${f.reason.replace(/\.$/, '')}); it was left in the spool folder.\n`);
  }
  if (options.json === true) printJson({ verification: verdict });
  else if (verdict.ok) print(`The audit trail is intact: ${verdict.events} events, head ${verdict.head.slice(0, 16)}.\n`);
  if (!verdict.ok) {
    if (options.json !== true) printError(`mcp-warden: The audit trail is broken at event ${verdict.broken_at}: ${verdict.reason}.\n`);
    process.exitCode = 1;
  }
}

export async function exportTrail(options: GlobalOptions & { format?: string; out?: string }): Promise<void> {
  if ((options.format ?? 'jsonl') !== 'jsonl') throw invalidInput('format', `Unknown export format "${options.format}": use jsonl.`);
  const file = options.out === undefined ? undefined : path.resolve(options.out);
  // The trail says which servers ran which tools, when: the file is 0600 (an existing one is made so).
  const out = file === undefined ? process.stdout : createWriteStream(file, { fd: openOut(file) });
  await withStore(options, async (store) => {
    for (const event of iterateAudit(store.db)) {
      if (!out.write(`${jsonText(event)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  });
  if (file !== undefined) {
    await new Promise<void>((resolve, reject) => {
      out.once('error', (error) => reject(new WardenError('failed', `Cannot write ${file}: ${error.message}.`, 'out')));
      (out as NodeJS.WritableStream).end(() => resolve());
    });
  }
}

function openOut(file: string): number {
  try {
    return openPrivateOutput(file);
  } catch (error) {
    throw new WardenError('failed', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'out');
  }
}
