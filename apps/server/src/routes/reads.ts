import { analyzeExperiment } from '@skills/abtest';
import { recommendSkills } from '@skills/collab';
import {
  getSkillMetrics,
  hourlySeries,
  listInvocations,
  searchInvocations,
  sessionSummary,
  TOP_SKILLS_ORDERS,
  topSkills,
  type ListInvocationsOptions,
} from '@skills/storage';
import { DETECTION_METHODS, listAnomalies, METRICS, skillTrend, type DetectionMethod, type Metric } from '@skills/timeseries';
import { z } from 'zod';
import { errorBodySchema } from '../http-errors.js';
import { booleanParam, intParam, nameParam, resolveTime, timeParam } from '../query-params.js';
import { defineRoute } from './api-route.js';
import {
  anomalyListSchema,
  hourlyPointSchema,
  invocationPageSchema,
  invocationSchema,
  recommendationSchema,
  sessionSummarySchema,
  topSkillSchema,
} from './response-schemas.js';

const badRequest = { status: 400, description: 'A parameter is wrong (each issue names it); nothing read', schema: errorBodySchema };
const notFound = (what: string) => ({ status: 404, description: `No such ${what}`, schema: errorBodySchema });
const ok = (description: string, schema?: z.ZodType) => ({ status: 200, description, ...(schema === undefined ? {} : { schema }) });

const skillPath = z.strictObject({ skill: nameParam.describe('skill name') });

/** `undefined` keys dropped, for options typed with exactOptionalPropertyTypes. */
function defined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

const time = (text: string | undefined, now: number) => (text === undefined ? undefined : resolveTime(text, now));

/** The read endpoints: each answers with the JSON of the CLI command named in `cli`. */
export const readRoutes = [
  defineRoute({
    method: 'GET',
    url: '/v1/skills/top',
    operationId: 'topSkills',
    summary: 'Top skills in a window, from the hourly rollups: invocations, completion rate (0–1), avg and p95 duration (s)',
    access: 'read',
    query: z.strictObject({
      since: timeParam.optional().describe('start of the window (default 24h); rounded down to the hour'),
      until: timeParam.optional().describe('end of the window (default now); rounded up to the hour'),
      limit: intParam(1, 1000).optional().describe('how many skills, 1–1000 (default 10)'),
      order_by: z.enum(TOP_SKILLS_ORDERS).optional().describe('sort key, descending (default invocations)'),
    }),
    responses: [ok('The top skills, first by order_by', z.array(topSkillSchema)), badRequest],
    cli: 'skills top --json',
    handler: ({ store, query, now }) =>
      topSkills(
        store,
        defined({
          since: time(query.since ?? '24h', now),
          until: time(query.until ?? 'now', now),
          limit: query.limit ?? 10,
          orderBy: query.order_by,
        }),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/skills/:skill',
    operationId: 'skillMetrics',
    summary: 'Lifetime totals of one skill, with its workflow paths, errors and follow-up actions',
    access: 'read',
    params: skillPath,
    responses: [
      ok(
        '{skill_name, total_invocations, completed_invocations, abandoned_invocations, completion_rate, avg_duration_seconds, first_invoked, last_invoked, workflow_paths, common_errors, follow_up_actions, …}',
      ),
      notFound('skill'),
    ],
    cli: 'skills metrics SKILL --json',
    handler: ({ store, params }) => getSkillMetrics(store, params.skill),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/skills/:skill/hourly',
    operationId: 'skillHourlySeries',
    summary: "One skill's hourly series, oldest first, from the rollups",
    access: 'read',
    params: skillPath,
    query: z.strictObject({
      since: timeParam.optional().describe('start (default 24h)'),
      until: timeParam.optional().describe('end (default now)'),
      fill: booleanParam.optional().describe('include hours without invocations as zero points (default false)'),
    }),
    responses: [ok('One point per hour, oldest first', z.array(hourlyPointSchema)), badRequest, notFound('skill')],
    handler: ({ store, params, query, now }) =>
      hourlySeries(
        store,
        params.skill,
        defined({ since: time(query.since ?? '24h', now), until: time(query.until ?? 'now', now), fill: query.fill }),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/skills/:skill/trend',
    operationId: 'skillTrend',
    summary: 'Is the skill getting better or worse: daily points, Mann–Kendall, Theil–Sen, least squares',
    access: 'read',
    params: skillPath,
    query: z.strictObject({
      days: intParam(1, 366).optional().describe('length of the window in days (default 7; 3 or more for a trend)'),
      metric: z
        .enum(METRICS as [Metric, ...Metric[]])
        .optional()
        .describe('default completion_rate'),
      until: timeParam.optional().describe('end of the window (default now; the current hour is left out)'),
    }),
    responses: [
      ok('{skill, metric, direction, since, until, points, slopePerDay, theilSen, mannKendall, linear, change, weekendFactor, summary}'),
      badRequest,
      notFound('skill'),
    ],
    cli: 'skills trend SKILL --json',
    async handler({ store, params, query, now }) {
      const trend = await skillTrend(store, params.skill, {
        metric: query.metric ?? 'completion_rate',
        days: query.days ?? 7,
        until: time(query.until, now) ?? now,
      });
      return { skill: params.skill, ...trend };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/anomalies',
    operationId: 'listAnomalies',
    summary: 'Recorded anomalies (drops, spikes, shifts), most recent first; the server records them after each complete hour',
    access: 'read',
    query: z.strictObject({
      since: timeParam.optional().describe('anomalies open at any time since then (default 24h)'),
      until: timeParam.optional().describe('only anomalies whose hour is before this'),
      skill: nameParam.optional().describe('only this skill'),
      open: booleanParam.optional().describe('true: only unresolved; false: only resolved'),
      method: z
        .enum(DETECTION_METHODS as [DetectionMethod, ...DetectionMethod[]])
        .optional()
        .describe('detection method'),
      limit: intParam(1, 10_000).optional().describe('at most this many (default 100)'),
    }),
    responses: [ok('Anomalies, most recent first', anomalyListSchema), badRequest, notFound('skill')],
    cli: 'skills anomalies --json',
    async handler({ store, query, now }) {
      const anomalies = await listAnomalies(
        store,
        defined({
          since: time(query.since ?? '24h', now),
          until: time(query.until, now),
          skill: query.skill,
          open: query.open,
          method: query.method,
          limit: query.limit ?? 100,
        }),
      );
      return { anomalies };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/sessions/:session',
    operationId: 'sessionSummary',
    summary: 'What happened in one session',
    access: 'read',
    params: z.strictObject({ session: nameParam.describe('session id') }),
    responses: [ok('The session', sessionSummarySchema), notFound('session')],
    cli: 'skills session ID --json',
    handler: ({ store, params }) => sessionSummary(store, params.session),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/search',
    operationId: 'searchInvocations',
    summary: 'Full-text search over user queries, best match first (every word must match)',
    access: 'read',
    query: z.strictObject({
      q: z.string().trim().min(1, 'must not be empty').max(1000).describe('words to find'),
      skill: nameParam.optional().describe('only this skill'),
      limit: intParam(1, 1000).optional().describe('how many, 1–1000 (default 20)'),
    }),
    responses: [ok('Matching invocations, best first', z.array(invocationSchema)), badRequest],
    cli: 'skills search TEXT --json',
    handler: ({ store, query }) => searchInvocations(store, query.q, defined({ skill: query.skill, limit: query.limit ?? 20 })),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/invocations',
    operationId: 'listInvocations',
    summary: 'Invocations, newest first, a page at a time (keyset paging: pass nextCursor as cursor)',
    access: 'read',
    query: z.strictObject({
      skill: nameParam.optional(),
      user: nameParam.optional(),
      session: nameParam.optional(),
      phase: nameParam.optional().describe('workflow phase'),
      since: timeParam.optional().describe('from (inclusive)'),
      until: timeParam.optional().describe('to (exclusive)'),
      limit: intParam(1, 10_000).optional().describe('page size, 1–10,000 (default 20)'),
      cursor: z.string().min(1).max(500).optional().describe('nextCursor of the previous page'),
    }),
    responses: [ok('One page', invocationPageSchema), badRequest],
    cli: 'skills list --json',
    handler: ({ store, query, now }) =>
      listInvocations(
        store,
        defined({
          skill: query.skill,
          user: query.user,
          session: query.session,
          phase: query.phase,
          since: time(query.since, now),
          until: time(query.until, now),
          limit: query.limit ?? 20,
          cursor: query.cursor,
        }) as ListInvocationsOptions,
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/users/:user/recommendations',
    operationId: 'recommendSkills',
    summary: "Skills the user has not tried, ranked by how well they work for the user's most similar users (popularity fills the rest)",
    access: 'read',
    params: z.strictObject({ user: nameParam.describe('user id') }),
    query: z.strictObject({
      limit: intParam(1, 1000).optional().describe('how many (default 10)'),
      neighbours: intParam(1, 1000).optional().describe('similar users weighed (default 20)'),
      min_successes: intParam(1, Number.MAX_SAFE_INTEGER)
        .optional()
        .describe('completed invocations before a user counts as using a skill (default 1)'),
    }),
    responses: [ok('Skills to try, best first', z.array(recommendationSchema)), badRequest],
    cli: 'skills recommend USER --json',
    handler: ({ store, params, query }) =>
      recommendSkills(store, params.user, {
        limit: query.limit ?? 10,
        neighbours: query.neighbours ?? 20,
        minSuccesses: query.min_successes ?? 1,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/experiments/:experiment/analysis',
    operationId: 'analyzeExperiment',
    summary: 'An A/B experiment analysed: lift per variant with intervals, p-values, CUPED, SRM check, verdict',
    access: 'read',
    params: z.strictObject({ experiment: nameParam.describe('experiment name or id') }),
    responses: [ok('the analysis, as `skills abtest analyze EXP --json`'), notFound('experiment')],
    cli: 'skills abtest analyze EXP --json',
    handler: ({ store, params, now }) => analyzeExperiment(store, params.experiment, { now }),
  }),
];
