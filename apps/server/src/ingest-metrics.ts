import { HOOKS_PATH, LOGS_PATH } from '@skills/integrations';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ErrorCode } from './http-errors.js';

/**
 * The routes that write what a client sends: invocations, Claude Code's hooks and OTLP logs, the
 * CI webhooks. Their answers are counted in `skills_ingest_requests_total{route}` and, when
 * refused, `skills_ingest_rejected_total{route,code}` (the route label is the route's pattern,
 * so its values are exactly these).
 */
export const INGEST_ROUTES: readonly string[] = [
  '/v1/invocations',
  HOOKS_PATH,
  LOGS_PATH,
  '/v1/integrations/github',
  '/v1/integrations/gitlab',
  '/v1/integrations/ci',
  '/v1/integrations/quality',
  '/v1/integrations/ide/feedback',
];

/** Where the counts go (`MetricsExporter.countIngest` of @skills/realtime). */
export interface IngestCounter {
  countIngest(route: string, rejectedCode?: string): void;
}

/** The error code the error handler answered a request with, for the counter's `code` label. */
const answeredCodes = new WeakMap<FastifyRequest, ErrorCode>();

/** Called by the error handler: `request` was answered with `code`. */
export function noteErrorCode(request: FastifyRequest, code: ErrorCode): void {
  answeredCodes.set(request, code);
}

/**
 * Count every answer of an ingest route once it is sent, whatever refused it: the token check
 * (401/403), the content type (415), the body limit (413), bad JSON or invalid items (400), a
 * webhook signature (401), or a failure (5xx). Add it to the root instance before the routes, so
 * the routes of plugins get it too.
 * @example countIngestRequests(app, exporter);
 */
export function countIngestRequests(app: FastifyInstance, counter: IngestCounter): void {
  const routes = new Set(INGEST_ROUTES);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.method !== 'POST' || route === undefined || !routes.has(route)) return;
    const status = reply.statusCode;
    counter.countIngest(route, status >= 400 ? (answeredCodes.get(request) ?? codeOfStatus(status)) : undefined);
  });
}

/** A refusal answered without the error handler (OTLP's own 400 Status): its code by status. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'validation_failed';
}
