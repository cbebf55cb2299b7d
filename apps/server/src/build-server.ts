import type { Store } from '@skills/storage';
import { sql } from 'kysely';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import packageJson from '../package.json' with { type: 'json' };
import { createTokenChecker, type Access } from './auth.js';
import type { ServerConfig } from './config.js';
import { HttpError, mapError } from './http-errors.js';
import { countIngestRequests, noteErrorCode } from './ingest-metrics.js';
import { skillsMcpRoute } from '@skills/mcp-tools';
import { openApiDocument } from './openapi.js';
import { parseParams } from './query-params.js';
import { isJsonContentType, isStatusReply, type ApiRoute } from './routes/api-route.js';
import { ingestRoutes } from './routes/ingest.js';
import { readRoutes } from './routes/reads.js';
import { infrastructurePaths } from './routes/infrastructure.js';
import { claudeCodeOptions, claudeCodeRoutes } from './routes/claude-code.js';
import { integrationRoutes } from './routes/integrations.js';
import { qualityRoutes } from './routes/integrations-quality.js';
import { ideIntegrationRoutes } from './routes/integrations-ide.js';
import { dashboardReadRoutes } from './routes/dashboard-reads.js';
import { dashboardPage } from './routes/dashboard-assets.js';

/** What a plugin mounted on the server is given (besides Fastify's instance). */
export interface ServerPluginOptions {
  store: Store;
  config: ServerConfig;
  /** Throws the API's 401/403 unless the request carries a token for `access`. */
  checkAccess(request: FastifyRequest, access: Access): void;
}

/**
 * A router mounted on the server with one line: `startServer(config, { plugins: [mcpPlugin] })`.
 * It is a Fastify plugin (`app.register`), so it adds its own routes, e.g. `/mcp`.
 */
export type ServerPlugin = FastifyPluginAsync<ServerPluginOptions>;

/** The Prometheus exporter as the server uses it (`createMetricsExporter` of @skills/realtime). */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
  /** Counts the answers of the ingest routes (`skills_ingest_requests_total`, `skills_ingest_rejected_total`). */
  countIngest?(route: string, rejectedCode?: string): void;
}

export interface BuildServerOptions {
  store: Store;
  logger: Logger;
  plugins?: readonly ServerPlugin[];
  /** Serves `GET /metrics` when given. */
  metrics?: MetricsSource;
  /** Clock for relative times in queries (default Date.now). */
  now?: () => number;
}

/** Every route of the HTTP API, in the order the OpenAPI document lists them. */
export const API_ROUTES: readonly ApiRoute[] = [...ingestRoutes, ...readRoutes, ...dashboardReadRoutes];

/**
 * The Fastify app of the server, not yet listening: the API routes, /healthz, /readyz, /metrics,
 * /openapi.json and the plugins. The WebSocket hub attaches to `app.server` (see `startServer`).
 */
export async function buildServer(config: ServerConfig, options: BuildServerOptions): Promise<FastifyInstance> {
  const { store } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  const tokens = createTokenChecker(config);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error, { bodyLimitBytes: config.bodyLimitBytes });
    if (!mapped.expected) request.log.error({ err: error }, 'request failed');
    noteErrorCode(request, mapped.body.error.code);
    if (mapped.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.status(mapped.statusCode).send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}: see /openapi.json`,
        kind: 'route',
        id: request.url.split('?')[0],
      },
    }),
  );

  if (options.metrics?.countIngest !== undefined) countIngestRequests(app, options.metrics as Required<MetricsSource>);

  for (const route of API_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      // Auth and the content type are checked before the body is read: a refused request costs no upload.
      onRequest: async (request) => {
        tokens.check(request, route.access);
        if (route.body !== undefined) {
          const type = request.headers['content-type'];
          if (!isJsonContentType(type)) {
            throw new HttpError(
              415,
              'unsupported_media_type',
              `Content-Type ${type === undefined ? 'missing' : `"${type}"`}: expected application/json`,
            );
          }
        }
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const params = route.params === undefined ? undefined : parseParams(route.params, request.params);
        const query = route.query === undefined ? undefined : parseParams(route.query, request.query);
        const result = await route.handler({ store, params, query, body: request.body, now: now() });
        if (isStatusReply(result)) return reply.status(result.status).send(result.body);
        return reply.send(result);
      },
    });
  }

  // Probes and scrapes every few seconds would drown the request log: theirs is at warn.
  const quiet = { logLevel: 'warn' } as const;
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));
  app.get('/readyz', quiet, async (_request, reply) => {
    if (closing) return reply.status(503).send({ status: 'closing' });
    try {
      await sql`select 1`.execute(store.db);
      return { status: 'ready' };
    } catch (error) {
      return reply.status(503).send({ status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
    }
  });
  if (options.metrics !== undefined) {
    const source = options.metrics;
    app.get('/metrics', { ...quiet, onRequest: async (request) => tokens.check(request, 'read') }, async (_request, reply) => {
      const text = await source.metrics();
      return reply.type(source.contentType).send(text);
    });
  }
  const document = openApiDocument(API_ROUTES, {
    title: 'Skills Analytics API',
    version: packageJson.version,
    description: 'Record skill invocations and read their analytics. Errors have one shape: {"error": {code, message, issues?}}.',
  });
  Object.assign(document.paths as object, infrastructurePaths(options.metrics !== undefined));
  app.get('/openapi.json', async () => document);

  // MCP over Streamable HTTP at /mcp (stateless), behind the same tokens: @skills/mcp-tools;
  // Claude Code's hooks and OTLP logs: @skills/integrations.
  for (const plugin of [
    skillsMcpRoute,
    claudeCodeRoutes(await claudeCodeOptions(config)),
    integrationRoutes,
    ideIntegrationRoutes,
    qualityRoutes,
    dashboardPage(),
    ...(options.plugins ?? []),
  ]) {
    await app.register(plugin, { store, config, checkAccess: (request, access) => tokens.check(request, access) });
  }
  return app;
}
