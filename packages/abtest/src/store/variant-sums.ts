import type { Store } from '@skills/storage';
import { sql } from 'kysely';
import type { MetricName } from './experiment.js';
import { emptySums, sumsOf, type MetricSums } from './sufficient-stats.js';

/** Per-user values of one variant, as typed arrays (one entry per user with outcomes). */
export interface VariantUsers {
  variant: string;
  /** Users assigned, with or without outcomes (the SRM check counts these). */
  assigned: number;
  /** Per user: completions / outcomes. */
  completionRate: Float64Array;
  /** Per user: mean ln(duration_seconds) over outcomes with a duration > 0; NaN when none. */
  meanLogDuration: Float64Array;
  /** Per user: mean rating; NaN when none. */
  meanRating: Float64Array;
  /** Pre-exposure completion rate; NaN when the user had no invocations before assignment. */
  preCompletionRate: Float64Array;
  /** Pre-exposure mean ln(duration); NaN when unknown. */
  preMeanLogDuration: Float64Array;
}

/** What an analysis needs of one variant: sums per metric and the distribution of durations. */
export interface VariantSums {
  variant: string;
  assigned: number;
  metrics: Record<MetricName, MetricSums>;
  /** Per-user mean ln(duration) → number of users with it (for Mann–Whitney ranks). */
  durationCounts: Map<number, number>;
  /** Users with outcomes whose pre-exposure covariate is not computed yet. */
  pendingCovariates: number;
}

/** Store path resolution of durations for Mann–Whitney: ln-duration rounded to 0.001 (0.1 %). */
export const DURATION_RANK_RESOLUTION = 1000;

/**
 * Fills the CUPED covariate of every user of the experiment that lacks it: ONE grouped pass over
 * skill_invocation joined to the experiment's user rows on user_id, counting only invocations
 * before each user's assigned_at. There is no index on skill_invocation.user_id, so the join is
 * written with the invocations first (SQLite keeps FROM order for CROSS JOIN and probes the user
 * rows' primary key; PostgreSQL hash-joins). Users without history get zeros and every filled row
 * gets `pre_computed_at`, so later analyses never rescan. Returns the number of users filled.
 */
export async function fillPreExposureStats(store: Store, experimentId: string, now = Date.now()): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    const pending = await trx
      .selectFrom('ab_test_user_stats')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('test_id', '=', experimentId)
      .where('pre_computed_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(pending.n) === 0) return 0;
    await sql`
      UPDATE ab_test_user_stats
      SET pre_invocations = s.n, pre_completions = s.c, pre_duration_count = s.dc,
          pre_log_duration_sum = s.ls, pre_computed_at = ${now},
          pre_rate = CAST(s.c AS DOUBLE PRECISION) / s.n,
          pre_mean_log_duration = CASE WHEN s.dc > 0 THEN s.ls / s.dc END
      FROM (
        SELECT u.user_id AS user_id, COUNT(*) AS n, SUM(i.completed) AS c,
               SUM(CASE WHEN i.duration_seconds > 0 THEN 1 ELSE 0 END) AS dc,
               SUM(CASE WHEN i.duration_seconds > 0 THEN ln(i.duration_seconds) ELSE 0 END) AS ls
        FROM skill_invocation i CROSS JOIN ab_test_user_stats u
        WHERE u.test_id = ${experimentId} AND u.pre_computed_at IS NULL
          AND u.user_id = i.user_id AND i.invoked_at < u.assigned_at
        GROUP BY u.user_id
      ) s
      WHERE ab_test_user_stats.test_id = ${experimentId}
        AND ab_test_user_stats.user_id = s.user_id
        AND ab_test_user_stats.pre_computed_at IS NULL`.execute(trx);
    await trx
      .updateTable('ab_test_user_stats')
      .set({ pre_invocations: 0, pre_completions: 0, pre_duration_count: 0, pre_log_duration_sum: 0, pre_computed_at: now })
      .where('test_id', '=', experimentId)
      .where('pre_computed_at', 'is', null)
      .execute();
    return Number(pending.n);
  });
}

interface SumsRow {
  v: string; b: number | null; pending: number;
  n: number; sy: number; syy: number; nx: number; sx: number | null; sxx: number | null; sxy: number | null; syk: number | null;
  dn: number; sd: number | null; sdd: number | null; dnx: number; sdx: number | null; sdxx: number | null; sdxy: number | null; sdyk: number | null;
  rn: number; sr: number | null; srr: number | null;
}

/**
 * One scan of the experiment's user rows adding up the per-user values the writers keep current:
 * the sums of every metric with its covariate; the duration distribution for Mann–Whitney from
 * the (test_id, variant, duration_bucket) index; and the assigned users per variant for the SRM
 * check. The cost grows with users, not outcomes.
 */
export async function loadVariantSums(store: Store, experimentId: string, variantNames: readonly string[]): Promise<VariantSums[]> {
  const scale = DURATION_RANK_RESOLUTION;
  const [counts, groups, buckets] = await Promise.all([
    assignedPerVariant(store, experimentId),
    // Plain sums of the per-user values the writers keep current (user_rate, mean_log_duration, …);
    // dx is the duration covariate of users who have a duration.
    sql<SumsRow>`
      SELECT variant AS v, NULL AS b, SUM(CASE WHEN pre_computed_at IS NULL THEN 1 ELSE 0 END) AS pending,
        COUNT(*) AS n, SUM(user_rate) AS sy, SUM(user_rate * user_rate) AS syy,
        COUNT(pre_rate) AS nx, SUM(pre_rate) AS sx, SUM(pre_rate * pre_rate) AS sxx,
        SUM(pre_rate * user_rate) AS sxy, SUM(CASE WHEN pre_rate IS NOT NULL THEN user_rate END) AS syk,
        COUNT(mean_log_duration) AS dn, SUM(mean_log_duration) AS sd, SUM(mean_log_duration * mean_log_duration) AS sdd,
        COUNT(pre_mean_log_duration * mean_log_duration) AS dnx,
        SUM(CASE WHEN mean_log_duration IS NOT NULL THEN pre_mean_log_duration END) AS sdx,
        SUM(CASE WHEN mean_log_duration IS NOT NULL THEN pre_mean_log_duration * pre_mean_log_duration END) AS sdxx,
        SUM(pre_mean_log_duration * mean_log_duration) AS sdxy,
        SUM(CASE WHEN pre_mean_log_duration IS NOT NULL THEN mean_log_duration END) AS sdyk,
        COUNT(mean_rating) AS rn, SUM(mean_rating) AS sr, SUM(mean_rating * mean_rating) AS srr
      FROM ab_test_user_stats
      WHERE test_id = ${experimentId}
      GROUP BY variant`.execute(store.db),
    store.db
      .selectFrom('ab_test_user_stats')
      .select((eb) => ['variant', 'duration_bucket', eb.fn.countAll<number>().as('n')])
      .where('test_id', '=', experimentId)
      .where('duration_bucket', 'is not', null)
      .groupBy(['variant', 'duration_bucket'])
      .execute(),
  ]);
  const byName = new Map<string, VariantSums>(
    variantNames.map((variant) => [
      variant,
      {
        variant,
        assigned: 0,
        metrics: { completion_rate: emptySums(), duration: emptySums(), rating: emptySums() },
        durationCounts: new Map(),
        pendingCovariates: 0,
      },
    ]),
  );
  for (const count of counts) {
    const v = byName.get(count.variant);
    if (v) v.assigned = Number(count.n);
  }
  for (const g of groups.rows) {
    const v = byName.get(g.v);
    if (!v) continue;
    v.pendingCovariates += Number(g.pending);
    add(v.metrics.completion_rate, g.n, g.sy, g.syy, g.nx, g.sx, g.sxx, g.sxy, g.syk);
    add(v.metrics.duration, g.dn, g.sd, g.sdd, g.dnx, g.sdx, g.sdxx, g.sdxy, g.sdyk);
    add(v.metrics.rating, g.rn, g.sr, g.srr, 0, 0, 0, 0, 0);
  }
  for (const bucket of buckets) {
    const v = byName.get(bucket.variant);
    if (!v || bucket.duration_bucket === null) continue;
    const value = Number(bucket.duration_bucket) / scale;
    v.durationCounts.set(value, (v.durationCounts.get(value) ?? 0) + Number(bucket.n));
  }
  return variantNames.map((name) => byName.get(name)!);
}

function add(s: MetricSums, ...values: (number | null)[]): void {
  const [n, sy, syy, nx, sx, sxx, sxy, syk] = values.map((x) => Number(x ?? 0)) as [number, number, number, number, number, number, number, number];
  s.n += n;
  s.sumY += sy;
  s.sumY2 += syy;
  s.nX += nx;
  s.sumX += sx;
  s.sumX2 += sxx;
  s.sumXY += sxy;
  s.sumYWithX += syk;
}

/** Sums of per-user arrays (exact duration values for Mann–Whitney): the pure path's equivalent of `loadVariantSums`. */
export function variantSumsOf(users: VariantUsers): VariantSums {
  const durationCounts = new Map<number, number>();
  for (const d of users.meanLogDuration) if (!Number.isNaN(d)) durationCounts.set(d, (durationCounts.get(d) ?? 0) + 1);
  return {
    variant: users.variant,
    assigned: users.assigned,
    metrics: {
      completion_rate: sumsOf(users.completionRate, users.preCompletionRate),
      duration: sumsOf(users.meanLogDuration, users.preMeanLogDuration),
      rating: sumsOf(users.meanRating, null),
    },
    durationCounts,
    pendingCovariates: 0,
  };
}

/** Users assigned to each variant of an experiment, outcomes or not. */
function assignedPerVariant(store: Store, experimentId: string): Promise<{ variant: string; n: number }[]> {
  return store.db
    .selectFrom('ab_test_assignments')
    .select((eb) => ['variant', eb.fn.countAll<number>().as('n')])
    .where('test_id', '=', experimentId)
    .groupBy('variant')
    .execute();
}

/** One row per user with outcomes, as typed arrays: for notebooks and for checking the SQL sums. */
export async function loadVariantUsers(store: Store, experimentId: string, variantNames: readonly string[]): Promise<VariantUsers[]> {
  const [counts, rows] = await Promise.all([
    assignedPerVariant(store, experimentId),
    store.db
      .selectFrom('ab_test_user_stats')
      .select([
        'variant', 'outcomes', 'completions', 'duration_count', 'log_duration_sum', 'rating_count', 'rating_sum',
        'pre_invocations', 'pre_completions', 'pre_duration_count', 'pre_log_duration_sum',
      ])
      .where('test_id', '=', experimentId)
      .orderBy('user_id')
      .execute(),
  ]);
  return variantNames.map((variant) => {
    const mine = rows.filter((r) => r.variant === variant);
    const n = mine.length;
    const users: VariantUsers = {
      variant,
      assigned: Number(counts.find((c) => c.variant === variant)?.n ?? 0),
      completionRate: new Float64Array(n),
      meanLogDuration: new Float64Array(n),
      meanRating: new Float64Array(n),
      preCompletionRate: new Float64Array(n),
      preMeanLogDuration: new Float64Array(n),
    };
    mine.forEach((row, k) => {
      users.completionRate[k] = row.completions / row.outcomes;
      users.meanLogDuration[k] = row.duration_count > 0 ? row.log_duration_sum / row.duration_count : Number.NaN;
      users.meanRating[k] = row.rating_count > 0 ? row.rating_sum / row.rating_count : Number.NaN;
      users.preCompletionRate[k] = row.pre_invocations ? row.pre_completions! / row.pre_invocations : Number.NaN;
      users.preMeanLogDuration[k] =
        row.duration_count > 0 && row.pre_duration_count ? row.pre_log_duration_sum! / row.pre_duration_count : Number.NaN;
    });
    return users;
  });
}
