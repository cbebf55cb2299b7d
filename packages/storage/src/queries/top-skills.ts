import { sql } from 'kysely';
import { ValidationError } from '../errors.js';
import { addToHistogram, parseHistogram, quantileFromHistogram, sampleQuantile } from '../rollups/duration-histogram.js';
import { internals, type Store } from '../store.js';
import { checkLimit, hourWindow } from './time-window.js';

/**
 * The sort keys of `topSkills` (descending; ties by skill name), for the CLI's `--order-by`, the
 * server's `order_by` and the MCP tools to offer and check.
 * @example TOP_SKILLS_ORDERS.includes('p95_duration') // true
 */
export const TOP_SKILLS_ORDERS = ['invocations', 'completion_rate', 'avg_duration', 'p95_duration'] as const;
export type TopSkillsOrder = (typeof TOP_SKILLS_ORDERS)[number];

export interface TopSkillsOptions {
  /** Start of the window, epoch ms (default: 24 h before `until`); rounded down to the hour. */
  since?: number;
  /** End of the window, epoch ms (default: now); rounded up to the hour. */
  until?: number;
  /** 1–1000, default 10. */
  limit?: number;
  /** Sort key, descending (default 'invocations'); ties by skill name. */
  orderBy?: TopSkillsOrder;
  /** Only these skills (those without invocations in the window are left out). */
  skills?: readonly string[];
}

export interface TopSkill {
  skill_name: string;
  invocations: number;
  completed: number;
  /** Fraction 0–1. */
  completion_rate: number;
  /** Over completed invocations with a known duration; null when none. */
  avg_duration_seconds: number | null;
  /**
   * Exact (linear interpolation between the two nearest durations) when the window holds at most
   * 2,000 timed completions of the skill, so it always lies between the shortest and the longest
   * observed; above that estimated from the log-bucketed hourly histograms (at most one 19% bucket
   * off). Null when no duration is known.
   */
  p95_duration_seconds: number | null;
}

/**
 * The busiest (or best, or slowest) skills in a window, served from the hourly rollups.
 * @example await topSkills(store, { since: Date.now() - 86_400_000, limit: 5 })
 */
export async function topSkills(store: Store, options: TopSkillsOptions = {}): Promise<TopSkill[]> {
  const orderBy = options.orderBy ?? 'invocations';
  if (!TOP_SKILLS_ORDERS.includes(orderBy)) {
    throw new ValidationError([{ index: -1, field: 'orderBy', message: `expected one of ${TOP_SKILLS_ORDERS.join(', ')}` }]);
  }
  const limit = checkLimit(options.limit, 10, 1000);
  const window = hourWindow(options.since, options.until, 86_400_000, Date.now());

  let query = store.db
    .selectFrom('skill_time_series')
    .select((eb) => [
      'skill_name',
      eb.fn.sum<number>('invocation_count').as('invocations'),
      eb.fn.sum<number>('completed_count').as('completed'),
      eb.fn.sum<number>('duration_sum').as('duration_sum'),
      eb.fn.sum<number>('duration_count').as('duration_count'),
    ])
    // Phrased per known skill so both databases seek each skill's hours in the covering index
    // instead of collecting every row of the window and grouping it afterwards.
    .where('skill_name', 'in', (eb) => eb.selectFrom('skill_metrics').select('skill_metrics.skill_name'))
    .where('hour_start', '>=', window.since)
    .where('hour_start', '<', window.until)
    .groupBy('skill_name');
  if (options.skills !== undefined) {
    if (options.skills.length === 0) return [];
    query = query.where('skill_name', 'in', [...options.skills]);
  }
  if (orderBy === 'invocations') query = query.orderBy('invocations', 'desc');
  if (orderBy === 'completion_rate') {
    query = query.orderBy(sql`cast(sum(completed_count) as double precision) / sum(invocation_count)`, 'desc');
  }
  if (orderBy === 'avg_duration') {
    query = query.orderBy(sql`case when sum(duration_count) > 0 then sum(duration_sum) / sum(duration_count) else -1 end`, 'desc');
  }
  query = query.orderBy('skill_name');
  if (orderBy !== 'p95_duration') query = query.limit(limit);
  const rows = await query.execute();
  if (rows.length === 0) return [];

  const p95 = await p95BySkill(
    store,
    rows.map((row) => ({ skill: row.skill_name, timed: Number(row.duration_count) })),
    window,
  );
  const skills: TopSkill[] = rows.map((row) => {
    const invocations = Number(row.invocations);
    const completed = Number(row.completed);
    const durationCount = Number(row.duration_count);
    return {
      skill_name: row.skill_name,
      invocations,
      completed,
      completion_rate: completed / invocations,
      avg_duration_seconds: durationCount > 0 ? Number(row.duration_sum) / durationCount : null,
      p95_duration_seconds: p95.get(row.skill_name) ?? null,
    };
  });
  if (orderBy !== 'p95_duration') return skills;
  return skills
    .sort((a, b) => (b.p95_duration_seconds ?? -1) - (a.p95_duration_seconds ?? -1) || (a.skill_name < b.skill_name ? -1 : 1))
    .slice(0, limit);
}

/** Up to this many timed completions of a skill in the window, its p95 is computed from the invocations themselves. */
const EXACT_P95_MAX = 2000;

async function p95BySkill(
  store: Store,
  skills: { skill: string; timed: number }[],
  window: { since: number; until: number },
): Promise<Map<string, number | null>> {
  const exact = skills.filter((s) => s.timed > 0 && s.timed <= EXACT_P95_MAX).map((s) => s.skill);
  const estimated = skills.filter((s) => s.timed > EXACT_P95_MAX).map((s) => s.skill);
  const result = new Map<string, number | null>();
  if (exact.length > 0) {
    // The same hour-aligned window as the rollups' counts, read from the index that carries the
    // columns (schema 0012). Each skill's durations come as one JSON array (both databases write
    // doubles that read back exactly): at a third of a million durations (the dashboard's last
    // day of 10 M invocations) that is about a quarter of the time of a row object for each.
    const aggregate = internals(store).driver.kind === 'sqlite' ? sql`json_group_array` : sql`json_agg`;
    const rows = await store.db
      .selectFrom('skill_invocation')
      .select(['skill_name', sql<string | number[]>`${aggregate}(duration_seconds)`.as('durations')])
      .where('skill_name', 'in', exact)
      .where('invoked_at', '>=', window.since)
      .where('invoked_at', '<', window.until)
      .where('completed', '=', 1)
      .where('duration_seconds', 'is not', null)
      .groupBy('skill_name')
      .execute();
    for (const row of rows) {
      const durations = typeof row.durations === 'string' ? (JSON.parse(row.durations) as number[]) : row.durations;
      result.set(row.skill_name, sampleQuantile(Float64Array.from(durations), 0.95));
    }
  }
  if (estimated.length === 0) return result;
  const rows = await store.db
    .selectFrom('skill_time_series')
    .select(['skill_name', 'duration_histogram'])
    .where('skill_name', 'in', estimated)
    .where('hour_start', '>=', window.since)
    .where('hour_start', '<', window.until)
    .where('duration_count', '>', 0)
    .execute();
  const merged = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const histogram = merged.get(row.skill_name) ?? new Map<number, number>();
    addToHistogram(histogram, parseHistogram(row.duration_histogram));
    merged.set(row.skill_name, histogram);
  }
  for (const [skill, histogram] of merged) result.set(skill, quantileFromHistogram(histogram, 0.95));
  return result;
}
