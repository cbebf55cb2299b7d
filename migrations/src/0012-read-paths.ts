import { sql, type Kysely } from 'kysely';
import { defineMigration } from './define-migration.js';
import { dialectOf } from './dialect.js';

/**
 * Rows per block of `skill_invocation_time_bounds` (as a shift: 2^10 = 1,024 rowids). Storage's
 * search (dialect/sqlite/sqlite-search.ts) keeps the table with the same shift, which its test
 * holds to this one through `TIME_BOUNDS_BLOCK_SHIFT`.
 */
export const TIME_BOUNDS_BLOCK_SHIFT = 10;

/**
 * V12: the dashboard's and the search's reads answered from indexes.
 *
 * Both databases: two of `skill_invocation`'s indexes carry the columns their readers ask for, so
 * those reads stop looking up each row in the table (same number of indexes, each entry a little
 * wider):
 * - `idx_invocation_skill_time` (skill_name, invoked_at) → (skill_name, invoked_at, completed,
 *   duration_seconds): `topSkills`' exact p95 reads the durations of a range's completed
 *   invocations skill by skill (at 10 M invocations, about a third of a million rows for the
 *   dashboard's last day);
 * - `idx_invocation_invoked_at` (invoked_at) → (invoked_at, session_id): the range's distinct
 *   active sessions.
 *
 * SQLite only: `skill_invocation_time_bounds`, for each block of 1,024 rowids, the greatest
 * `invoked_at` of every row up to the end of that block (a running maximum over rowids), for the
 * rows the full-text index holds (rowid ≤ `skill_invocation_fts_state.indexed_through`). The
 * search reads a word's matches greatest rowid first (FTS5's cheap end of its lists) and stops as
 * soon as no match with a smaller rowid can be newer than the page it has: one seek here says so.
 * Kept by storage's `indexPendingSearchRows` with the index; a deleted row leaves its block's
 * bound as it was (still an upper bound); a trigger raises the bounds when an indexed row's
 * `invoked_at` is moved later.
 */
export const readPaths = defineMigration({
  async up(db) {
    await replaceIndex(db, 'idx_invocation_skill_time', ['skill_name', 'invoked_at', 'completed', 'duration_seconds']);
    await replaceIndex(db, 'idx_invocation_invoked_at', ['invoked_at', 'session_id']);
    if (dialectOf(db) !== 'sqlite') return;
    await sql`
      CREATE TABLE skill_invocation_time_bounds (
        block INTEGER PRIMARY KEY,
        max_invoked_at INTEGER NOT NULL
      )`.execute(db);
    await sql`
      INSERT INTO skill_invocation_time_bounds (block, max_invoked_at)
      SELECT block, max(block_max) OVER (ORDER BY block ROWS UNBOUNDED PRECEDING)
      FROM (
        SELECT rowid >> ${sql.lit(TIME_BOUNDS_BLOCK_SHIFT)} AS block, max(invoked_at) AS block_max
        FROM skill_invocation
        WHERE rowid <= (SELECT indexed_through FROM skill_invocation_fts_state)
        GROUP BY block
      )`.execute(db);
    await sql`
      CREATE TRIGGER skill_invocation_time_bounds_after_update AFTER UPDATE OF invoked_at ON skill_invocation
      WHEN new.invoked_at > old.invoked_at AND new.rowid <= (SELECT indexed_through FROM skill_invocation_fts_state) BEGIN
        UPDATE skill_invocation_time_bounds SET max_invoked_at = new.invoked_at
        WHERE block >= new.rowid >> ${sql.lit(TIME_BOUNDS_BLOCK_SHIFT)} AND max_invoked_at < new.invoked_at;
      END`.execute(db);
  },

  async down(db) {
    if (dialectOf(db) === 'sqlite') {
      await sql`DROP TRIGGER skill_invocation_time_bounds_after_update`.execute(db);
      await sql`DROP TABLE skill_invocation_time_bounds`.execute(db);
    }
    await replaceIndex(db, 'idx_invocation_invoked_at', ['invoked_at']);
    await replaceIndex(db, 'idx_invocation_skill_time', ['skill_name', 'invoked_at']);
  },
});

async function replaceIndex(db: Kysely<any>, name: string, columns: string[]): Promise<void> {
  await db.schema.dropIndex(name).execute();
  await db.schema.createIndex(name).on('skill_invocation').columns(columns).execute();
}

/**
 * SQLite, schema 0012 on: extend `skill_invocation_time_bounds` over the rows with rowids in
 * (`after`, `through`], which are about to join the full-text index, inside the transaction that
 * indexes them (before `indexed_through` moves). Each of their blocks gets the running maximum of
 * `invoked_at` from the block before them on; blocks above `through` hold no row any more (the
 * rows with the largest rowids were deleted) and are dropped, so no stale bound outlives them.
 *
 * @example
 * await extendTimeBounds(db, 0, 1250);
 */
export async function extendTimeBounds(db: Kysely<any>, after: number, through: number): Promise<void> {
  const shift = sql.lit(TIME_BOUNDS_BLOCK_SHIFT);
  await sql`DELETE FROM skill_invocation_time_bounds WHERE block > ${through} >> ${shift}`.execute(db);
  if (through <= after) return;
  await sql`
    INSERT INTO skill_invocation_time_bounds (block, max_invoked_at)
    SELECT block, max(coalesce(earlier, running), running)
    FROM (
      SELECT block, max(block_max) OVER (ORDER BY block ROWS UNBOUNDED PRECEDING) AS running,
        (SELECT max_invoked_at FROM skill_invocation_time_bounds
         WHERE block <= (${after} + 1) >> ${shift} ORDER BY block DESC LIMIT 1) AS earlier
      FROM (
        SELECT rowid >> ${shift} AS block, max(invoked_at) AS block_max
        FROM skill_invocation
        WHERE rowid > ${after} AND rowid <= ${through}
        GROUP BY block
      )
    )
    WHERE true
    ON CONFLICT (block) DO UPDATE SET max_invoked_at = max(max_invoked_at, excluded.max_invoked_at)`.execute(db);
}
