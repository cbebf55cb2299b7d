import { analyzeExperiment, listExperiments, type ExperimentAnalysis } from '@skills/abtest';
import { communityBaselines, compareWithCommunity, recommendSkills, skillDependencies, type CommunityBaseline } from '@skills/collab';
import { hasUserPseudonyms, HOUR_MS, hourlySeries, NotFoundError, sampleQuantile, type Store } from '@skills/storage';
import { listAnomalies, skillTrend } from '@skills/timeseries';
import { sql } from 'kysely';
import type { DashboardWindow } from './dashboard-window.js';

/** One hour of the skill view's charts. */
export interface SkillHour {
  ts: number;
  invocations: number;
  completed: number;
  /** 0–1; null in an hour without invocations. */
  completion_rate: number | null;
  p95_duration_seconds: number | null;
}

/**
 * Everything the skill view shows: hourly volume, completion rate and p95 duration over the range
 * (every hour, zeros included), its anomalies, top error types, the trend, the skills that go with
 * it and its community baseline.
 */
export async function skillView(store: Store, skill: string, window: DashboardWindow, now: number) {
  const known = await store.db.selectFrom('skill_metrics').select('skill_name').where('skill_name', '=', skill).executeTakeFirst();
  if (known === undefined) throw new NotFoundError('skill', skill);
  const points = await hourlySeries(store, skill, { since: window.since, until: window.until, fill: true });
  const durations = await store.db
    .selectFrom('skill_invocation')
    .select(['invoked_at', 'duration_seconds'])
    .where('skill_name', '=', skill)
    .where('invoked_at', '>=', window.since)
    .where('invoked_at', '<', window.until)
    .where('completed', '=', 1)
    .where('duration_seconds', 'is not', null)
    .execute();
  const byHour = new Map<number, number[]>();
  for (const row of durations) {
    const hour = Number(row.invoked_at) - (Number(row.invoked_at) % HOUR_MS);
    (byHour.get(hour) ?? byHour.set(hour, []).get(hour)!).push(Number(row.duration_seconds));
  }
  const hours: SkillHour[] = points.map((point) => ({
    ts: point.ts,
    invocations: point.count,
    completed: point.completed,
    completion_rate: point.count > 0 ? point.completed / point.count : null,
    p95_duration_seconds: sampleQuantile(byHour.get(point.ts) ?? [], 0.95),
  }));

  const errors = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => ['error_type', eb.fn.countAll<number>().as('n')])
    .where('skill_name', '=', skill)
    .where('invoked_at', '>=', window.since)
    .where('invoked_at', '<', window.until)
    .where('error_type', 'is not', null)
    .groupBy('error_type')
    .orderBy('n', 'desc')
    .orderBy('error_type')
    .limit(5)
    .execute();

  const days = Math.min(366, Math.max(7, Math.ceil((window.until - window.since) / (24 * HOUR_MS))));
  const trendUntil = Math.min(now, window.until);
  const skillTrendResult = await skillTrend(store, skill, { metric: 'completion_rate', days, until: trendUntil });
  const anomalies = await listAnomalies(store, { skill, since: window.since, until: window.until, limit: 1000 });
  const dependencies = await skillDependencies(store, skill, { limit: 8, now });
  return {
    skill_name: skill,
    since: window.since,
    until: window.until,
    hours,
    anomalies,
    top_errors: errors.map((row) => ({ error_type: row.error_type!, count: Number(row.n) })),
    trend: { skill, ...skillTrendResult },
    dependencies,
    community_baseline: await baselineOf(store, skill, now),
  };
}

/** The stored community baseline of a skill, recomputed when missing or older than an hour; null without user pseudonyms. */
async function baselineOf(store: Store, skill: string, now: number): Promise<CommunityBaseline | null> {
  if (!hasUserPseudonyms(store)) return null;
  const row = await store.db.selectFrom('skill_community_baselines').selectAll().where('skill_name', '=', skill).executeTakeFirst();
  if (row !== undefined && now - Number(row.updated_at) <= HOUR_MS) {
    return {
      skill,
      totalUsers: Number(row.total_users),
      totalInvocations: Number(row.total_invocations),
      completionRate: row.global_completion_rate,
      avgDurationSeconds: row.global_avg_duration_seconds,
      mostCommonPhase: row.most_common_workflow_phase,
      effectivenessPercentile: row.effectiveness_percentile,
      updatedAt: Number(row.updated_at),
    };
  }
  return (await communityBaselines(store, { now })).find((baseline) => baseline.skill === skill) ?? null;
}

export interface UnusedSkill {
  skill_name: string;
  /** Invocations in the range (0 for never used in it). */
  invocations: number;
  /** Last invocation ever; null when the skill was never invoked (known only from the taxonomy). */
  last_invoked: number | null;
  /** Taxonomy categories of the skill. */
  categories: string[];
}

/**
 * Skills of the taxonomy or the history with no invocation in the range (`never`), and those with
 * fewer than `rareBelow` (`rarely`, fewest first): candidates to remove from an agent's context.
 */
export async function unusedSkills(store: Store, window: DashboardWindow, rareBelow: number) {
  const mappings = await store.db.selectFrom('skill_category_mapping').select(['skill_name', 'category_name']).execute();
  const modalities = await store.db.selectFrom('skill_modalities').select('skill_name').execute();
  const history = await store.db.selectFrom('skill_metrics').select(['skill_name', 'last_invoked']).execute();
  const counts = await store.db
    .selectFrom('skill_time_series')
    .select((eb) => ['skill_name', eb.fn.sum<number>('invocation_count').as('n')])
    .where('hour_start', '>=', window.since)
    .where('hour_start', '<', window.until)
    .groupBy('skill_name')
    .execute();
  const categories = new Map<string, string[]>();
  for (const row of mappings)
    (categories.get(row.skill_name) ?? categories.set(row.skill_name, []).get(row.skill_name)!).push(row.category_name);
  const last = new Map(history.map((row) => [row.skill_name, Number(row.last_invoked)]));
  const inRange = new Map(counts.map((row) => [row.skill_name, Number(row.n)]));
  const known = new Set([...categories.keys(), ...modalities.map((row) => row.skill_name), ...last.keys()]);
  const rows: UnusedSkill[] = [...known].sort().map((skill) => ({
    skill_name: skill,
    invocations: inRange.get(skill) ?? 0,
    last_invoked: last.get(skill) ?? null,
    categories: (categories.get(skill) ?? []).sort(),
  }));
  return {
    since: window.since,
    until: window.until,
    rare_below: rareBelow,
    known_skills: known.size,
    never: rows.filter((row) => row.invocations === 0),
    rarely: rows
      .filter((row) => row.invocations > 0 && row.invocations < rareBelow)
      .sort((a, b) => a.invocations - b.invocations || (a.skill_name < b.skill_name ? -1 : 1)),
  };
}

/** Experiments (running ones by default, newest first), each with its analysis. */
export async function experimentsWithAnalysis(store: Store, status: 'running' | 'stopped' | 'completed' | undefined, now: number) {
  const experiments = await listExperiments(store, status === undefined ? {} : { status });
  const result: { experiment: (typeof experiments)[number]; analysis: ExperimentAnalysis }[] = [];
  for (const experiment of experiments) result.push({ experiment, analysis: await analyzeExperiment(store, experiment.id, { now }) });
  return { experiments: result };
}

/** A user's recommendations and how the user's completion rates compare with everyone else's. */
export async function userView(store: Store, user: string, limit: number) {
  return {
    user,
    recommendations: await recommendSkills(store, user, { limit }),
    community: await compareWithCommunity(store, user),
  };
}

/** What the page's filters offer: known skills, workflow phases, and the busiest users of the range. */
export async function filterOptions(store: Store, window: DashboardWindow, userLimit: number) {
  const metrics = await store.db.selectFrom('skill_metrics').select(['skill_name', 'workflow_phases']).orderBy('skill_name').execute();
  const phases = new Set<string>();
  for (const row of metrics) for (const phase of Object.keys(JSON.parse(row.workflow_phases || '{}') as object)) phases.add(phase);
  const users = await store.db
    .selectFrom('skill_invocation')
    .select((eb) => ['user_id', eb.fn.countAll<number>().as('n')])
    .where('invoked_at', '>=', window.since)
    .where('invoked_at', '<', window.until)
    .where('user_id', 'is not', null)
    .groupBy('user_id')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('user_id')
    .limit(userLimit)
    .execute();
  return {
    skills: metrics.map((row) => row.skill_name),
    phases: [...phases].sort(),
    users: users.map((row) => ({ user_id: row.user_id!, invocations: Number(row.n) })),
  };
}
