/**
 * The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated from the route table and the zod
 * schemas in core/api/rest.ts with zod's own `z.toJSONSchema` (OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which is what it writes). Request bodies and query parameters therefore cannot drift from
 * what the server validates. Built once, on first request.
 */
import { z } from 'zod';
import { API_PREFIX, HTTP_STATUS, type ApiErrorCode } from '../core/api/rest.ts';
import type { Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  (Object.entries(HTTP_STATUS) as [ApiErrorCode, number][]).map(([code, status]) => [status, code]),
);

const COMMON_ERRORS = [400, 401, 403, 429];

export function openApiDocument(routes: readonly Route[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const template = `${API_PREFIX}${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const parameters: unknown[] = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      description: m[1] === 'id' && route.path.startsWith('/alerts') ? 'The alert id' : m[1] === 'name' ? 'The name' : m[1] === 'key' ? "The setting's name" : 'An id or a name',
      schema: { type: 'string' },
    }));
    if (route.querySchema !== undefined) {
      const query = schemaOf(route.querySchema) as { properties?: Record<string, JsonSchema> };
      for (const [name, schema] of Object.entries(query.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema });
    }
    const errors = route.public === true ? [] : [...new Set([...COMMON_ERRORS, ...(route.requestBody ? [413] : []), ...(route.errors ?? [])])].sort();
    const responses: Record<string, unknown> = {
      [String(route.success.status)]: {
        description: route.success.description,
        content: route.path === '/events' ? { 'text/event-stream': { schema: { type: 'string' } } } : { 'application/json': { schema: { type: 'object' } } },
      },
    };
    for (const status of errors) {
      responses[String(status)] = { description: STATUS_TEXT[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    paths[template] ??= {};
    (paths[template] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: route.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.requestBody !== undefined ? { requestBody: { required: route.method !== 'POST' || !/\/(probe|approve)$/.test(route.path), content: { 'application/json': { schema: schemaOf(route.requestBody) } } } } : {}),
      responses,
      ...(route.public === true ? { security: [] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MCP Warden REST API',
      version,
      description: 'The local API of `mcp-warden serve`. See docs/api.md for the security model, paging and server-sent events.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A key from `mcp-warden api-key create --name NAME` (`mcpw_…`), or the web UI\'s session (`mcpws_…`), which its page gets at `POST /login` for the token in the login link `serve` prints.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(HTTP_STATUS) },
                message: { type: 'string', description: 'One sentence for the user.' },
                field: { type: 'string', description: 'The input field at fault, when there is one.' },
              },
            },
          },
        },
      },
    },
  };
}
