import { sql } from 'kysely';
import { defineMigration } from './define-migration.js';
import { clusteredOnSqlite, dialectOf } from './dialect.js';

/**
 * V7: what @skills/collab needs from the recorder.
 * - `skill_metrics.workflow_phases`: a tally of workflow phases per skill (like `workflow_paths`),
 *   so a skill's most common phase is read from one row, not from every invocation; filled from
 *   the stored invocations here and kept by the recorder from now on.
 * - `store_settings`: small key/value facts about the store — here the check value that tells
 *   whether a process holds the secret the user pseudonyms were made with.
 * - `skill_user_opt_outs`: pseudonyms of forgotten users, so no later batch or rebuild brings
 *   them back into `skill_user_interactions`.
 */
export const collab = defineMigration({
  async up(db) {
    await db.schema
      .alterTable('skill_metrics')
      .addColumn('workflow_phases', 'text', (col) => col.notNull().defaultTo('{}'))
      .execute();
    const phases = sql`
      SELECT workflow_phase AS phase, COUNT(*) AS n
      FROM skill_invocation i
      WHERE i.skill_name = skill_metrics.skill_name AND i.workflow_phase IS NOT NULL
      GROUP BY workflow_phase`;
    if (dialectOf(db) === 'sqlite') {
      await sql`UPDATE skill_metrics SET workflow_phases = COALESCE(
        (SELECT json_group_object(phase, n) FROM (${phases} ORDER BY workflow_phase)), '{}')`.execute(db);
    } else {
      await sql`UPDATE skill_metrics SET workflow_phases = COALESCE(
        (SELECT json_object_agg(phase, n ORDER BY phase)::text FROM (${phases}) p), '{}')`.execute(db);
    }

    await db.schema
      .createTable('store_settings')
      .addColumn('key', 'text', (col) => col.primaryKey().notNull())
      .addColumn('value', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'bigint', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('skill_user_opt_outs')
      .addColumn('user_id', 'text', (col) => col.notNull())
      .addColumn('forgotten_at', 'bigint', (col) => col.notNull())
      .addPrimaryKeyConstraint('skill_user_opt_outs_pkey', ['user_id'])
      .$call(clusteredOnSqlite(db))
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('skill_user_opt_outs').execute();
    await db.schema.dropTable('store_settings').execute();
    await db.schema.alterTable('skill_metrics').dropColumn('workflow_phases').execute();
  },
});
