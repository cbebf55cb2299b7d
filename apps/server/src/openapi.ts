import { z } from 'zod';
import type { Access } from './auth.js';
import type { ApiRoute } from './routes/api-route.js';
import { ciOperations } from './routes/integrations.js';
import { ideOperations } from './routes/integrations-ide.js';
import { qualityOperations } from './routes/integrations-quality.js';

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

/**
 * An endpoint a server plugin registers itself (the integrations' webhooks and JSON endpoints read
 * their own bodies), described for the document only: the same fields as an `ApiRoute` without the
 * handler, plus the headers it reads. `access` is a bearer token's kind, or the webhook's own
 * check: `github-signature` (`X-Hub-Signature-256`) or `gitlab-token` (`X-Gitlab-Token`).
 */
export interface DocumentedRoute extends Omit<ApiRoute, 'handler' | 'access'> {
  access: Access | 'github-signature' | 'gitlab-token';
  description?: string;
  headers?: { name: string; required: boolean; description: string }[];
}

/** The operations the integration plugins register (CI/CD webhooks and reads, IDE protocol, quality runs). */
export const INTEGRATION_OPERATIONS: readonly DocumentedRoute[] = [...ciOperations, ...ideOperations, ...qualityOperations];

const WEBHOOK_SECURITY: Readonly<Record<string, string>> = { 'github-signature': 'githubSignature', 'gitlab-token': 'gitlabToken' };

function parameters(route: ApiRoute | DocumentedRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const header of (route as DocumentedRoute).headers ?? []) {
    out.push({ name: header.name, in: 'header', required: header.required, description: header.description, schema: { type: 'string' } });
  }
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
 * The integration plugins' operations (`documented`, default INTEGRATION_OPERATIONS) follow the
 * API routes.
 */
export function openApiDocument(
  routes: readonly ApiRoute[],
  info: OpenApiInfo,
  documented: readonly DocumentedRoute[] = INTEGRATION_OPERATIONS,
): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes, ...documented] as (ApiRoute | DocumentedRoute)[]) {
    const webhook = WEBHOOK_SECURITY[route.access];
    const path = openApiPath(route.url);
    const responses: Record<string, unknown> = {};
    for (const response of route.responses) {
      responses[String(response.status)] = {
        description: response.description,
        ...(response.schema === undefined
          ? { content: { 'application/json': {} } }
          : { content: { 'application/json': { schema: jsonSchema(response.schema) } } }),
      };
    }
    if (webhook === undefined) {
      responses['401'] ??= {
        description: 'A token is configured for this kind of request and none or an unknown one was given',
        content: { 'application/json': {} },
      };
    }
    if (route.access === 'write')
      responses['403'] ??= { description: 'A read token was given for a write', content: { 'application/json': {} } };
    const description = [(route as DocumentedRoute).description, route.cli === undefined ? undefined : `Same JSON as \`${route.cli}\`.`]
      .filter((d) => d !== undefined)
      .join(' ');
    const operations = paths[path] ?? {};
    paths[path] = operations;
    operations[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(description === '' ? {} : { description }),
      security: webhook === undefined ? [{ bearer: [] }, {}] : [{ [webhook]: [] }],
      parameters: parameters(route),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              description: route.body.description,
              content: { 'application/json': { schema: jsonSchema(route.body.schema) } },
            },
          }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A read token (SKILLS_READ_TOKENS) or a write token (SKILLS_WRITE_TOKENS); not needed when none is configured',
        },
        githubSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Hub-Signature-256',
          description:
            '`sha256=` and the hex HMAC-SHA256 of the raw body under the webhook secret (--github-webhook-secret, SKILLS_GITHUB_WEBHOOK_SECRET), as GitHub sends it; verified in constant time before the body is parsed. Missing or wrong: 401, nothing written. No bearer token is read.',
        },
        gitlabToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Gitlab-Token',
          description:
            "The webhook's secret token (--gitlab-webhook-token, SKILLS_GITLAB_WEBHOOK_TOKEN), compared in constant time. Missing or wrong: 401, nothing written. No bearer token is read.",
        },
      },
    },
  };
}
