import { EXPERIMENT_STATUSES } from '@skills/storage';
import { z } from 'zod';
import { errorBodySchema } from '../http-errors.js';
import { intParam, nameParam, resolveTime, timeParam } from '../query-params.js';
import { defineRoute } from './api-route.js';
import { cachedRead } from './dashboard-cache.js';
import { changeOf, rangeSeries, rangeTotals, skillsTable, withTrends } from './dashboard-queries.js';
import { experimentsWithAnalysis, filterOptions, skillView, unusedSkills, userView } from './dashboard-views.js';
import { dashboardWindow, type DashboardFilter } from './dashboard-window.js';
import { anomalyListSchema, recommendationSchema } from './response-schemas.js';

const badRequest = { status: 400, description: 'A parameter is wrong (each issue names it); nothing read', schema: errorBodySchema };
const notFound = (what: string) => ({ status: 404, description: `No such ${what}`, schema: errorBodySchema });
const ms = z.number().int().describe('epoch milliseconds');
const seconds = z.number().nullable().describe('seconds; null when unknown');
const rate = z.number().min(0).max(1).nullable().describe('fraction 0–1; null without invocations');

const range = {
  since: timeParam.optional().describe('start of the range (default 24h); rounded down to the hour'),
  until: timeParam.optional().describe('end of the range (default now); rounded up to the hour'),
};
const filters = {
  skill: nameParam.optional().describe('only this skill'),
  phase: nameParam.optional().describe('only this workflow phase (read from the invocations, not the rollups)'),
  user: nameParam.optional().describe('only this user (read from the invocations, not the rollups)'),
};

const totalsSchema = z.object({
  invocations: z.number().int(),
  completed: z.number().int(),
  completion_rate: rate,
  p95_duration_seconds: seconds,
  active_sessions: z.number().int().describe('distinct sessions with an invocation in the range'),
  anomalies: z.number().int().describe('anomalies whose hour lies in the range'),
  open_anomalies: z.number().int().describe('of those, the ones not resolved'),
});

const skillRowSchema = z.object({
  skill_name: z.string(),
  invocations: z.number().int(),
  completed: z.number().int(),
  completion_rate: z.number().min(0).max(1),
  errors: z.number().int().describe('invocations that did not complete'),
  avg_duration_seconds: seconds,
  p95_duration_seconds: seconds,
  trend: z
    .enum(['improving', 'declining', 'stable', 'insufficient_data'])
    .nullable()
    .describe('completion-rate trend over the 7 days before until; null with trends=off'),
  sparkline: z.array(z.number().int()).describe('invocations per sparkline_bucket_ms from since, oldest first'),
});

function windowOf(query: { since?: string | undefined; until?: string | undefined }, now: number) {
  return dashboardWindow(resolveTime(query.since ?? '24h', now), resolveTime(query.until ?? 'now', now));
}

function filterOf(query: DashboardFilter): DashboardFilter {
  return { skill: query.skill, phase: query.phase, user: query.user };
}

/** The read endpoints behind the dashboard page: each answers one panel, so the page computes nothing. */
export const dashboardReadRoutes = [
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/summary',
    operationId: 'dashboardSummary',
    summary:
      'Totals of a range (invocations, completion rate, p95 duration, active sessions, anomalies) beside those of the range of the same length before it',
    access: 'read',
    query: z.strictObject({
      ...range,
      ...filters,
      previous: z
        .enum(['on', 'off'], { error: 'expected on or off' })
        .optional()
        .describe('off: skip the previous range (previous and change are null), for a faster first answer; default on'),
    }),
    responses: [
      {
        status: 200,
        description: 'The totals, their change, and the range per sparkline bucket',
        schema: z.object({
          since: ms,
          until: ms,
          previous_since: ms,
          current: totalsSchema,
          previous: totalsSchema.nullable().describe('null with previous=off'),
          change: z
            .object({
              invocations: z.number().nullable(),
              completion_rate: z.number().nullable(),
              p95_duration_seconds: z.number().nullable(),
              active_sessions: z.number().nullable(),
              open_anomalies: z.number().int(),
            })
            .nullable()
            .describe(
              'relative change (0.12 = +12 %; null from 0) except completion_rate (difference of rates) and open_anomalies (difference); null with previous=off',
            ),
          series: z.object({
            bucket_ms: z.number().int(),
            points: z.array(z.object({ ts: ms, invocations: z.number().int(), completed: z.number().int() })),
          }),
        }),
      },
      badRequest,
    ],
    async handler({ store, query, now }) {
      const window = windowOf(query, now);
      const filter = filterOf(query);
      // Each range's totals and the series are cached on their own: the page asks with
      // previous=off first (its first render), then for the whole answer, which then only reads
      // the previous range.
      const totalsOf = (range: { since: number; until: number }) =>
        cachedRead(
          store,
          `totals ${JSON.stringify([range.since, range.until, filter])}`,
          { from: range.since, until: range.until },
          now,
          () => rangeTotals(store, range, filter),
        );
      const current = await totalsOf(window);
      const series = await cachedRead(
        store,
        `series ${JSON.stringify([window, filter])}`,
        { from: window.since, until: window.until },
        now,
        () => rangeSeries(store, window, filter),
      );
      const previous = query.previous === 'off' ? null : await totalsOf({ since: window.previousSince, until: window.since });
      return {
        since: window.since,
        until: window.until,
        previous_since: window.previousSince,
        current,
        previous,
        change: previous === null ? null : changeOf(current, previous),
        series,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/skills',
    operationId: 'dashboardSkills',
    summary:
      'Every skill with invocations in the range (at most 1000, busiest first): the top-skills figures, errors, trend direction and a sparkline',
    access: 'read',
    query: z.strictObject({
      ...range,
      ...filters,
      trends: z
        .enum(['on', 'off'], { error: 'expected on or off' })
        .optional()
        .describe('off: skip the trend directions (each trend null), for a faster first answer; default on'),
    }),
    responses: [
      {
        status: 200,
        description: 'The skills table',
        schema: z.object({ since: ms, until: ms, sparkline_bucket_ms: z.number().int(), skills: z.array(skillRowSchema) }),
      },
      badRequest,
    ],
    async handler({ store, query, now }) {
      const window = windowOf(query, now);
      const filter = filterOf(query);
      // The table and its trend directions are cached on their own: the page asks with
      // trends=off first (its first render), then for the whole answer. The trends read the 7
      // days before until as well.
      const table = await cachedRead(
        store,
        `skills ${JSON.stringify([window, filter])}`,
        { from: window.since, until: window.until },
        now,
        () => skillsTable(store, window, filter),
      );
      const span = { from: Math.min(window.since, window.until - 7 * 86_400_000), until: window.until };
      const skills =
        query.trends === 'off'
          ? table.skills
          : await cachedRead(store, `skills+trends ${JSON.stringify([window, filter, Math.floor(now / 3_600_000)])}`, span, now, () =>
              withTrends(store, table.skills, window, now),
            );
      return { since: window.since, until: window.until, sparkline_bucket_ms: table.bucketMs, skills };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/skills/:skill',
    operationId: 'dashboardSkillView',
    summary:
      "One skill over the range: every hour's invocations, completion rate and p95 duration, its anomalies, top error types, trend, dependencies and community baseline",
    access: 'read',
    params: z.strictObject({ skill: nameParam.describe('skill name') }),
    query: z.strictObject(range),
    responses: [
      {
        status: 200,
        description: 'The skill view',
        schema: z.object({
          skill_name: z.string(),
          since: ms,
          until: ms,
          hours: z.array(
            z.object({
              ts: ms,
              invocations: z.number().int(),
              completed: z.number().int(),
              completion_rate: rate,
              p95_duration_seconds: seconds,
            }),
          ),
          anomalies: anomalyListSchema.shape.anomalies,
          top_errors: z.array(z.object({ error_type: z.string(), count: z.number().int() })),
          trend: z.object({ skill: z.string(), direction: z.string(), summary: z.string() }).describe('as GET /v1/skills/{skill}/trend'),
          dependencies: z.array(z.object({ skill: z.string(), partner: z.string(), source: z.string(), lift: z.number() })),
          community_baseline: z
            .object({ skill: z.string(), totalUsers: z.number().int(), completionRate: z.number(), effectivenessPercentile: z.number() })
            .nullable()
            .describe('null when the server has no user-pseudonym secret'),
        }),
      },
      badRequest,
      notFound('skill'),
    ],
    handler: ({ store, params, query, now }) => skillView(store, params.skill, windowOf(query, now), now),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/unused',
    operationId: 'dashboardUnusedSkills',
    summary: 'Skills of the taxonomy or the history never used in the range, and those rarely used (fewer than rare_below invocations)',
    access: 'read',
    query: z.strictObject({
      ...range,
      rare_below: intParam(1, 1_000_000).optional().describe('fewer invocations than this is rarely used (default 5)'),
    }),
    responses: [
      {
        status: 200,
        description: 'Never and rarely used skills',
        schema: z.object({
          since: ms,
          until: ms,
          rare_below: z.number().int(),
          known_skills: z.number().int(),
          never: z.array(
            z.object({
              skill_name: z.string(),
              invocations: z.number().int(),
              last_invoked: ms.nullable(),
              categories: z.array(z.string()),
            }),
          ),
          rarely: z.array(
            z.object({
              skill_name: z.string(),
              invocations: z.number().int(),
              last_invoked: ms.nullable(),
              categories: z.array(z.string()),
            }),
          ),
        }),
      },
      badRequest,
    ],
    handler: ({ store, query, now }) => unusedSkills(store, windowOf(query, now), query.rare_below ?? 5),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/experiments',
    operationId: 'dashboardExperiments',
    summary:
      'Experiments (running ones unless status says otherwise), newest first, each with its analysis as GET /v1/experiments/{experiment}/analysis',
    access: 'read',
    query: z.strictObject({
      status: z
        .enum([...EXPERIMENT_STATUSES, 'all'])
        .optional()
        .describe('default running'),
    }),
    responses: [{ status: 200, description: '{experiments: [{experiment, analysis}]}' }, badRequest],
    handler: ({ store, query, now }) =>
      experimentsWithAnalysis(store, query.status === 'all' ? undefined : (query.status ?? 'running'), now),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/users/:user',
    operationId: 'dashboardUserView',
    summary:
      "A user's recommendations (as GET /v1/users/{user}/recommendations) and their completion rate per skill against the community's",
    access: 'read',
    params: z.strictObject({ user: nameParam.describe('user id') }),
    query: z.strictObject({ limit: intParam(1, 100).optional().describe('recommendations (default 10)') }),
    responses: [
      {
        status: 200,
        description: 'The user view',
        schema: z.object({
          user: z.string(),
          recommendations: z.array(recommendationSchema),
          community: z.array(
            z.object({
              skill: z.string(),
              userRate: z.number(),
              globalRate: z.number().nullable(),
              verdict: z.string(),
              pValue: z.number(),
            }),
          ),
        }),
      },
      badRequest,
    ],
    handler: ({ store, params, query }) => userView(store, params.user, query.limit ?? 10),
  }),
  defineRoute({
    method: 'GET',
    url: '/v1/dashboard/filters',
    operationId: 'dashboardFilters',
    summary: "What the page's filters offer: every recorded skill, every workflow phase, and the busiest users of the range",
    access: 'read',
    query: z.strictObject({ ...range, users: intParam(1, 1000).optional().describe('how many users (default 200)') }),
    responses: [
      {
        status: 200,
        description: 'The filter options',
        schema: z.object({
          skills: z.array(z.string()),
          phases: z.array(z.string()),
          users: z.array(z.object({ user_id: z.string(), invocations: z.number().int() })),
        }),
      },
      badRequest,
    ],
    handler: ({ store, query, now }) => filterOptions(store, windowOf(query, now), query.users ?? 200),
  }),
];
