import { sql } from 'kysely';
import { defineMigration } from './define-migration.js';

/**
 * The exporter's bucket bounds (seconds) as this migration backfills them: history, so written
 * here; storage's `SKILL_DURATION_BUCKETS` (rollups/skill-phase-totals.ts) must equal them, which
 * `verifyRollups` after this migration proves (storage's verify-and-migrate test).
 */
const BOUNDS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300] as const;

/**
 * V11: the rollup behind the Prometheus exporter's first snapshot.
 * `skill_phase_totals`: all-time counts per (skill, workflow phase, completed) with the
 * durations in the exporter's `skill_duration_seconds` buckets (storage's
 * rollups/skill-phase-totals.ts keeps it). Before it the exporter grouped every invocation at
 * start, under the writers' lock: 48 s on a store of 10 M. `workflow_phase` is '' for none
 * (a primary key column cannot be NULL).
 *
 * The backfill is one `INSERT … SELECT … GROUP BY` over `skill_invocation`, the same SQL on both
 * dialects: on a large store it runs once for as long as the old start-up scan did (tens of
 * seconds at 10 M invocations). A store pruned before
 * this migration counts the invocations that remained (those pruned are in no raw row any more).
 */
export const skillPhaseTotals = defineMigration({
  async up(db) {
    let table = db.schema
      .createTable('skill_phase_totals')
      .addColumn('skill_name', 'text', (col) => col.notNull())
      .addColumn('workflow_phase', 'text', (col) => col.notNull())
      .addColumn('completed', 'integer', (col) => col.notNull())
      .addColumn('invocation_count', 'bigint', (col) => col.notNull())
      .addColumn('timed_count', 'bigint', (col) => col.notNull())
      .addColumn('duration_sum', 'double precision', (col) => col.notNull());
    for (let i = 0; i < BOUNDS.length; i++) table = table.addColumn(`bucket_${i}`, 'bigint', (col) => col.notNull());
    await table.addPrimaryKeyConstraint('skill_phase_totals_pk', ['skill_name', 'workflow_phase', 'completed']).execute();

    const buckets = BOUNDS.map(
      (bound, i) =>
        sql`sum(case when duration_seconds <= ${sql.lit(bound)}${i === 0 ? sql`` : sql` and duration_seconds > ${sql.lit(BOUNDS[i - 1]!)}`} then 1 else 0 end)`,
    );
    const bucketNames = BOUNDS.map((_, i) => sql.ref(`bucket_${i}`));
    await sql`
      INSERT INTO skill_phase_totals (skill_name, workflow_phase, completed, invocation_count, timed_count, duration_sum, ${sql.join(bucketNames)})
      SELECT skill_name, coalesce(workflow_phase, ''), completed, count(*), count(duration_seconds), coalesce(sum(duration_seconds), 0), ${sql.join(buckets)}
      FROM skill_invocation
      GROUP BY skill_name, coalesce(workflow_phase, ''), completed`.execute(db);
  },

  async down(db) {
    await db.schema.dropTable('skill_phase_totals').execute();
  },
});
