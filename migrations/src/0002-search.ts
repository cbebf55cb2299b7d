import { sql, type Kysely } from 'kysely';
import { defineMigration } from './define-migration.js';
import { dialectOf } from './dialect.js';

/**
 * V2: an `embedding` column for semantic search and a full-text index over `user_query`.
 *
 * SQLite: an FTS5 table with external content (the text is not stored twice), kept in sync by
 * triggers and populated from the rows that already exist — the original created the FTS table
 * but never filled it. PostgreSQL: a stored generated tsvector column with a GIN index, which
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
  // The standard external-content triggers: an FTS5 'delete' must be given the values that were
  // indexed, which the AFTER triggers still see as OLD.
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_insert AFTER INSERT ON skill_invocation BEGIN
      INSERT INTO skill_invocation_fts (rowid, user_query) VALUES (new.rowid, new.user_query);
    END`.execute(db);
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_delete AFTER DELETE ON skill_invocation BEGIN
      INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
      VALUES ('delete', old.rowid, old.user_query);
    END`.execute(db);
  await sql`
    CREATE TRIGGER skill_invocation_fts_after_update AFTER UPDATE OF user_query ON skill_invocation BEGIN
      INSERT INTO skill_invocation_fts (skill_invocation_fts, rowid, user_query)
      VALUES ('delete', old.rowid, old.user_query);
      INSERT INTO skill_invocation_fts (rowid, user_query) VALUES (new.rowid, new.user_query);
    END`.execute(db);
  await sql`INSERT INTO skill_invocation_fts (skill_invocation_fts) VALUES ('rebuild')`.execute(db);
}

async function dropSqliteFullText(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER skill_invocation_fts_after_update`.execute(db);
  await sql`DROP TRIGGER skill_invocation_fts_after_delete`.execute(db);
  await sql`DROP TRIGGER skill_invocation_fts_after_insert`.execute(db);
  await sql`DROP TABLE skill_invocation_fts`.execute(db);
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
  await db.schema
    .createIndex('idx_invocation_user_query_tsv')
    .on('skill_invocation')
    .using('gin')
    .column('user_query_tsv')
    .execute();
}

async function dropPostgresFullText(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('idx_invocation_user_query_tsv').execute();
  await db.schema.alterTable('skill_invocation').dropColumn('user_query_tsv').execute();
}
