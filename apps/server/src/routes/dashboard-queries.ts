import { durationQuantile, HOUR_MS, sampleQuantile, topSkills, type Store } from '@skills/storage';
import { trend, type TrendDirection } from '@skills/timeseries';
import { sql } from 'kysely';
import { needsRawRows, sparklineBucketMs, type DashboardFilter, type DashboardWindow } from './dashboard-window.js';

/** Exact p95 from the invocations up to this many timed completions; above, from the rollups' histograms (as topSkills). */
const EXACT_P95_MAX = 2000;

export interface RangeTotals {
  invocations: number;
  completed: number;
  /** 0–1; null without invocations. */
  completion_rate: number | null;
  p95_duration_seconds: number | null;
  /** Distinct sessions with an invocation in the range. */
  active_sessions: number;
  /** Anomalies whose hour lies in the range, and of those the ones still open. */
  anomalies: number;
  open_anomalies: number;
}

function rawRows(store: Store, window: { since: number; until: number }, filter: DashboardFilter) {
  let query = store.db.selectFrom('skill_invocation').where('invoked_at', '>=', window.since).where('invoked_at', '<', window.until);
  if (filter.skill !== undefined) query = query.where('skill_name', '=', filter.skill);
  if (filter.phase !== undefined) query = query.where('workflow_phase', '=', filter.phase);
  if (filter.user !== undefined) query = query.where('user_id', '=', filter.user);
  return query;
}

/** Totals of one range: counts from the rollups unless a phase or user filter needs the invocations. */
export async function rangeTotals(store: Store, window: { since: number; until: number }, filter: DashboardFilter): Promise<RangeTotals> {
  let invocations: number;
  let completed: number;
  let timed: number;
  if (needsRawRows(filter)) {
    const row = await rawRows(store, window, filter)
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('completed').as('completed'),
        sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`.as('timed'),
      ])
      .executeTakeFirstOrThrow();
    [invocations, completed, timed] = [Number(row.n), Number(row.completed ?? 0), Number(row.timed ?? 0)];
  } else {
    let query = store.db
      .selectFrom('skill_time_series')
      .select((eb) => [
        eb.fn.sum<number>('invocation_count').as('n'),
        eb.fn.sum<number>('completed_count').as('completed'),
        eb.fn.sum<number>('duration_count').as('timed'),
      ])
      .where('hour_start', '>=', window.since)
      .where('hour_start', '<', window.until);
    if (filter.skill !== undefined) query = query.where('skill_name', '=', filter.skill);
    const row = await query.executeTakeFirstOrThrow();
    [invocations, completed, timed] = [Number(row.n ?? 0), Number(row.completed ?? 0), Number(row.timed ?? 0)];
  }

  let p95: number | null = null;
  if (timed > 0 && (timed <= EXACT_P95_MAX || needsRawRows(filter))) {
    const rows = await rawRows(store, window, filter)
      .select('duration_seconds')
      .where('completed', '=', 1)
      .where('duration_seconds', 'is not', null)
      .execute();
    p95 = sampleQuantile(
      rows.map((row) => Number(row.duration_seconds)),
      0.95,
    );
  } else if (timed > 0) {
    let query = store.db
      .selectFrom('skill_time_series')
      .select('duration_histogram')
      .where('hour_start', '>=', window.since)
      .where('hour_start', '<', window.until)
      .where('duration_count', '>', 0);
    if (filter.skill !== undefined) query = query.where('skill_name', '=', filter.skill);
    p95 = durationQuantile(
      (await query.execute()).map((row) => row.duration_histogram),
      0.95,
    );
  }

  const sessions = await rawRows(store, window, filter).select(sql<number>`count(distinct session_id)`.as('n')).executeTakeFirstOrThrow();

  let anomalyQuery = store.db
    .selectFrom('skill_anomalies')
    .select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`sum(case when resolved_at is null then 1 else 0 end)`.as('open')])
    .where('bucket_start', '>=', window.since)
    .where('bucket_start', '<', window.until);
  if (filter.skill !== undefined) anomalyQuery = anomalyQuery.where('skill_name', '=', filter.skill);
  const anomalies = await anomalyQuery.executeTakeFirstOrThrow();

  return {
    invocations,
    completed,
    completion_rate: invocations > 0 ? completed / invocations : null,
    p95_duration_seconds: p95,
    active_sessions: Number(sessions.n),
    anomalies: Number(anomalies.n),
    open_anomalies: Number(anomalies.open ?? 0),
  };
}

export interface SkillRow {
  skill_name: string;
  invocations: number;
  completed: number;
  completion_rate: number;
  /** Invocations that did not complete (failed or abandoned). */
  errors: number;
  avg_duration_seconds: number | null;
  p95_duration_seconds: number | null;
  /** Of the skill's completion rate over the 7 days before `until` (Mann–Kendall, as GET /v1/skills/{skill}/trend); null when not asked for. */
  trend: TrendDirection | null;
  /** Invocations per `sparkline_bucket_ms` from `since`, oldest first. */
  sparkline: number[];
}

/** Every skill with invocations in the range, busiest first (trend null: see withTrends). */
export async function skillsTable(
  store: Store,
  window: DashboardWindow,
  filter: DashboardFilter,
): Promise<{ bucketMs: number; skills: SkillRow[] }> {
  const bucketMs = sparklineBucketMs(window);
  const points = Math.ceil((window.until - window.since) / bucketMs);
  const base = needsRawRows(filter)
    ? await rawSkillTotals(store, window, filter)
    : await topSkills(store, {
        since: window.since,
        until: window.until,
        limit: 1000,
        ...(filter.skill === undefined ? {} : { skills: [filter.skill] }),
      });
  if (base.length === 0) return { bucketMs, skills: [] };
  const names = base.map((row) => row.skill_name);

  const sparklines = new Map<string, number[]>(names.map((name) => [name, new Array<number>(points).fill(0)]));
  const bucketRows = needsRawRows(filter)
    ? await rawRows(store, window, filter)
        .select((eb) => [
          'skill_name',
          sql<number>`invoked_at - ((invoked_at - ${sql.lit(window.since)}) % ${sql.lit(bucketMs)})`.as('bucket'),
          eb.fn.countAll<number>().as('n'),
        ])
        .groupBy(['skill_name', sql`invoked_at - ((invoked_at - ${sql.lit(window.since)}) % ${sql.lit(bucketMs)})`])
        .execute()
    : await store.db
        .selectFrom('skill_time_series')
        .select(['skill_name', 'hour_start as bucket', 'invocation_count as n'])
        .where('hour_start', '>=', window.since)
        .where('hour_start', '<', window.until)
        .where('skill_name', 'in', names)
        .execute();
  for (const row of bucketRows) {
    const index = Math.floor((Number(row.bucket) - window.since) / bucketMs);
    const line = sparklines.get(row.skill_name);
    if (line !== undefined && index >= 0 && index < points) line[index]! += Number(row.n);
  }

  return {
    bucketMs,
    skills: base.map((row) => ({
      ...row,
      errors: row.invocations - row.completed,
      trend: null,
      sparkline: sparklines.get(row.skill_name)!,
    })),
  };
}

/** The table's rows with their trend directions (read from the rollups of the 7 days before until). */
export async function withTrends(store: Store, rows: SkillRow[], window: DashboardWindow, now: number): Promise<SkillRow[]> {
  if (rows.length === 0) return rows;
  const trends = await completionTrends(
    store,
    rows.map((row) => row.skill_name),
    Math.min(now, window.until),
  );
  return rows.map((row) => ({ ...row, trend: trends.get(row.skill_name) ?? 'insufficient_data' }));
}

/** topSkills' figures computed from the invocations themselves, for a phase or user filter. */
async function rawSkillTotals(store: Store, window: { since: number; until: number }, filter: DashboardFilter) {
  const rows = await rawRows(store, window, filter)
    .select((eb) => [
      'skill_name',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('completed').as('completed'),
      sql<number>`sum(case when completed = 1 then duration_seconds end)`.as('duration_sum'),
      sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`.as('timed'),
    ])
    .groupBy('skill_name')
    .orderBy('n', 'desc')
    .orderBy('skill_name')
    .limit(1000)
    .execute();
  const durations = await rawRows(store, window, filter)
    .select(['skill_name', 'duration_seconds'])
    .where('completed', '=', 1)
    .where('duration_seconds', 'is not', null)
    .execute();
  const bySkill = new Map<string, number[]>();
  for (const row of durations)
    (bySkill.get(row.skill_name) ?? bySkill.set(row.skill_name, []).get(row.skill_name)!).push(Number(row.duration_seconds));
  return rows.map((row) => {
    const invocations = Number(row.n);
    const completed = Number(row.completed ?? 0);
    const timed = Number(row.timed ?? 0);
    return {
      skill_name: row.skill_name,
      invocations,
      completed,
      completion_rate: completed / invocations,
      avg_duration_seconds: timed > 0 ? Number(row.duration_sum) / timed : null,
      p95_duration_seconds: sampleQuantile(bySkill.get(row.skill_name) ?? [], 0.95),
    };
  });
}

/** Completion-rate trend direction of each skill over the 7 days before `until`, from one read of the rollups. */
async function completionTrends(store: Store, skills: string[], until: number): Promise<Map<string, TrendDirection>> {
  const end = until - (until % HOUR_MS);
  const since = end - 7 * 24 * HOUR_MS;
  const rows = await store.db
    .selectFrom('skill_time_series')
    // Only columns of the covering index (skill_name, hour_start, counts, duration sums).
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'duration_sum', 'duration_count'])
    .where('skill_name', 'in', skills)
    .where('hour_start', '>=', since)
    .where('hour_start', '<', end)
    .orderBy('skill_name')
    .orderBy('hour_start')
    .execute();
  const firsts = await store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'first_invoked'])
    .where('skill_name', 'in', skills)
    .execute();
  const olderThanWindow = new Set(firsts.filter((row) => Number(row.first_invoked) < since).map((row) => row.skill_name));
  const series = new Map<string, { ts: number; count: number; completed: number; avgDuration: number | null; durationCount: number }[]>();
  for (const row of rows) {
    const list = series.get(row.skill_name) ?? series.set(row.skill_name, []).get(row.skill_name)!;
    const timed = Number(row.duration_count);
    list.push({
      ts: Number(row.hour_start),
      count: Number(row.invocation_count),
      completed: Number(row.completed_count),
      avgDuration: timed > 0 ? Number(row.duration_sum) / timed : null,
      durationCount: timed,
    });
  }
  const result = new Map<string, TrendDirection>();
  for (const skill of skills) {
    const list = series.get(skill) ?? [];
    // As skillTrend: a skill older than the window has the whole window observed.
    if (olderThanWindow.has(skill) && list[0]?.ts !== since)
      list.unshift({ ts: since, count: 0, completed: 0, avgDuration: null, durationCount: 0 });
    result.set(skill, list.length === 0 ? 'insufficient_data' : trend(list, 'completion_rate', { days: 7, until: end }).direction);
  }
  return result;
}

/** Current against previous: relative change for counts and durations (null from 0), difference for the rate. */
export function changeOf(current: RangeTotals, previous: RangeTotals) {
  const relative = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b - 1);
  return {
    invocations: relative(current.invocations, previous.invocations),
    completion_rate:
      current.completion_rate === null || previous.completion_rate === null ? null : current.completion_rate - previous.completion_rate,
    p95_duration_seconds: relative(current.p95_duration_seconds, previous.p95_duration_seconds),
    active_sessions: relative(current.active_sessions, previous.active_sessions),
    open_anomalies: current.open_anomalies - previous.open_anomalies,
  };
}

/** Invocations and completions of the whole range per sparkline bucket, oldest first (every bucket). */
export async function rangeSeries(store: Store, window: DashboardWindow, filter: DashboardFilter) {
  const bucketMs = sparklineBucketMs(window);
  const count = Math.ceil((window.until - window.since) / bucketMs);
  const points = Array.from({ length: count }, (_, i) => ({ ts: window.since + i * bucketMs, invocations: 0, completed: 0 }));
  const rows = needsRawRows(filter)
    ? await rawRows(store, window, filter)
        .select((eb) => [
          sql<number>`invoked_at - ((invoked_at - ${sql.lit(window.since)}) % ${sql.lit(bucketMs)})`.as('bucket'),
          eb.fn.countAll<number>().as('n'),
          eb.fn.sum<number>('completed').as('completed'),
        ])
        .groupBy(sql`invoked_at - ((invoked_at - ${sql.lit(window.since)}) % ${sql.lit(bucketMs)})`)
        .execute()
    : await (() => {
        let query = store.db
          .selectFrom('skill_time_series')
          .select((eb) => [
            'hour_start as bucket',
            eb.fn.sum<number>('invocation_count').as('n'),
            eb.fn.sum<number>('completed_count').as('completed'),
          ])
          .where('hour_start', '>=', window.since)
          .where('hour_start', '<', window.until)
          .groupBy('hour_start');
        if (filter.skill !== undefined) query = query.where('skill_name', '=', filter.skill);
        return query.execute();
      })();
  for (const row of rows) {
    const point = points[Math.floor((Number(row.bucket) - window.since) / bucketMs)];
    if (point === undefined) continue;
    point.invocations += Number(row.n);
    point.completed += Number(row.completed ?? 0);
  }
  return { bucket_ms: bucketMs, points };
}
