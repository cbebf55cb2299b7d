import { defineMigration } from './define-migration.js';

/**
 * V10: what @skills/integrations needs for CI/CD pipelines (GitHub Actions, GitLab, the generic
 * CI form).
 * - `ci_jobs`: one row per finished CI job (its invocation's id) and per finished pipeline run
 *   (`kind` = 'pipeline', no invocation): the pipeline, run, attempt, stage, commit and branch
 *   the invocation row has no column for, so per-pipeline reports and flaky-step detection (a
 *   job failing, then passing on a retry of the same commit) read one indexed table.
 * - `integration_deliveries`: every webhook delivery handled, by the sender's delivery id
 *   (`X-GitHub-Delivery`, GitLab's `X-Gitlab-Event-UUID`, …), so a replayed delivery writes
 *   nothing twice, and ignored event types are counted.
 */
export const ciIntegrations = defineMigration({
  async up(db) {
    await db.schema
      .createTable('ci_jobs')
      .addColumn('id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('provider', 'text', (col) => col.notNull())
      .addColumn('pipeline', 'text', (col) => col.notNull())
      .addColumn('repository', 'text')
      .addColumn('run_id', 'text', (col) => col.notNull())
      .addColumn('attempt', 'integer', (col) => col.notNull())
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('stage', 'text')
      .addColumn('commit_sha', 'text')
      .addColumn('branch', 'text')
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('error', 'text')
      .addColumn('started_at', 'bigint', (col) => col.notNull())
      .addColumn('duration_seconds', 'double precision')
      .addColumn('recorded_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('ci_jobs_pipeline_started').on('ci_jobs').columns(['pipeline', 'started_at']).execute();
    await db.schema.createIndex('ci_jobs_started').on('ci_jobs').column('started_at').execute();

    await db.schema
      .createTable('integration_deliveries')
      .addColumn('delivery_id', 'text', (col) => col.primaryKey().notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('event', 'text', (col) => col.notNull())
      .addColumn('outcome', 'text', (col) => col.notNull())
      .addColumn('reason', 'text')
      .addColumn('invocations', 'integer', (col) => col.notNull())
      .addColumn('received_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('integration_deliveries_received').on('integration_deliveries').column('received_at').execute();
  },

  async down(db) {
    await db.schema.dropTable('integration_deliveries').execute();
    await db.schema.dropTable('ci_jobs').execute();
  },
});
