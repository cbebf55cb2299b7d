import { sql, type Kysely } from 'kysely';
import { defineMigration } from './define-migration.js';
import { dialectOf } from './dialect.js';

/**
 * V2: an `embedding` column for semantic search and a full-text index over `user_query`.
 *
 * SQLite: an FTS5 table with external content (the text is not stored twice), populated from the
 * rows that already exist — the original created the FTS table but never filled it. New rows are
 * queued by a trigger and indexed in bulk before each search, which keeps ingest fast; deletes and
 * updates keep the index exact (0008 replaces the queue with a cheaper watermark). PostgreSQL: a stored generated tsvector column with a GIN index, which
 * PostgreSQL maintains itself.
 */
export const search = defineMigration({
  async up(db) {
    const dialect = dialectOf(db);
    await db.schema
      .alterTable('skill_invocation')
      .addColumn('embedding', dialect === 'sqlite' ? 'blob' : 'bytea')
      .execute();
    if (dialect === 'sqlite') await createSqliteFullText(db);
    else await createPostgresFullText(db);
  },

  async down(db) {
    if (dialectOf(db) === 'sqlite') await dropSqliteFullText(db);
    else await dropPostgresFullText(db);
    await db.schema.alterTable('skill_invocation').dropColumn('embedding').execute();
  },
});

async function createSqliteFullText(db: Kysely<any>): Promise<void> {
  // The FTS rows are keyed by skill_invocation's implicit rowid (its primary key is TEXT).
  await sql`
    CREATE VIRTUAL TABLE skill_invocation_fts USING fts5(
      user_query,
      content = 'skill_invocation',
      content_rowid = 'rowid',
      tokenize = 'porter unicode61'
    )`.execute(db);
  await createSearchQueue(db);
  await sql`INSERT INTO skill_invocation_fts (skill_invocation_fts) VALUES ('rebuild')`.execute(db);
}

async function dropSqliteFullText(db: Kysely<any>): Promise<void> {
  await dropSearchQueue(db);
  await sql`DROP TABLE skill_invocation_fts`.execute(db);
}

/**
 * SQLite, schema 0002–0007: new rows are queued by a trigger in `skill_invocation_fts_pending`.
 * 0008 replaces the queue with a watermark (and its `down` brings the queue back).
 */
export async function createSearchQueue(db: Kysely<any>): Promise<void> {
  // Indexing a row in FTS5 costs several times the insert itself, so new rows are only queued
  // here (an integer append) and the store indexes the queue in bulk before it searches.
  await sql`CREATE TABLE skill_invocation_fts_pending (row_id INTEGER PRIMARY KEY)`.execute(db);
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_insert AFTER INSERT ON skill_invocation
    WHEN new.user_query IS NOT NULL BEGIN
      INSERT OR IGNORE INTO skill_invocation_fts_pending (row_id) VALUES (new.rowid);
    END`.execute(db);
  // A row already indexed must be removed from FTS5 with the values it was indexed with (OLD);
  // a row still queued is only dequeued.
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_delete AFTER DELETE ON skill_invocation BEGIN
      INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
      SELECT 'delete', old.rowid, old.user_query
      WHERE old.user_query IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM skill_invocation_fts_pending WHERE row_id = old.rowid);
      DELETE FROM skill_invocation_fts_pending WHERE row_id = old.rowid;
    END`.execute(db);
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_update AFTER UPDATE OF user_query ON skill_invocation BEGIN
      INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
      SELECT 'delete', old.rowid, old.user_query
      WHERE old.user_query IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM skill_invocation_fts_pending WHERE row_id = old.rowid);
      DELETE FROM skill_invocation_fts_pending WHERE row_id = old.rowid;
      INSERT INTO skill_invocation_fts_pending (row_id) SELECT new.rowid WHERE new.user_query IS NOT NULL;
    END`.execute(db);
}

export async function dropSearchQueue(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER skill_invocation_fts_after_update`.execute(db);
  await sql`DROP TRIGGER skill_invocation_fts_after_delete`.execute(db);
  await sql`DROP TRIGGER skill_invocation_fts_after_insert`.execute(db);
  await sql`DROP TABLE skill_invocation_fts_pending`.execute(db);
}

/** SQLite, schema 0002–0007: index every queued row in one statement and empty the queue. */
export async function indexSearchQueue(db: Kysely<any>): Promise<number> {
  const result = await sql`
    INSERT INTO skill_invocation_fts (rowid, user_query)
    SELECT i.rowid, i.user_query FROM skill_invocation_fts_pending p
    JOIN skill_invocation i ON i.rowid = p.row_id
    WHERE i.user_query IS NOT NULL`.execute(db);
  await sql`DELETE FROM skill_invocation_fts_pending`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

async function createPostgresFullText(db: Kysely<any>): Promise<void> {
  // Adding a stored generated column rewrites the table once; afterwards PostgreSQL keeps the
  // vector current on every insert and update with no trigger of ours.
  await db.schema
    .alterTable('skill_invocation')
    .addColumn('user_query_tsv', sql`tsvector`, (col) =>
      col.generatedAlwaysAs(sql`to_tsvector('english', coalesce(user_query, ''))`).stored(),
    )
    .execute();
  await db.schema.createIndex('idx_invocation_user_query_tsv').on('skill_invocation').using('gin').column('user_query_tsv').execute();
}

async function dropPostgresFullText(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_invocation_user_query_tsv').execute();
  await db.schema.alterTable('skill_invocation').dropColumn('user_query_tsv').execute();
}
