/**
 * Validation of submitted server definitions: one zod schema used by the CLI, the REST API and the
 * register form. It checks the input's own shape; checks against the world (does the command exist,
 * is the name free, does each secret exist) happen in core/registry at registration.
 */
import { z } from 'zod';
import { invalidInput, type WardenError } from './errors.ts';
import { LOOKS_LIKE_HANDLE, NAME_RULE, nameProblem, SECRET_HANDLE } from './names.ts';
import { TRANSPORTS, type ServerInput } from './server.ts';

export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** RFC 9110 token characters. */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** MCP tool names: no whitespace or commas, at most 128 characters. */
const TOOL_NAME_PATTERN = /^[^\s,]{1,128}$/;
const MAX_TEXT = 4096;
/** More arguments than any server takes; a list of 200,000 once overflowed the stack further on (a 500). */
export const MAX_ARGS = 1000;

/** A server's arguments: strings, at most MAX_ARGS of them. */
export const argsSchema = z
  .array(z.string({ error: 'Each argument must be a string.' }), { error: 'The args must be a list of strings.' })
  .max(MAX_ARGS, { error: (issue) => `args has ${Array.isArray(issue.input) ? issue.input.length : 'too many'} items; at most ${MAX_ARGS} are accepted.` });

const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

export const serverNameSchema = z
  .string({ error: 'The server name must be a string.' })
  .refine((v) => nameProblem(v) === null, { error: (i) => `The server name ${quoted(String(i.input))} is invalid: ${nameProblem(String(i.input))}.` });

const text = (label: string) =>
  z.string({ error: `The ${label} must be a string.` }).max(MAX_TEXT, { error: `The ${label} is longer than ${MAX_TEXT} characters.` });

const envVarSchema = z.object(
  {
    key: z.string({ error: 'Each environment variable needs a key.' }),
    value: z.string({ error: 'Each environment variable needs a string value.' }),
  },
  { error: 'Each environment variable must be an object with a key and a value.' },
);

export const serverInputSchema = z
  .strictObject(
    {
      name: serverNameSchema,
      transport: z.enum(TRANSPORTS, {
        error: (i) => `Unknown transport ${quoted(String(i.input))}: use stdio, http or sse.`,
      }),
      display_name: text('display name').optional(),
      description: text('description').optional(),
      command: z.string({ error: 'The command must be a string.' }).optional(),
      args: argsSchema.optional(),
      cwd: z.string({ error: 'The working directory must be a string.' }).optional(),
      url: z.string({ error: 'The URL must be a string.' }).optional(),
      headers: z.record(z.string(), z.string({ error: 'Each header value must be a string.' }), { error: 'The headers must be an object of strings.' }).optional(),
      env_template: z.array(envVarSchema, { error: 'The env_template must be a list of {key, value} pairs.' }).optional(),
      capabilities: z.array(z.string({ error: 'Each capability must be a tool name string.' }), { error: 'The capabilities must be a list of tool names.' }).optional(),
    },
    { error: (i) => (i.code === 'unrecognized_keys' ? `Unknown field ${quoted(i.keys?.[0] ?? '')} in the server definition.` : 'The server definition must be a JSON object.') },
  )
  .superRefine((input, ctx) => {
    const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

    if (input.transport === 'stdio') {
      if (input.command === undefined || input.command.trim() === '') fail(['command'], 'A stdio server needs a command.');
      if (input.url !== undefined) fail(['url'], 'A URL is only for http and sse servers; a stdio server runs a command.');
      if (input.headers !== undefined && Object.keys(input.headers).length > 0) fail(['headers'], 'Headers are only for http and sse servers.');
    } else {
      if (input.url === undefined || input.url === '') fail(['url'], `An ${input.transport} server needs a URL.`);
      else checkUrl(input.url, fail);
      if (input.command !== undefined) fail(['command'], `A command is only for stdio servers; an ${input.transport} server is reached by its URL.`);
      if (input.args !== undefined && input.args.length > 0) fail(['args'], 'Arguments are only for stdio servers.');
      if (input.cwd !== undefined) fail(['cwd'], 'A working directory is only for stdio servers.');
    }

    if (input.command !== undefined && LOOKS_LIKE_HANDLE.test(input.command)) fail(['command'], 'The command cannot hold a {{secret:...}} handle.');
    if (input.cwd !== undefined && input.cwd.trim() === '') fail(['cwd'], 'The working directory cannot be empty.');
    input.args?.forEach((arg, i) => {
      // Process arguments are visible to every user of the machine, so secrets go through env instead.
      if (LOOKS_LIKE_HANDLE.test(arg)) fail(['args', i], `Argument ${i + 1} holds a {{secret:...}} handle, but process arguments are visible to other users: pass the secret through an environment variable instead.`);
    });

    const seenKeys = new Set<string>();
    input.env_template?.forEach((pair, i) => {
      if (!ENV_KEY_PATTERN.test(pair.key)) fail(['env_template', i, 'key'], `The environment variable name ${quoted(pair.key)} is invalid: use letters, digits and '_', not starting with a digit.`);
      // A valid name, but the environment built for a launch is a plain object, where it would vanish.
      else if (pair.key === '__proto__') fail(['env_template', i, 'key'], 'The environment variable name "__proto__" is not accepted: it cannot be passed to a server.');
      else if (seenKeys.has(pair.key)) fail(['env_template', i, 'key'], `The environment variable ${pair.key} is given twice.`);
      seenKeys.add(pair.key);
      checkHandles(pair.value, ['env_template', i, 'value'], `the value of ${pair.key}`, fail);
    });

    const seenHeaders = new Set<string>();
    for (const [name, value] of Object.entries(input.headers ?? {})) {
      if (!HEADER_NAME_PATTERN.test(name)) fail(['headers', name], `The header name ${quoted(name)} is invalid.`);
      else if (seenHeaders.has(name.toLowerCase())) fail(['headers', name], `The header ${name} is given twice.`);
      seenHeaders.add(name.toLowerCase());
      if (/[\r\n]/.test(value)) fail(['headers', name], `The value of header ${name} cannot contain a line break.`);
      checkHandles(value, ['headers', name], `the value of header ${name}`, fail);
    }

    const seenTools = new Set<string>();
    input.capabilities?.forEach((tool, i) => {
      if (!TOOL_NAME_PATTERN.test(tool)) fail(['capabilities', i], `The capability ${quoted(tool)} is not a valid tool name (1 to 128 characters, no spaces or commas).`);
      else if (seenTools.has(tool)) fail(['capabilities', i], `The capability ${tool} is listed twice.`);
      seenTools.add(tool);
    });
  });

type Fail = (path: (string | number)[], message: string) => void;

function checkUrl(raw: string, fail: Fail): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(['url'], `The URL ${quoted(raw)} is not an absolute http(s) URL.`);
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(['url'], `The URL ${quoted(raw)} must start with http:// or https://.`);
  else if (LOOKS_LIKE_HANDLE.test(raw)) fail(['url'], 'The URL cannot hold a {{secret:...}} handle: put the secret in a header instead.');
  else if (url.username !== '' || url.password !== '') fail(['url'], 'The URL cannot carry a user name or password: put credentials in a header with a {{secret:...}} handle.');
}

function checkHandles(value: string, path: (string | number)[], where: string, fail: Fail): void {
  if (!LOOKS_LIKE_HANDLE.test(value)) return;
  const leftover = value.replace(SECRET_HANDLE, '');
  if (LOOKS_LIKE_HANDLE.test(leftover)) fail(path, `${capitalise(where)} holds a malformed secret handle: write {{secret:NAME}} with ${NAME_RULE}.`);
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `env_template[0].key` style path for error fields. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? String(part) : `${acc}.${String(part)}`), '');
}

/** Parses a submitted definition or throws a WardenError naming the first field at fault. */
export function parseServerInput(raw: unknown): ServerInput {
  const result = serverInputSchema.safeParse(raw);
  if (result.success) return result.data;
  throw toWardenError(result.error);
}

export function toWardenError(error: z.ZodError): WardenError {
  const issue = error.issues[0];
  if (issue === undefined) return invalidInput('', 'The input is invalid.');
  // An unknown field is the field at fault, not the object holding it.
  const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
  return invalidInput(fieldPath(path), issue.message);
}
