/**
 * The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), generated from the table of endpoints
 * (core/api/endpoints.ts) and their specs and zod schemas (core/api/endpoint-specs.ts) with zod's own `z.toJSONSchema` (OpenAPI 3.1 schemas are JSON Schema
 * 2020-12, which is what it writes). Request bodies and query parameters therefore cannot drift from
 * what the server validates. Built once, on first request.
 */
import { z } from 'zod';
import { ENDPOINT_SPECS } from '../core/api/endpoint-specs.ts';
import { ENDPOINT_LIST } from '../core/api/endpoints.ts';
import { API_PREFIX, HTTP_STATUS, type ApiErrorCode } from '../core/api/rest.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  (Object.entries(HTTP_STATUS) as [ApiErrorCode, number][]).map(([code, status]) => [status, code]),
);

const COMMON_ERRORS = [400, 401, 403, 429];

export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of ENDPOINT_LIST) {
    const spec = ENDPOINT_SPECS[endpoint.name];
    const route = { ...endpoint, ...spec };
    const template = `${API_PREFIX}${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const parameters: unknown[] = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      description: m[1] === 'id' && route.path.startsWith('/alerts') ? 'The alert id' : m[1] === 'name' ? 'The name' : m[1] === 'key' ? "The setting's name" : 'An id or a name',
      schema: { type: 'string' },
    }));
    if (route.query !== undefined) {
      const query = schemaOf(route.query) as { properties?: Record<string, JsonSchema> };
      for (const [name, schema] of Object.entries(query.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema });
    }
    const errors = route.public === true ? [] : [...new Set([...COMMON_ERRORS, ...(route.body ? [413] : []), ...(route.errors ?? [])])].sort();
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
      ...(route.body !== undefined ? { requestBody: { required: route.method !== 'POST' || !/\/(probe|approve)$/.test(route.path), content: { 'application/json': { schema: schemaOf(route.body) } } } } : {}),
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
