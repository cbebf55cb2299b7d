import { sql, type Kysely } from 'kysely';
import { dialectOf, type SchemaDialect } from './dialect.js';

/** The six views of V4, over its tables and skill_metrics. */
export async function createAnalyticsViews(db: Kysely<any>): Promise<void> {
  await db.schema.createView('v_realtime_skill_dashboard').as(realtimeDashboard).execute();
  await db.schema.createView('v_skill_effectiveness_trend').as(effectivenessTrend).execute();
  await db.schema.createView('v_community_baseline_comparison').as(communityBaselineComparison).execute();
  await db.schema.createView('v_skill_dependency_network').as(dependencyNetwork).execute();
  await db.schema
    .createView('v_ab_test_summary')
    .as(abTestSummary(dialectOf(db)))
    .execute();
  await db.schema.createView('v_multimodal_skill_catalog').as(multimodalCatalog).execute();
}

export async function dropAnalyticsViews(db: Kysely<any>): Promise<void> {
  for (const view of V4_VIEWS) await db.schema.dropView(view).execute();
}

const V4_VIEWS = [
  'v_multimodal_skill_catalog',
  'v_ab_test_summary',
  'v_skill_dependency_network',
  'v_community_baseline_comparison',
  'v_skill_effectiveness_trend',
  'v_realtime_skill_dashboard',
] as const;

const realtimeDashboard = sql`
  SELECT
    c.skill_name,
    c.last_invocation_at,
    c.invocation_count_1h,
    c.invocation_count_24h,
    c.avg_completion_rate_24h,
    m.total_invocations,
    m.completion_rate,
    m.avg_duration_seconds,
    c.is_anomalous,
    c.anomaly_score
  FROM skill_metrics_cache c
  JOIN skill_metrics m ON m.skill_name = c.skill_name`;

/**
 * Least-squares slope of the daily completion rate against the day number, from sums so it is
 * the same SQL on both databases: (nΣxy − ΣxΣy) / (nΣx² − (Σx)²). x counts days from the
 * skill's first day, keeping the sums small. The original's (max − min)/(n − 1) could not go
 * negative; this one falls when the rate falls.
 */
const effectivenessTrend = sql`
  SELECT
    s.skill_name,
    s.n AS days_observed,
    s.first_day,
    s.last_day,
    CAST(f.completions AS DOUBLE PRECISION) / f.invocations AS first_day_rate,
    CAST(l.completions AS DOUBLE PRECISION) / l.invocations AS last_day_rate,
    CASE WHEN s.n < 2 THEN NULL
         ELSE (s.n * s.sxy - s.sx * s.sy) / NULLIF(s.n * s.sxx - s.sx * s.sx, 0)
    END AS trend_slope
  FROM (
    SELECT
      p.skill_name,
      COUNT(*) AS n,
      MIN(p.day) AS first_day,
      MAX(p.day) AS last_day,
      SUM(p.x) AS sx,
      SUM(p.rate) AS sy,
      SUM(p.x * p.rate) AS sxy,
      SUM(p.x * p.x) AS sxx
    FROM (
      SELECT
        d.skill_name,
        d.date AS day,
        CAST(d.completions AS DOUBLE PRECISION) / d.invocations AS rate,
        CAST(d.date - o.first_date AS DOUBLE PRECISION) / 86400000 AS x
      FROM mv_daily_skills d
      JOIN (
        SELECT fd.skill_name, MIN(fd.date) AS first_date
        FROM mv_daily_skills fd
        WHERE fd.invocations > 0
        GROUP BY fd.skill_name
      ) o ON o.skill_name = d.skill_name
      WHERE d.invocations > 0
    ) p
    GROUP BY p.skill_name
  ) s
  JOIN mv_daily_skills f ON f.skill_name = s.skill_name AND f.date = s.first_day
  JOIN mv_daily_skills l ON l.skill_name = s.skill_name AND l.date = s.last_day
  `;

const communityBaselineComparison = sql`
  SELECT
    u.user_id,
    u.skill_name,
    u.invocation_count AS user_invocations,
    CAST(u.completed_count AS DOUBLE PRECISION) / NULLIF(u.invocation_count, 0) AS user_completion_rate,
    b.global_completion_rate,
    CAST(u.completed_count AS DOUBLE PRECISION) / NULLIF(u.invocation_count, 0) - b.global_completion_rate
      AS completion_rate_difference,
    b.effectiveness_percentile
  FROM skill_user_interactions u
  JOIN skill_community_baselines b ON b.skill_name = u.skill_name`;

const dependencyNetwork = sql`
  SELECT
    d.skill_a,
    d.skill_b,
    d.source,
    d.co_occurrence_count,
    d.lift_score,
    CASE
      WHEN d.lift_score >= 3 THEN 'very_strong_positive'
      WHEN d.lift_score >= 2 THEN 'strong_positive'
      WHEN d.lift_score >= 1.5 THEN 'moderate_positive'
      WHEN d.lift_score >= 1 THEN 'weak_positive'
      ELSE 'negative'
    END AS relationship_type
  FROM skill_dependencies d`;

/** Variant names declared in ab_test_configs.variants (a JSON array of {name, …}). */
function declaredVariants(dialect: SchemaDialect) {
  return dialect === 'sqlite'
    ? sql`
      SELECT c.id AS test_id, json_extract(v.value, '$.name') AS variant
      FROM ab_test_configs c,
           json_each(CASE WHEN json_valid(c.variants) THEN c.variants ELSE '[]' END) v
      WHERE v.type = 'object' AND json_type(v.value, '$.name') = 'text'`
    : sql`
      SELECT c.id AS test_id, v.value ->> 'name' AS variant
      FROM ab_test_configs c,
           jsonb_array_elements(CASE WHEN jsonb_typeof(c.variants::jsonb) = 'array'
                                     THEN c.variants::jsonb ELSE '[]'::jsonb END) v
      WHERE jsonb_typeof(v.value -> 'name') = 'string'`;
}

/**
 * One row per test and variant (declared or seen in the data). Assignments and outcomes are
 * aggregated separately before joining, so users are counted once each — the original joined
 * first and counted outcome rows as users, and its rates could only be 1.0 or NULL.
 */
function abTestSummary(dialect: SchemaDialect) {
  return sql`
  SELECT
    c.id AS test_id,
    c.test_name,
    c.status,
    tv.variant,
    COALESCE(a.users_assigned, 0) AS users_assigned,
    COALESCE(o.users_with_outcomes, 0) AS users_with_outcomes,
    COALESCE(o.outcomes, 0) AS outcomes,
    o.completion_rate,
    o.avg_duration_seconds
  FROM ab_test_configs c
  JOIN (
    ${declaredVariants(dialect)}
    UNION
    SELECT test_id, variant FROM ab_test_assignments
    UNION
    SELECT test_id, variant FROM ab_test_outcomes
  ) tv ON tv.test_id = c.id
  LEFT JOIN (
    SELECT test_id, variant, COUNT(DISTINCT user_id) AS users_assigned
    FROM ab_test_assignments
    GROUP BY test_id, variant
  ) a ON a.test_id = tv.test_id AND a.variant = tv.variant
  LEFT JOIN (
    SELECT
      test_id,
      variant,
      COUNT(DISTINCT user_id) AS users_with_outcomes,
      COUNT(*) AS outcomes,
      CAST(SUM(CASE WHEN completed = 1 THEN 1 ELSE 0 END) AS DOUBLE PRECISION) / COUNT(*) AS completion_rate,
      AVG(duration_seconds) AS avg_duration_seconds
    FROM ab_test_outcomes
    GROUP BY test_id, variant
  ) o ON o.test_id = tv.test_id AND o.variant = tv.variant`;
}

const multimodalCatalog = sql`
  SELECT
    mo.skill_name,
    mo.modality_type,
    mo.input_format,
    mo.output_format,
    mo.requires_human_review,
    cm.category_name,
    COALESCE(m.total_invocations, 0) AS total_invocations,
    m.completion_rate
  FROM skill_modalities mo
  LEFT JOIN skill_category_mapping cm ON cm.skill_name = mo.skill_name
  LEFT JOIN skill_metrics m ON m.skill_name = mo.skill_name`;
