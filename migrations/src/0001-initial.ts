import { sql } from 'kysely';
import { defineMigration } from './define-migration.js';
import { clusteredOnSqlite, dialectOf, nowMs, type SchemaDialect } from './dialect.js';

/**
 * V1: the invocation log, lifetime totals per skill, per-session and daily rollups, and three
 * reporting views. Rollups are kept by the recorder in the same transaction as the insert (no
 * triggers), so ingest stays fast and the totals stay exact.
 */
export const initial = defineMigration({
  async up(db) {
    await db.schema
      .createTable('skill_invocation')
      // TEXT PRIMARY KEY admits NULL on SQLite (a legacy quirk) unless NOT NULL is explicit.
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('invoked_at', 'bigint', (col) => col.notNull())
      .addColumn('session_id', 'text', (col) => col.notNull())
      .addColumn('user_id', 'text')
      .addColumn('workflow_path', 'text')
      .addColumn('completed', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_seconds', 'double precision')
      .addColumn('user_query', 'text')
      .addColumn('alternatives_considered', 'text')
      .addColumn('selection_rank', 'integer')
      .addColumn('follow_up_actions', 'text')
      .addColumn('error_type', 'text')
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    // Four indexes only: every index is paid for on each of the ~100k inserts per second.
    await db.schema.createIndex('idx_invocation_skill_time').on('skill_invocation').columns(['skill_name', 'invoked_at']).execute();
    await db.schema.createIndex('idx_invocation_session_time').on('skill_invocation').columns(['session_id', 'invoked_at']).execute();
    await db.schema.createIndex('idx_invocation_invoked_at').on('skill_invocation').column('invoked_at').execute();

    await db.schema
      .createTable('skill_metrics')
      .addColumn('skill_name', 'text', (col) => col.primaryKey().notNull())
      .addColumn('total_invocations', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completed_invocations', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('abandoned_invocations', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('total_duration_seconds', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('timed_completions', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('avg_duration_seconds', 'double precision')
      .addColumn('completion_rate', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('first_invoked', 'bigint', (col) => col.notNull())
      .addColumn('last_invoked', 'bigint', (col) => col.notNull())
      .addColumn('workflow_paths', 'text', (col) => col.notNull().defaultTo('{}'))
      .addColumn('common_errors', 'text', (col) => col.notNull().defaultTo('{}'))
      .addColumn('follow_up_actions', 'text', (col) => col.notNull().defaultTo('{}'))
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('session_skills')
      .addColumn('session_id', 'text', (col) => col.notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('invocation_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('first_used', 'bigint', (col) => col.notNull())
      .addColumn('last_used', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('session_skills_pkey', ['session_id', 'skill_name'])
      .$call(clusteredOnSqlite(db))
      .execute();

    await db.schema
      .createTable('mv_daily_skills')
      .addColumn('date', 'bigint', (col) => col.notNull())
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('invocations', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('completions', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('abandonments', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_sum', 'double precision', (col) => col.notNull().defaultTo(0))
      .addColumn('duration_count', 'bigint', (col) => col.notNull().defaultTo(0))
      .addColumn('avg_duration_seconds', 'double precision')
      .addPrimaryKeyConstraint('mv_daily_skills_pkey', ['date', 'skill_name'])
      .$call(clusteredOnSqlite(db))
      .execute();
    await db.schema.createIndex('idx_mv_daily_skill_date').on('mv_daily_skills').columns(['skill_name', 'date']).execute();

    const dialect = dialectOf(db);
    await db.schema.createView('v_session_skill_summary').as(sessionSkillSummary).execute();
    await db.schema.createView('v_skill_effectiveness').as(skillEffectiveness(dialect)).execute();
    await db.schema.createView('v_top_skills').as(topSkills(dialect)).execute();
  },

  async down(db) {
    await db.schema.dropView('v_top_skills').execute();
    await db.schema.dropView('v_skill_effectiveness').execute();
    await db.schema.dropView('v_session_skill_summary').execute();
    await db.schema.dropTable('mv_daily_skills').execute();
    await db.schema.dropTable('session_skills').execute();
    await db.schema.dropTable('skill_metrics').execute();
    await db.schema.dropTable('skill_invocation').execute();
  },
});

// Views list their columns (never SELECT *), so later versions can drop columns they added
// without a view standing in the way.

const sessionSkillSummary = sql`
  SELECT
    si.session_id,
    COUNT(DISTINCT si.skill_name) AS unique_skills,
    COUNT(*) AS total_invocations,
    SUM(CASE WHEN si.completed = 1 THEN 1 ELSE 0 END) AS completed_count,
    SUM(CASE WHEN si.completed = 1 THEN 0 ELSE 1 END) AS abandoned_count,
    COALESCE(SUM(si.duration_seconds), 0) AS total_duration_seconds,
    MIN(si.invoked_at) AS first_skill_at,
    MAX(si.invoked_at) AS last_skill_at
  FROM skill_invocation si
  GROUP BY si.session_id`;

function skillEffectiveness(dialect: SchemaDialect) {
  return sql`
  SELECT
    m.skill_name,
    m.total_invocations,
    m.completed_invocations,
    m.abandoned_invocations,
    m.total_duration_seconds,
    m.timed_completions,
    m.avg_duration_seconds,
    m.completion_rate,
    m.first_invoked,
    m.last_invoked,
    m.workflow_paths,
    m.common_errors,
    m.follow_up_actions,
    m.updated_at,
    (${nowMs(dialect)} - m.last_invoked) / 86400000 AS days_since_last_use
  FROM skill_metrics m
  WHERE m.total_invocations > 0
  ORDER BY m.total_invocations DESC, m.skill_name`;
}

/**
 * The name (not the count, as in the original) of the most used workflow path. The JSON keys
 * are read as data, so names with dots or brackets ('a.b[0]') come back intact; ties go to the
 * first name in byte order (COLLATE "C" so PostgreSQL's locale does not reorder them).
 */
function preferredWorkflow(dialect: SchemaDialect) {
  return dialect === 'sqlite'
    ? sql`(
      SELECT wp.key
      FROM json_each(CASE WHEN json_valid(m.workflow_paths) THEN m.workflow_paths ELSE '{}' END) wp
      WHERE wp.type IN ('integer', 'real')
      ORDER BY wp.value DESC, wp.key
      LIMIT 1)`
    : sql`(
      SELECT wp.key
      FROM jsonb_each(CASE WHEN jsonb_typeof(m.workflow_paths::jsonb) = 'object'
                           THEN m.workflow_paths::jsonb ELSE '{}'::jsonb END) wp
      WHERE jsonb_typeof(wp.value) = 'number'
      ORDER BY (wp.value #>> '{}')::double precision DESC, wp.key COLLATE "C"
      LIMIT 1)`;
}

function topSkills(dialect: SchemaDialect) {
  return sql`
  SELECT
    m.skill_name,
    m.total_invocations,
    m.completion_rate,
    m.avg_duration_seconds,
    ${preferredWorkflow(dialect)} AS preferred_workflow
  FROM skill_metrics m
  WHERE m.total_invocations > 0
  ORDER BY m.total_invocations DESC, m.skill_name`;
}
