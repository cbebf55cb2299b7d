import { sql, type Kysely } from 'kysely';
import { createSearchQueue, dropSearchQueue, indexSearchQueue } from './0002-search.js';
import { defineMigration } from './define-migration.js';
import { extendTimeBounds } from './0012-read-paths.js';
import { dialectOf } from './dialect.js';

/**
 * V8: less work per recorded batch.
 *
 * `skill_metrics_cache.hourly_window` (both databases): the invocation and completion counts of
 * each hour of the cached 24-hour window, as JSON `[[count, completed], …]` (24 pairs, oldest
 * first). The recorder shifts the window and adds a batch to it instead of re-reading up to 24
 * hourly rows per skill; NULL (every row after this migration) means "not known yet", and the
 * next batch of that skill sums its hourly rows once.
 *
 * SQLite only (PostgreSQL's search is unchanged): the full-text index follows a watermark
 * instead of a per-row queue. Since 0002 an insert trigger appended each new row's rowid to
 * `skill_invocation_fts_pending`; running that trigger cost about a third of a plain insert into
 * `skill_invocation`. Now no trigger runs on insert at all:
 * `skill_invocation_fts_state.indexed_through` is the highest rowid whose row is in the index, and
 * `indexPendingSearchRows` indexes every row above it in one statement.
 *
 * This relies on SQLite giving a new row the largest rowid so far plus one. The one way a new row
 * can get a smaller one is that the rows with the largest rowids were deleted; the delete trigger
 * then lowers the watermark to the new largest rowid, so the next row lands above it again.
 * Deleting or updating an indexed row still removes its old text from the index, as before.
 * (Only a table whose rowids reach 2^63 − 1 makes SQLite pick rowids at random: at a million
 * invocations a second, in 290,000 years.)
 */
export const leanIngest = defineMigration({
  async up(db) {
    await db.schema.alterTable('skill_metrics_cache').addColumn('hourly_window', 'text').execute();
    if (dialectOf(db) !== 'sqlite') return;
    await indexSearchQueue(db);
    await dropSearchQueue(db);
    await sql`
      CREATE TABLE skill_invocation_fts_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_through INTEGER NOT NULL
      )`.execute(db);
    await sql`
      INSERT INTO skill_invocation_fts_state (id, indexed_through)
      SELECT 1, COALESCE(MAX(rowid), 0) FROM skill_invocation`.execute(db);
    await sql`
      CREATE TRIGGER skill_invocation_fts_after_delete AFTER DELETE ON skill_invocation BEGIN
        INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
        SELECT 'delete', old.rowid, old.user_query
        WHERE old.user_query IS NOT NULL
          AND old.rowid <= (SELECT indexed_through FROM skill_invocation_fts_state);
        UPDATE skill_invocation_fts_state
        SET indexed_through = (SELECT COALESCE(MAX(rowid), 0) FROM skill_invocation)
        WHERE indexed_through > (SELECT COALESCE(MAX(rowid), 0) FROM skill_invocation);
      END`.execute(db);
    // A row above the watermark is indexed later with whatever text it has then.
    await sql`
      CREATE TRIGGER skill_invocation_fts_after_update AFTER UPDATE OF user_query ON skill_invocation
      WHEN old.rowid <= (SELECT indexed_through FROM skill_invocation_fts_state) BEGIN
        INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
        SELECT 'delete', old.rowid, old.user_query WHERE old.user_query IS NOT NULL;
        INSERT INTO skill_invocation_fts (rowid, user_query)
        SELECT new.rowid, new.user_query WHERE new.user_query IS NOT NULL;
      END`.execute(db);
  },

  async down(db) {
    if (dialectOf(db) === 'sqlite') {
      await indexPendingSearchRows(db);
      await sql`DROP TRIGGER skill_invocation_fts_after_update`.execute(db);
      await sql`DROP TRIGGER skill_invocation_fts_after_delete`.execute(db);
      await sql`DROP TABLE skill_invocation_fts_state`.execute(db);
      await createSearchQueue(db);
    }
    await db.schema.alterTable('skill_metrics_cache').dropColumn('hourly_window').execute();
  },
});

/**
 * SQLite: index every row stored since the last call, in one statement, and move the watermark.
 * Run it before reading `skill_invocation_fts` (the store does so in its search), inside a write
 * transaction; a no-op on PostgreSQL, whose generated column is always current. Needs schema
 * 0008 or later.
 *
 * @example
 * await indexPendingSearchRows(db); // 1250 rows indexed
 */
export async function indexPendingSearchRows(db: Kysely<any>): Promise<number> {
  if (dialectOf(db) !== 'sqlite') return 0;
  const state = await sql<{ watermark: number; last: number; bounds: number }>`
    SELECT indexed_through AS watermark, (SELECT COALESCE(MAX(rowid), 0) FROM skill_invocation) AS last,
      EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'skill_invocation_time_bounds') AS bounds
    FROM skill_invocation_fts_state`.execute(db);
  const { watermark, last, bounds } = state.rows[0]!;
  // Schema 0012 on, the search's time bounds follow the index (0012-read-paths.ts).
  if (bounds) await extendTimeBounds(db, Number(watermark), Number(last));
  const result = await sql`
    INSERT INTO skill_invocation_fts (rowid, user_query)
    SELECT rowid, user_query FROM skill_invocation
    WHERE rowid > ${Number(watermark)} AND rowid <= ${Number(last)} AND user_query IS NOT NULL`.execute(db);
  await sql`UPDATE skill_invocation_fts_state SET indexed_through = ${Number(last)}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * SQLite: whether rows were stored since the full-text index was last brought up to date (a
 * cheap read: two index seeks). Always false on PostgreSQL.
 */
export async function hasPendingSearchRows(db: Kysely<any>): Promise<boolean> {
  if (dialectOf(db) !== 'sqlite') return false;
  const result = await sql<{ pending: number }>`
    SELECT (SELECT COALESCE(MAX(rowid), 0) FROM skill_invocation) > indexed_through AS pending
    FROM skill_invocation_fts_state`.execute(db);
  return Boolean(result.rows[0]?.pending);
}
