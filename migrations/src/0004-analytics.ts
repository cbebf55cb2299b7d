import { sql } from 'kysely';
import { defineMigration } from './define-migration.js';
import { dialectOf, type SchemaDialect } from './dialect.js';

/**
 * V4: hourly rollups, the realtime cache, anomalies, community baselines, collaborative
 * filtering, clusters, A/B tests, the taxonomy (categories, dependencies, modalities) and six
 * views over them.
 *
 * No table references skill_metrics: the original's foreign keys to it rejected taxonomy, A/B and
 * dependency rows for skills never invoked yet. Foreign keys remain only where a parent row must
 * exist (a test, a category), with ON DELETE CASCADE.
 */
export const analytics = defineMigration({
  async up(db) {
    await db.schema
      .createTable('skill_time_series')
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('hour_start', 'bigint', (col) => col.notNull())
      .addColumn('invocation_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completed_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completion_rate', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_sum', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('avg_duration_seconds', 'double precision')
      .addColumn('unique_sessions', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_histogram', 'text', (col) => col.notNull().defaultTo('{}'))
      .addPrimaryKeyConstraint('skill_time_series_pkey', ['skill_name', 'hour_start'])
      .execute();
    await db.schema.createIndex('idx_time_series_hour').on('skill_time_series').column('hour_start').execute();

    await db.schema
      .createTable('skill_time_series_sessions')
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('hour_start', 'bigint', (col) => col.notNull())
      .addColumn('session_id', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_time_series_sessions_pkey', ['skill_name', 'hour_start', 'session_id'])
      .execute();

    await db.schema
      .createTable('skill_metrics_cache')
      .addColumn('skill_name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('last_invocation_at', 'bigint', (col) => col.notNull())
      .addColumn('window_end', 'bigint', (col) => col.notNull())
      .addColumn('invocation_count_1h', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('invocation_count_24h', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completed_count_24h', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('avg_completion_rate_24h', 'double precision')
      .addColumn('is_anomalous', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('anomaly_score', 'double precision')
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('skill_anomalies')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('anomaly_type', 'text', (col) => col.notNull())
      .addColumn('metric', 'text', (col) => col.notNull())
      .addColumn('bucket_start', 'bigint', (col) => col.notNull())
      .addColumn('baseline_value', 'double precision')
      .addColumn('observed_value', 'double precision')
      .addColumn('deviation_score', 'double precision', (col) => col.notNull())
      .addColumn('method', 'text', (col) => col.notNull())
      .addColumn('reason', 'text', (col) => col.notNull())
      .addColumn('detected_at', 'bigint', (col) => col.notNull())
      .addColumn('resolved_at', 'bigint')
      .execute();
    await db.schema.createIndex('idx_anomalies_skill_resolved').on('skill_anomalies').columns(['skill_name', 'resolved_at']).execute();
    await db.schema.createIndex('idx_anomalies_detected_at').on('skill_anomalies').column('detected_at').execute();

    await db.schema
      .createTable('skill_community_baselines')
      .addColumn('skill_name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('total_users', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('total_invocations', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('global_completion_rate', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('global_avg_duration_seconds', 'double precision')
      .addColumn('most_common_workflow_phase', 'text')
      .addColumn('effectiveness_percentile', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('skill_user_interactions')
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('invocation_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completed_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('first_used', 'bigint', (col) => col.notNull())
      .addColumn('last_used', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_user_interactions_pkey', ['user_id', 'skill_name'])
      .execute();
    await db.schema.createIndex('idx_user_interactions_skill').on('skill_user_interactions').column('skill_name').execute();

    await db.schema
      .createTable('skill_clusters')
      .addColumn('cluster_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('cluster_name', 'text', (col) => col.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('skill_cluster_membership')
      .addColumn('cluster_id', 'text', (col) => col.notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('membership_score', 'double precision', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_cluster_membership_pkey', ['cluster_id', 'skill_name'])
      .execute();

    await db.schema
      .createTable('ab_test_configs')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('test_name', 'text', (col) => col.notNull())
      .addColumn('description', 'text')
      .addColumn('control_strategy', 'text', (col) => col.notNull())
      .addColumn('treatment_strategy', 'text', (col) => col.notNull())
      .addColumn('variants', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('assignment_ratio', 'double precision', (col) => col.notNull().defaultTo(0.5))
      .addColumn('metrics', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('min_sample_size', 'integer', (col) => col.notNull().defaultTo(100))
      .addColumn('start_date', 'bigint', (col) => col.notNull())
      .addColumn('end_date', 'bigint')
      .addColumn('status', 'text', (col) => col.notNull().defaultTo('running'))
      .addColumn('salt', 'text', (col) => col.notNull())
      .addColumn('options', 'text', (col) => col.notNull().defaultTo('{}'))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addUniqueConstraint('ab_test_configs_test_name_key', ['test_name'])
      .execute();

    await db.schema
      .createTable('ab_test_assignments')
      .addColumn('test_id', 'text', (col) => col.notNull().references('ab_test_configs.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('variant', 'text', (col) => col.notNull())
      .addColumn('assigned_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('ab_test_assignments_pkey', ['test_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('ab_test_outcomes')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('test_id', 'text', (col) => col.notNull().references('ab_test_configs.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('variant', 'text', (col) => col.notNull())
      .addColumn('skill_name', 'text')
      .addColumn('completed', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_seconds', 'double precision')
      .addColumn('user_rating', 'double precision')
      .addColumn('recorded_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('idx_ab_outcomes_test_user').on('ab_test_outcomes').columns(['test_id', 'user_id']).execute();

    await db.schema
      .createTable('skill_categories')
      .addColumn('category_name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('domain', 'text', (col) => col.notNull())
      .addColumn('description', 'text')
      .addColumn('parent_category', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('skill_category_mapping')
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('category_name', 'text', (col) =>
        col.notNull().references('skill_categories.category_name').onDelete('cascade'),
      )
      .addColumn('confidence', 'double precision', (col) => col.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_category_mapping_pkey', ['skill_name', 'category_name'])
      .execute();

    await db.schema
      .createTable('skill_dependencies')
      .addColumn('skill_a', 'text', (col) => col.notNull())
      .addColumn('skill_b', 'text', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('co_occurrence_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('support', 'double precision')
      .addColumn('confidence', 'double precision')
      .addColumn('lift_score', 'double precision', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_dependencies_pkey', ['skill_a', 'skill_b', 'source'])
      .execute();

    await db.schema
      .createTable('skill_modalities')
      .addColumn('skill_name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('modality_type', 'text', (col) => col.notNull())
      .addColumn('input_format', 'text')
      .addColumn('output_format', 'text')
      .addColumn('requires_human_review', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('description', 'text')
      .execute();

    await db.schema.createView('v_realtime_skill_dashboard').as(realtimeDashboard).execute();
    await db.schema.createView('v_skill_effectiveness_trend').as(effectivenessTrend).execute();
    await db.schema.createView('v_community_baseline_comparison').as(communityBaselineComparison).execute();
    await db.schema.createView('v_skill_dependency_network').as(dependencyNetwork).execute();
    await db.schema.createView('v_ab_test_summary').as(abTestSummary(dialectOf(db))).execute();
    await db.schema.createView('v_multimodal_skill_catalog').as(multimodalCatalog).execute();
  },

  // Only what V4 added (the original's V4 down wiped V1–V3 as well); children before parents.
  async down(db) {
    for (const view of V4_VIEWS) await db.schema.dropView(view).execute();
    for (const table of V4_TABLES) await db.schema.dropTable(table).execute();
  },
});

const V4_VIEWS = [
  'v_multimodal_skill_catalog',
  'v_ab_test_summary',
  'v_skill_dependency_network',
  'v_community_baseline_comparison',
  'v_skill_effectiveness_trend',
  'v_realtime_skill_dashboard',
] as const;

const V4_TABLES = [
  'skill_modalities',
  'skill_dependencies',
  'skill_category_mapping',
  'skill_categories',
  'ab_test_outcomes',
  'ab_test_assignments',
  'ab_test_configs',
  'skill_cluster_membership',
  'skill_clusters',
  'skill_user_interactions',
  'skill_community_baselines',
  'skill_anomalies',
  'skill_metrics_cache',
  'skill_time_series_sessions',
  'skill_time_series',
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
