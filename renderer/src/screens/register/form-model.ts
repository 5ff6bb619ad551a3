/**
 * The register form's state and its two mappings: form → ServerInput (validated by the same zod
 * schema as the CLI and REST API, so the messages are the same) → RegisterServerRequest, and
 * back from an issue's path (client side) or a REST error's field (server side) to the input
 * that shows it. Rows the user left blank are not sent, so row indexes are mapped both ways.
 */
import type { RegisterServerRequest } from '../../../../core/api/rest.ts';
import { fieldPath, serverInputSchema } from '../../../../core/api/server-schema.ts';
import type { EnvVar, ServerInput, Transport } from '../../../../core/api/server.ts';

export interface EnvRow {
  /** Stable React key; never sent. */
  rowId: number;
  key: string;
  value: string;
}

export interface HeaderRow {
  rowId: number;
  name: string;
  value: string;
}

export interface RegisterForm {
  name: string;
  transport: Transport;
  command: string;
  /** One argument per line. */
  args: string;
  cwd: string;
  url: string;
  headers: HeaderRow[];
  env: EnvRow[];
  display_name: string;
  description: string;
  /** Comma separated tool names. */
  capabilities: string;
}

let nextRowId = 1;
export const newEnvRow = (): EnvRow => ({ rowId: nextRowId++, key: '', value: '' });
export const newHeaderRow = (): HeaderRow => ({ rowId: nextRowId++, name: '', value: '' });

export const emptyForm = (): RegisterForm => ({
  name: '',
  transport: 'stdio',
  command: '',
  args: '',
  cwd: '',
  url: '',
  headers: [newHeaderRow()],
  env: [newEnvRow()],
  display_name: '',
  description: '',
  capabilities: '',
});

/** Ids of the inputs; each error paragraph is `<id>-error`. */
export const envKeyId = (rowId: number): string => `env_template-${rowId}-key`;
export const envValueId = (rowId: number): string => `env_template-${rowId}-value`;
export const headerNameId = (rowId: number): string => `headers-${rowId}-name`;
export const headerValueId = (rowId: number): string => `headers-${rowId}-value`;

/** What was sent, with the rows behind each sent index. */
export interface Mapped {
  input: ServerInput;
  /** env_template[i] came from this row. */
  envRows: EnvRow[];
  /** Problems the schema cannot see once rows become an object (a header name given twice). */
  extra: FieldErrors;
}

/** Field id → message; `form` holds a problem no single field shows. */
export type FieldErrors = Record<string, string>;

const blank = (s: string): boolean => s.trim() === '';
const optional = (s: string): string | undefined => (blank(s) ? undefined : s.trim());

export function toServerInput(form: RegisterForm): Mapped {
  const extra: FieldErrors = {};
  const input: ServerInput = {
    name: form.name.trim(),
    transport: form.transport,
    display_name: optional(form.display_name),
    description: optional(form.description),
  };
  const capabilities = form.capabilities.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (capabilities.length > 0) input.capabilities = capabilities;

  let envRows: EnvRow[] = [];
  if (form.transport === 'stdio') {
    input.command = optional(form.command);
    const args = form.args.split(/\r?\n/).filter((line) => !blank(line));
    if (args.length > 0) input.args = args;
    input.cwd = optional(form.cwd);
    envRows = form.env.filter((row) => !(blank(row.key) && row.value === ''));
    const env: EnvVar[] = envRows.map((row) => ({ key: row.key.trim(), value: row.value }));
    if (env.length > 0) input.env_template = env;
  } else {
    input.url = optional(form.url);
    const headers: Record<string, string> = {};
    for (const row of form.headers) {
      if (blank(row.name) && row.value === '') continue;
      const name = row.name.trim();
      // An object cannot hold a name twice, so the schema would never see the repeat.
      if (Object.hasOwn(headers, name)) extra[headerNameId(row.rowId)] = `The header ${name} is given twice.`;
      else headers[name] = row.value;
    }
    if (Object.keys(headers).length > 0) input.headers = headers;
  }
  // The schema is strict about keys it is given, including undefined ones it would not know.
  const cleaned = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as unknown as ServerInput;
  return { input: cleaned, envRows, extra };
}

/** The REST request for a validated input (server_url carries the transport, as the API expects). */
export function toRequest(input: ServerInput): RegisterServerRequest {
  const request: RegisterServerRequest = {
    name: input.name,
    server_url: input.transport === 'stdio' ? `stdio://${input.name}` : (input.url ?? ''),
    display_name: input.display_name,
    description: input.description,
    capabilities: input.capabilities,
  };
  if (input.transport === 'stdio') {
    request.command = input.command;
    request.args = input.args;
    request.cwd = input.cwd;
    request.env_template = input.env_template;
  } else {
    if (input.transport === 'sse') request.transport = 'sse';
    request.headers = input.headers;
  }
  return Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as RegisterServerRequest;
}

/** The input id showing a problem at `path` (a fieldPath string like `env_template[0].key`). */
export function fieldIdFor(path: string, form: RegisterForm, mapped: Mapped): string {
  const match = /^([a-z_]+)(?:\[(\d+)\])?(?:\.(.*))?$/s.exec(path);
  if (match === null) return 'form';
  const [, root = '', indexText, rest] = match;
  const index = indexText === undefined ? undefined : Number(indexText);
  switch (root) {
    case 'name':
    case 'transport':
    case 'command':
    case 'cwd':
    case 'url':
    case 'display_name':
    case 'description':
      return root;
    case 'server_url':
      // stdio://<name> names the server; otherwise it is the URL the user typed.
      return form.transport === 'stdio' ? 'name' : 'url';
    case 'args':
    case 'capabilities':
      return root;
    case 'env_template': {
      const row = index === undefined ? undefined : mapped.envRows[index];
      if (row === undefined) return 'env_template';
      return rest === 'value' ? envValueId(row.rowId) : envKeyId(row.rowId);
    }
    case 'headers':
      // A header's own problems are placed by placeIssue, which reads whether it is about the value.
      return 'headers';
    default:
      return 'form';
  }
}

/** Like fieldIdFor, but a header problem lands on the name or the value input by what it says. */
export function placeIssue(path: string, message: string, form: RegisterForm, mapped: Mapped): string {
  const headerMatch = /^headers\.(.*)$/s.exec(path);
  if (headerMatch !== null) {
    const row = form.headers.find((h) => h.name.trim() === headerMatch[1]);
    if (row === undefined) return 'headers';
    return /value of header/i.test(message) ? headerValueId(row.rowId) : headerNameId(row.rowId);
  }
  return fieldIdFor(path, form, mapped);
}

/** Runs the shared schema; every issue lands at its field (the first message per field wins). */
export function validate(form: RegisterForm): { mapped: Mapped; errors: FieldErrors } {
  const mapped = toServerInput(form);
  const errors: FieldErrors = { ...mapped.extra };
  const result = serverInputSchema.safeParse(mapped.input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
      const id = placeIssue(fieldPath(path), issue.message, form, mapped);
      errors[id] ??= issue.message;
    }
  }
  return { mapped, errors };
}
