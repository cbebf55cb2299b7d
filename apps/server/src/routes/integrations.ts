import {
  ciRunInputSchema,
  createCiIngest,
  listPipelines,
  mapCiRun,
  mapGithubEvent,
  mapGitlabEvent,
  pipelineReport,
  verifyGithubSignature,
  verifyGitlabToken,
  type CiDelivery,
  type CiIngest,
} from '@skills/integrations';
import { parseTimeText } from '@skills/storage';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServerPlugin } from '../build-server.js';
import { errorBodySchema, HttpError } from '../http-errors.js';
import type { DocumentedRoute } from '../openapi.js';
import { isJsonContentType } from './api-route.js';

/**
 * The CI/CD sources on the server (@skills/integrations maps them):
 * - `POST /v1/integrations/github`: GitHub `workflow_job` / `workflow_run` webhooks, the raw body's
 *   `X-Hub-Signature-256` verified (HMAC-SHA256, constant time) before it is parsed;
 * - `POST /v1/integrations/gitlab`: GitLab Pipeline and Job Hooks, `X-Gitlab-Token` checked;
 * - `POST /v1/integrations/ci`: the generic CI form, behind a write token;
 * - `GET /v1/integrations/ci/pipelines`, `GET /v1/integrations/ci/report?pipeline=`,
 *   `GET /v1/integrations/ci/deliveries`: the reads behind `skills ci report` and a CI view.
 * A replayed delivery id answers 200 `duplicate` and writes nothing; an event type not mapped
 * answers 202 `ignored` (counted in integration_deliveries); each delivery is logged once.
 */
export const integrationRoutes: ServerPlugin = async (app, { store, config, checkAccess }) => {
  const ingest = createCiIngest(store);
  // These routes read the raw bytes: a signature is over the body exactly as sent.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/v1/integrations/github', async (request, reply) => {
    const secret = config.githubWebhookSecret;
    if (secret === undefined)
      throw new HttpError(
        401,
        'unauthorized',
        'GitHub webhooks are off: start the server with --github-webhook-secret (SKILLS_GITHUB_WEBHOOK_SECRET)',
      );
    const delivery = header(request, 'x-github-delivery');
    const raw = rawBody(request);
    if (!verifyGithubSignature(secret, raw, header(request, 'x-hub-signature-256'))) {
      request.log.warn({ delivery, source: 'github' }, 'webhook refused: bad or missing X-Hub-Signature-256');
      throw new HttpError(
        401,
        'unauthorized',
        'X-Hub-Signature-256: missing or not the HMAC-SHA256 of the body under the configured secret',
      );
    }
    const event = header(request, 'x-github-event');
    return handle(request, reply, ingest, {
      source: 'github',
      deliveryId: delivery,
      event: event ?? '',
      mapped: mapGithubEvent(event, parseJson(request, raw, delivery)),
    });
  });

  app.post('/v1/integrations/gitlab', async (request, reply) => {
    const secret = config.gitlabWebhookToken;
    if (secret === undefined)
      throw new HttpError(
        401,
        'unauthorized',
        'GitLab webhooks are off: start the server with --gitlab-webhook-token (SKILLS_GITLAB_WEBHOOK_TOKEN)',
      );
    const delivery = header(request, 'x-gitlab-event-uuid') ?? header(request, 'x-gitlab-webhook-uuid');
    if (!verifyGitlabToken(secret, header(request, 'x-gitlab-token'))) {
      request.log.warn({ delivery, source: 'gitlab' }, 'webhook refused: bad or missing X-Gitlab-Token');
      throw new HttpError(401, 'unauthorized', 'X-Gitlab-Token: missing or not the configured secret token');
    }
    const raw = rawBody(request);
    return handle(request, reply, ingest, {
      source: 'gitlab',
      deliveryId: delivery,
      event: header(request, 'x-gitlab-event') ?? '',
      mapped: mapGitlabEvent(parseJson(request, raw, delivery)),
    });
  });

  app.post('/v1/integrations/ci', { onRequest: async (request) => checkAccess(request, 'write') }, async (request, reply) => {
    const delivery = header(request, 'x-delivery-id');
    const mapped = mapCiRun(parseJson(request, rawBody(request), delivery));
    if ('issues' in mapped) {
      request.log.warn({ delivery, source: 'ci' }, 'CI run refused');
      throw new HttpError(400, 'validation_failed', `${mapped.issues.length} problem(s) in the CI run; nothing written`, {
        issues: mapped.issues.map((i) => ({ index: -1, ...i })),
      });
    }
    const source = (mapped as { jobs: { provider: string }[] }).jobs?.[0]?.provider ?? 'ci';
    return handle(request, reply, ingest, { source, deliveryId: delivery, event: 'ci', mapped });
  });

  const read = { onRequest: async (request: FastifyRequest) => checkAccess(request, 'read') };
  app.get('/v1/integrations/ci/pipelines', read, async (request) => {
    const window = windowOf(request.query as Record<string, unknown>);
    return { pipelines: await listPipelines(store, window) };
  });
  app.get('/v1/integrations/ci/report', read, async (request) => {
    const query = request.query as Record<string, unknown>;
    const pipeline = typeof query.pipeline === 'string' && query.pipeline.trim() !== '' ? query.pipeline.trim() : undefined;
    if (pipeline === undefined)
      throw new HttpError(400, 'validation_failed', 'pipeline: required (a name from GET /v1/integrations/ci/pipelines)', {
        issues: [{ index: -1, field: 'pipeline', message: 'required' }],
      });
    return pipelineReport(store, pipeline, windowOf(query));
  });
  app.get('/v1/integrations/ci/deliveries', read, async (request) => {
    const window = windowOf(request.query as Record<string, unknown>);
    return { deliveries: await ingest.deliveryCounts(window.since ?? 0) };
  });

  const prune = setInterval(() => {
    ingest
      .pruneDeliveries(Date.now() - 30 * 86_400_000)
      .catch((error: unknown) => app.log.error({ err: error }, 'pruning old delivery ids failed'));
  }, 3_600_000);
  prune.unref();
  app.addHook('onClose', async () => clearInterval(prune));
};

async function handle(request: FastifyRequest, reply: FastifyReply, ingest: CiIngest, delivery: CiDelivery) {
  try {
    const report = await ingest.deliver(delivery);
    request.log.info(
      { delivery: delivery.deliveryId, source: delivery.source, event: delivery.event, outcome: report.outcome, recorded: report.recorded },
      `webhook ${report.outcome}`,
    );
    return reply.status(report.outcome === 'ignored' ? 202 : 200).send(report);
  } catch (error) {
    request.log.warn(
      { delivery: delivery.deliveryId, source: delivery.source, event: delivery.event },
      `webhook refused: ${(error as Error).message}`,
    );
    throw error;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text && text.trim() !== '' ? text.trim() : undefined;
}

function rawBody(request: FastifyRequest): Buffer {
  if (!isJsonContentType(request.headers['content-type']))
    throw new HttpError(415, 'unsupported_media_type', 'expected Content-Type application/json');
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function parseJson(request: FastifyRequest, raw: Buffer, delivery: string | undefined): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    request.log.warn({ delivery }, 'webhook refused: body is not valid JSON');
    throw new HttpError(400, 'invalid_json', 'body is not valid JSON');
  }
}

function windowOf(query: Record<string, unknown>): { since?: number; until?: number } {
  const out: { since?: number; until?: number } = {};
  for (const key of ['since', 'until'] as const) {
    const value = query[key];
    if (value === undefined || value === '') continue;
    const ms = timeOf(String(value));
    if (ms === undefined)
      throw new HttpError(
        400,
        'validation_failed',
        `${key}: expected epoch milliseconds, ISO-8601 text or a duration ago such as 7d or 24h (got "${String(value)}")`,
        { issues: [{ index: -1, field: key, message: 'expected a time' }] },
      );
    out[key] = ms;
  }
  return out;
}

/** A time as the read endpoints and the CLI take it (storage's `parseTimeText`). */
function timeOf(text: string): number | undefined {
  const time = parseTimeText(text, Date.now());
  return time.ok ? time.ms : undefined;
}

// ---- The OpenAPI description of these routes (the document only: the handlers above read the raw body themselves).

const deliveryReportSchema = z
  .object({
    delivery: z.string().nullable().describe('the delivery id sent (X-GitHub-Delivery, X-Gitlab-Event-UUID, X-Delivery-Id), or null'),
    outcome: z.enum(['recorded', 'duplicate', 'ignored']),
    jobs: z.number().int().nonnegative().describe('finished jobs and pipeline runs the delivery carried'),
    recorded: z.number().int().nonnegative().describe('invocations newly written'),
    known: z.number().int().nonnegative().describe('jobs already known by their id'),
    reason: z.string().optional().describe('why nothing was recorded (ignored), or why a job was refused'),
  })
  .describe('What a delivery did');
const rate = z.number().min(0).max(1);
const pipelineSummarySchema = z.object({
  pipeline: z.string(),
  provider: z.string(),
  repository: z.string().nullable(),
  runs: z.number().int(),
  jobs: z.number().int(),
  success_rate: rate.nullable(),
  last_run_at: z.number().int().describe('epoch ms'),
});
const pipelineReportSchema = z.object({
  pipeline: z.string(),
  provider: z.string().nullable(),
  repository: z.string().nullable(),
  since: z.number().int().describe('epoch ms'),
  until: z.number().int().describe('epoch ms, exclusive'),
  runs: z.number().int(),
  jobs: z.number().int(),
  overall_success_rate: rate.nullable(),
  pipeline_runs: z.object({ total: z.number().int(), successful: z.number().int(), success_rate: rate }).nullable(),
  stages: z.array(
    z.object({
      stage: z.string(),
      workflow_phase: z.string().nullable(),
      total_runs: z.number().int(),
      successful_runs: z.number().int(),
      success_rate: rate,
      avg_duration_seconds: z.number().nullable(),
      skills_used: z.array(z.string()),
      common_failures: z.record(z.string(), z.number().int()),
    }),
  ),
  bottlenecks: z.array(
    z.object({ stage: z.string(), success_rate: rate, avg_duration_seconds: z.number().nullable(), severity: z.enum(['high', 'medium']) }),
  ),
  flaky_steps: z.array(
    z.object({
      name: z.string(),
      stage: z.string().nullable(),
      commits: z.number().int(),
      latest: z.object({ commit: z.string(), failures: z.number().int(), failed_at: z.number().int(), passed_at: z.number().int() }),
    }),
  ),
  recommendations: z.array(z.object({ priority: z.enum(['high', 'medium', 'low']), stage: z.string(), message: z.string() })),
});
const time = (what: string) =>
  z.string().optional().describe(`${what}: epoch milliseconds, ISO-8601 text, or a duration ago (7d, 24h, 30m)`);
const windowQuery = z.object({
  since: time('start of the window (default: 7 days before until)'),
  until: time('end of the window, exclusive (default: now)'),
});
const webhookPayload = (what: string) => z.record(z.string(), z.unknown()).describe(what);
const webhookResponses = (bad: string): DocumentedRoute['responses'] => [
  { status: 200, description: 'Recorded, or a replayed delivery id (`duplicate`: nothing written twice)', schema: deliveryReportSchema },
  {
    status: 202,
    description: 'An event or action not mapped (queued, in_progress, other events): ignored, counted',
    schema: deliveryReportSchema,
  },
  { status: 400, description: `${bad}; nothing written`, schema: errorBodySchema },
  {
    status: 401,
    description: 'Missing or wrong signature/token, or the webhook is not configured; nothing written',
    schema: errorBodySchema,
  },
  { status: 413, description: 'Body over the limit; nothing written', schema: errorBodySchema },
  { status: 415, description: 'Content-Type is not application/json; nothing written', schema: errorBodySchema },
];
const badQuery = { status: 400, description: 'A parameter is wrong (named); nothing read', schema: errorBodySchema };

/** The CI/CD routes as the OpenAPI document lists them. */
export const ciOperations: DocumentedRoute[] = [
  {
    method: 'POST',
    url: '/v1/integrations/github',
    operationId: 'githubWebhook',
    summary: 'GitHub Actions webhook (workflow_job, workflow_run)',
    description:
      'A completed workflow_job becomes an invocation of the job (session = the run, user = the sender); a completed workflow_run is the pipeline run. Deliveries are idempotent by X-GitHub-Delivery and job id.',
    access: 'github-signature',
    headers: [
      { name: 'X-GitHub-Event', required: true, description: 'workflow_job or workflow_run (others: 202 ignored)' },
      { name: 'X-GitHub-Delivery', required: false, description: 'the delivery id: a replay of it writes nothing' },
    ],
    body: {
      schema: webhookPayload('The webhook payload as GitHub sends it'),
      description: 'GitHub workflow_job or workflow_run webhook payload',
    },
    responses: webhookResponses('Malformed JSON, or a payload missing a field it needs (named)'),
  },
  {
    method: 'POST',
    url: '/v1/integrations/gitlab',
    operationId: 'gitlabWebhook',
    summary: 'GitLab Pipeline and Job Hook',
    description:
      'Each finished job becomes an invocation (session = the pipeline, user = the user); a finished pipeline is the pipeline run. Idempotent by X-Gitlab-Event-UUID and build id.',
    access: 'gitlab-token',
    headers: [
      { name: 'X-Gitlab-Event', required: false, description: "Pipeline Hook or Job Hook (the payload's object_kind decides)" },
      { name: 'X-Gitlab-Event-UUID', required: false, description: 'the delivery id: a replay of it writes nothing' },
    ],
    body: {
      schema: webhookPayload('The webhook payload as GitLab sends it'),
      description: 'GitLab pipeline or build (job) webhook payload',
    },
    responses: webhookResponses('Malformed JSON, or a payload missing a field it needs (named)'),
  },
  {
    method: 'POST',
    url: '/v1/integrations/ci',
    operationId: 'recordCiRun',
    summary: 'Record a run of another CI system (the generic form)',
    access: 'write',
    headers: [{ name: 'X-Delivery-Id', required: false, description: 'a delivery id: a replay of it writes nothing' }],
    body: { schema: ciRunInputSchema, description: 'One run of a pipeline with its finished jobs' },
    responses: [
      { status: 200, description: 'Recorded, or a replayed delivery id (nothing written twice)', schema: deliveryReportSchema },
      { status: 400, description: 'Malformed JSON or invalid fields (each named: jobs.2.stage); nothing written', schema: errorBodySchema },
      { status: 413, description: 'Body over the limit; nothing written', schema: errorBodySchema },
      { status: 415, description: 'Content-Type is not application/json; nothing written', schema: errorBodySchema },
    ],
  },
  {
    method: 'GET',
    url: '/v1/integrations/ci/pipelines',
    operationId: 'listCiPipelines',
    summary: 'Pipelines with runs in a window, most recent first',
    access: 'read',
    query: windowQuery,
    responses: [{ status: 200, description: 'The pipelines', schema: z.object({ pipelines: z.array(pipelineSummarySchema) }) }, badQuery],
  },
  {
    method: 'GET',
    url: '/v1/integrations/ci/report',
    operationId: 'ciPipelineReport',
    summary: "One pipeline's report: stage success rates, durations, bottlenecks, flaky steps, recommendations",
    access: 'read',
    cli: 'skills ci report PIPELINE --json',
    query: z.object({
      pipeline: z.string().min(1).describe('a pipeline name from GET /v1/integrations/ci/pipelines'),
      ...windowQuery.shape,
    }),
    responses: [{ status: 200, description: 'The report', schema: pipelineReportSchema }, badQuery],
  },
  {
    method: 'GET',
    url: '/v1/integrations/ci/deliveries',
    operationId: 'ciDeliveryCounts',
    summary: 'Webhook deliveries handled since a time, by source, outcome and event',
    access: 'read',
    query: z.object({ since: windowQuery.shape.since }),
    responses: [
      {
        status: 200,
        description: 'The counts',
        schema: z.object({
          deliveries: z.array(z.object({ source: z.string(), outcome: z.string(), event: z.string(), count: z.number().int() })),
        }),
      },
      badQuery,
    ],
  },
];
