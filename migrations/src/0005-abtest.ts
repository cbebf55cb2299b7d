import { defineMigration } from './define-migration.js';
import { clusteredOnSqlite } from './dialect.js';

/**
 * V5: what @skills/abtest needs to analyse an experiment without rescanning raw rows.
 *
 * - `ab_test_user_stats`: one row per experiment and user, running sums kept by every recorded
 *   outcome (in the outcome's transaction), so an analysis reads one row per user instead of
 *   every outcome: the user is the unit of analysis.
 * - its `pre_*` columns: each user's own skill history from before `assigned_at` (the CUPED
 *   covariate), filled for all users of an experiment that lack it by one grouped query when the
 *   experiment is analysed, and never recomputed (`pre_computed_at` says when). They sit in the
 *   same row as the sums so that an analysis is one scan of one table.
 */
export const abtest = defineMigration({
  async up(db) {
    await db.schema
      .createTable('ab_test_user_stats')
      .addColumn('test_id', 'text', (col) => col.notNull().references('ab_test_configs.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('variant', 'text', (col) => col.notNull())
      .addColumn('outcomes', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('completions', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('log_duration_sum', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_count', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('rating_sum', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('first_recorded_at', 'bigint', (col) => col.notNull())
      .addColumn('last_recorded_at', 'bigint', (col) => col.notNull())
      .addColumn('assigned_at', 'bigint', (col) => col.notNull())
      .addColumn('pre_invocations', 'integer')
      .addColumn('pre_completions', 'integer')
      .addColumn('pre_duration_count', 'integer')
      .addColumn('pre_log_duration_sum', 'double precision')
      .addColumn('pre_computed_at', 'bigint')
      // Per-user values derived from the sums above, kept current with them, so an analysis adds
      // up plain columns instead of evaluating every ratio for every user on every look.
      .addColumn('user_rate', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('mean_log_duration', 'double precision')
      .addColumn('mean_rating', 'double precision')
      .addColumn('duration_bucket', 'bigint')
      .addColumn('pre_rate', 'double precision')
      .addColumn('pre_mean_log_duration', 'double precision')
      .addPrimaryKeyConstraint('ab_test_user_stats_pkey', ['test_id', 'user_id'])
      .$call(clusteredOnSqlite(db))
      .execute();
    // The duration distribution per variant (Mann–Whitney ranks) straight from the index.
    await db.schema
      .createIndex('idx_ab_test_user_stats_duration')
      .on('ab_test_user_stats')
      .columns(['test_id', 'variant', 'duration_bucket'])
      .execute();
  },

  // Additive only, so rolling back loses nothing of V4: the sums are rebuilt from ab_test_outcomes
  // and the covariates from skill_invocation.
  async down(db) {
    await db.schema.dropTable('ab_test_user_stats').execute();
  },
});
