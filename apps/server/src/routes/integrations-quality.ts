import { qualityRunSchema, recordQualityInput, skillMetricsFileSchema } from '@skills/integrations';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerPlugin } from '../build-server.js';
import { errorBodySchema, HttpError } from '../http-errors.js';
import type { DocumentedRoute } from '../openapi.js';
import { isJsonContentType } from './api-route.js';

/**
 * `POST /v1/integrations/quality`: a quality-tool run report (Crackerjack's hooks and checks) or
 * its `.session-buddy/skill_metrics.json`, as invocations (@skills/integrations maps them), behind
 * a write token. The user of a report that names none comes from the `x-skills-user` header. Bad
 * input answers 400 naming each field (`checks[3].status: …`) with nothing written; the same
 * report again answers 200 with `recorded: 0`; a body over the limit 413.
 */
export const qualityRoutes: ServerPlugin = async (app, { store, checkAccess }) => {
  app.post(
    '/v1/integrations/quality',
    {
      onRequest: async (request) => checkAccess(request, 'write'),
      preValidation: async (request) => {
        if (!isJsonContentType(request.headers['content-type']))
          throw new HttpError(415, 'unsupported_media_type', 'expected Content-Type application/json');
      },
    },
    async (request) => {
      try {
        const report = await recordQualityInput(store, request.body, { userId: userOf(request) });
        request.log.info(
          { source: 'quality', kind: report.kind, session: report.session, recorded: report.recorded, known: report.known },
          'quality run recorded',
        );
        return report;
      } catch (error) {
        request.log.warn({ source: 'quality' }, `quality run refused: ${(error as Error).message}`);
        throw error;
      }
    },
  );
};

function userOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-skills-user'];
  const user = Array.isArray(value) ? value[0] : value;
  return user && user.trim() !== '' ? user.trim() : undefined;
}

/** The quality route as the OpenAPI document lists it. */
export const qualityOperations: DocumentedRoute[] = [
  {
    method: 'POST',
    url: '/v1/integrations/quality',
    operationId: 'recordQualityRun',
    summary: 'Record a quality-tool run (Crackerjack hooks and checks) or its skill_metrics.json as invocations',
    access: 'write',
    cli: 'skills integrations crackerjack --json',
    headers: [{ name: 'X-Skills-User', required: false, description: 'the user of a report that names none' }],
    body: {
      schema: z.union([qualityRunSchema, skillMetricsFileSchema]),
      description: 'A run report (one session per run), or .session-buddy/skill_metrics.json',
    },
    responses: [
      {
        status: 200,
        description: 'Recorded (the same report again: recorded 0)',
        schema: z.object({
          kind: z.enum(['run', 'skill-metrics']),
          session: z.string().nullable(),
          invocations: z.number().int(),
          recorded: z.number().int(),
          known: z.number().int(),
          skipped: z.number().int(),
        }),
      },
      {
        status: 400,
        description: 'Malformed JSON or invalid fields (each named: checks[3].status); nothing written',
        schema: errorBodySchema,
      },
      { status: 413, description: 'Body over the limit; nothing written', schema: errorBodySchema },
      { status: 415, description: 'Content-Type is not application/json; nothing written', schema: errorBodySchema },
    ],
  },
];
