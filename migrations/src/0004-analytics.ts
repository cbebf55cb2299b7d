import { clusteredOnSqlite, dialectOf } from './dialect.js';
import { createAnalyticsViews, dropAnalyticsViews } from './0004-analytics-views.js';
import { defineMigration } from './define-migration.js';

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
    // Reads of this table are "one skill's hours" or "every skill's hours in a window"; both are
    // short seeks per skill on (skill_name, hour_start). SQLite stores the table clustered on that
    // key (WITHOUT ROWID), so the key is the row; PostgreSQL gets a covering index instead.
    const sqlite = dialectOf(db) === 'sqlite';
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
      .$call(clusteredOnSqlite(db))
      .execute();
    await db.schema.createIndex('idx_time_series_hour').on('skill_time_series').column('hour_start').execute();
    if (!sqlite) {
      await db.schema
        .createIndex('idx_time_series_skill_cover')
        .on('skill_time_series')
        .columns(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'duration_sum', 'duration_count'])
        .execute();
    }

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
      .addColumn('category_name', 'text', (col) => col.notNull().references('skill_categories.category_name').onDelete('cascade'))
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

    await createAnalyticsViews(db);
  },

  // Only what V4 added (the original's V4 down wiped V1–V3 as well); children before parents.
  async down(db) {
    await dropAnalyticsViews(db);
    for (const table of V4_TABLES) await db.schema.dropTable(table).execute();
  },
});

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
  'skill_time_series',
] as const;
