import type { Store } from '@skills/storage';
import { sql } from 'kysely';
import { emptySums, type MetricSums } from '../sufficient-stats.js';
import type { VariantSums } from '../types.js';

/**
 * Resolution of the stored duration buckets Mann–Whitney ranks on the store path: ln-duration
 * rounded to 0.001 (0.1 %). The outcome writer fills the buckets, the reader divides them back.
 */
export const DURATION_RANK_RESOLUTION = 1000;

interface SumsRow {
  v: string;
  b: number | null;
  pending: number;
  n: number;
  sy: number;
  syy: number;
  nx: number;
  sx: number | null;
  sxx: number | null;
  sxy: number | null;
  syk: number | null;
  dn: number;
  sd: number | null;
  sdd: number | null;
  dnx: number;
  sdx: number | null;
  sdxx: number | null;
  sdxy: number | null;
  sdyk: number | null;
  rn: number;
  sr: number | null;
  srr: number | null;
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
  const [n, sy, syy, nx, sx, sxx, sxy, syk] = values.map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  s.n += n;
  s.sumY += sy;
  s.sumY2 += syy;
  s.nX += nx;
  s.sumX += sx;
  s.sumX2 += sxx;
  s.sumXY += sxy;
  s.sumYWithX += syk;
}

/** Users assigned to each variant of an experiment, outcomes or not. */
export function assignedPerVariant(store: Store, experimentId: string): Promise<{ variant: string; n: number }[]> {
  return store.db
    .selectFrom('ab_test_assignments')
    .select((eb) => ['variant', eb.fn.countAll<number>().as('n')])
    .where('test_id', '=', experimentId)
    .groupBy('variant')
    .execute();
}
