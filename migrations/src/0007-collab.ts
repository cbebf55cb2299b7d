import { sql, type Kysely } from 'kysely';
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
 * - On SQLite, `skill_user_interactions` becomes WITHOUT ROWID (clustered on user and skill), as
 *   the other rollups are: the recorder upserts it every batch and collab reads it in key order.
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

    if (dialectOf(db) === 'sqlite') await rebuildInteractionsTable(db, true);
  },

  async down(db) {
    if (dialectOf(db) === 'sqlite') await rebuildInteractionsTable(db, false);
    await db.schema.dropTable('skill_user_opt_outs').execute();
    await db.schema.dropTable('store_settings').execute();
    await db.schema.alterTable('skill_metrics').dropColumn('workflow_phases').execute();
  },
});

/**
 * SQLite cannot change a table's storage in place: create the new table, copy, drop, rename.
 * legacy_alter_table keeps the rename from re-checking views, so `v_community_baseline_comparison`
 * (which names the table) simply refers to the new one.
 */
async function rebuildInteractionsTable(db: Kysely<any>, clustered: boolean): Promise<void> {
  await db.schema
    .createTable('skill_user_interactions_rebuilt')
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('skill_name', 'text', (col) => col.notNull())
    .addColumn('invocation_count', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('completed_count', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('first_used', 'bigint', (col) => col.notNull())
    .addColumn('last_used', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('skill_user_interactions_pkey', ['user_id', 'skill_name'])
    .$call((table) => (clustered ? table.modifyEnd(sql`without rowid`) : table))
    .execute();
  await sql`INSERT INTO skill_user_interactions_rebuilt
    (user_id, skill_name, invocation_count, completed_count, first_used, last_used)
    SELECT user_id, skill_name, invocation_count, completed_count, first_used, last_used
    FROM skill_user_interactions`.execute(db);
  await db.schema.dropTable('skill_user_interactions').execute();
  await sql`PRAGMA legacy_alter_table = ON`.execute(db);
  try {
    await db.schema.alterTable('skill_user_interactions_rebuilt').renameTo('skill_user_interactions').execute();
  } finally {
    await sql`PRAGMA legacy_alter_table = OFF`.execute(db);
  }
  await db.schema.createIndex('idx_user_interactions_skill').on('skill_user_interactions').column('skill_name').execute();
}
