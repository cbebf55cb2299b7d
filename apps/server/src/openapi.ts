import { z } from 'zod';
import type { ApiRoute } from './routes/api-route.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of what a client sends: the input side of transforms. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/v1/skills/:skill` → `/v1/skills/{skill}`. */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, object] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (object === undefined) continue;
    for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodType>)) {
      const schema = jsonSchema(field);
      const { description, ...rest } = schema;
      out.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/**
 * The OpenAPI 3.1 document of the routes, generated from their zod schemas (parameters, request
 * bodies, error bodies), so clients in other languages can be generated. Served at /openapi.json.
 */
export function openApiDocument(routes: readonly ApiRoute[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    const responses: Record<string, unknown> = {};
    for (const response of route.responses) {
      responses[String(response.status)] = {
        description: response.description,
        ...(response.schema === undefined ? { content: { 'application/json': {} } } : { content: { 'application/json': { schema: jsonSchema(response.schema) } } }),
      };
    }
    responses['401'] ??= { description: 'A token is configured for this kind of request and none or an unknown one was given', content: { 'application/json': {} } };
    if (route.access === 'write') responses['403'] ??= { description: 'A read token was given for a write', content: { 'application/json': {} } };
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.cli === undefined ? {} : { description: `Same JSON as \`${route.cli}\`.` }),
      security: [{ bearer: [] }, {}],
      parameters: parameters(route),
      ...(route.body === undefined
        ? {}
        : { requestBody: { required: true, description: route.body.description, content: { 'application/json': { schema: jsonSchema(route.body.schema) } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A read token (SKILLS_READ_TOKENS) or a write token (SKILLS_WRITE_TOKENS); not needed when none is configured' },
      },
    },
  };
}
