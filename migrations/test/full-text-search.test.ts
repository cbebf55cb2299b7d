import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasPendingSearchRows, indexPendingSearchRows, migrateDown, migrateTo, migrateToLatest } from '../src/index.js';
import { dialects, type DialectName, type TestDatabase } from './databases.js';
import { insertInvocations, invocation, type TestSchema } from './fixtures.js';

/** Ids of the invocations whose user_query matches `text`, the way the store searches. */
async function search(db: Kysely<TestSchema>, dialect: DialectName, text: string): Promise<string[]> {
  await indexPendingSearchRows(db);
  const { rows } =
    dialect === 'sqlite'
      ? await sql<{ id: string }>`
          SELECT si.id FROM skill_invocation_fts f
          JOIN skill_invocation si ON si.rowid = f.rowid
          WHERE skill_invocation_fts MATCH ${text} ORDER BY si.id`.execute(db)
      : await sql<{ id: string }>`
          SELECT id FROM skill_invocation
          WHERE user_query_tsv @@ plainto_tsquery('english', ${text}) ORDER BY id`.execute(db);
  return rows.map((r) => r.id);
}

async function expectIndexConsistent(db: Kysely<TestSchema>, dialect: DialectName): Promise<void> {
  // FTS5 compares its index with the external content table and throws on any difference.
  if (dialect === 'sqlite') {
    await sql`INSERT INTO skill_invocation_fts (skill_invocation_fts) VALUES ('integrity-check')`.execute(db);
  }
}

for (const factory of dialects) {
  describe(`full-text search over user_query (${factory.name})`, () => {
    let t: TestDatabase;
    let db: Kysely<TestSchema>;
    beforeEach(async () => {
      t = await factory.create();
      db = t.db as Kysely<TestSchema>;
      await migrateTo(db, '0001_initial');
      await insertInvocations(db, [invocation('before', { user_query: 'running the unit tests' }), invocation('no-query')]);
      await migrateToLatest(db);
      await insertInvocations(db, [invocation('after', { user_query: 'deploy the build to staging' })]);
    });
    afterEach(() => t.destroy());

    it('finds rows inserted before and after the search migration, with stemming', async () => {
      expect(await search(db, t.dialect, 'run tests')).toEqual(['before']);
      expect(await search(db, t.dialect, 'deploying')).toEqual(['after']);
      await expectIndexConsistent(db, t.dialect);
    });

    it('indexes new rows on SQLite in one pass above a watermark, with no insert trigger', async () => {
      if (t.dialect !== 'sqlite') {
        expect(await hasPendingSearchRows(db)).toBe(false);
        expect(await indexPendingSearchRows(db)).toBe(0);
        return;
      }
      const triggers = await sql<{ name: string }>`
        SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'skill_invocation' ORDER BY name`.execute(db);
      expect(triggers.rows.map((r) => r.name)).toEqual(['skill_invocation_fts_after_delete', 'skill_invocation_fts_after_update']);
      expect(await hasPendingSearchRows(db)).toBe(true);
      expect(await indexPendingSearchRows(db)).toBe(1);
      expect(await hasPendingSearchRows(db)).toBe(false);
      expect(await indexPendingSearchRows(db)).toBe(0);
      await expectIndexConsistent(db, t.dialect);
    });

    it('indexes a row that takes the rowid of deleted newest rows', async () => {
      await indexPendingSearchRows(db);
      // 'after' has the largest rowid and is indexed; once it is gone SQLite hands its rowid out again.
      await db.deleteFrom('skill_invocation').where('id', '=', 'after').execute();
      await insertInvocations(db, [invocation('reused', { user_query: 'deploy the docs' })]);
      expect(await search(db, t.dialect, 'deploy')).toEqual(['reused']);
      await expectIndexConsistent(db, t.dialect);
    });

    it('lets a row changed before it was indexed be indexed with its new text', async () => {
      await insertInvocations(db, [invocation('late', { user_query: 'first words' })]);
      await db.updateTable('skill_invocation').set({ user_query: 'second thoughts' }).where('id', '=', 'late').execute();
      expect(await search(db, t.dialect, 'first')).toEqual([]);
      expect(await search(db, t.dialect, 'second')).toEqual(['late']);
      await expectIndexConsistent(db, t.dialect);
    });

    it('keeps rows not yet indexed across 0008 down and up', async () => {
      await insertInvocations(db, [invocation('pending', { user_query: 'profile the parser' })]);
      await migrateDown(db, 2);
      await insertInvocations(db, [invocation('queued', { user_query: 'parser benchmarks' })]);
      await migrateToLatest(db);
      expect(await search(db, t.dialect, 'parser')).toEqual(['pending', 'queued']);
      await expectIndexConsistent(db, t.dialect);
    });

    it('forgets a deleted row, whether it was still queued or already indexed', async () => {
      await db.deleteFrom('skill_invocation').where('id', '=', 'after').execute();
      expect(await search(db, t.dialect, 'deploying')).toEqual([]);
      await db.deleteFrom('skill_invocation').where('id', '=', 'before').execute();
      expect(await search(db, t.dialect, 'tests')).toEqual([]);
      await expectIndexConsistent(db, t.dialect);
    });

    it('follows an updated query', async () => {
      await db.updateTable('skill_invocation').set({ user_query: 'roll back production' }).where('id', '=', 'after').execute();
      await db.updateTable('skill_invocation').set({ user_query: 'production tests' }).where('id', '=', 'no-query').execute();
      expect(await search(db, t.dialect, 'staging')).toEqual([]);
      expect(await search(db, t.dialect, 'production')).toEqual(['after', 'no-query']);
      await expectIndexConsistent(db, t.dialect);
    });

    it('is rebuilt from the rows when the search migration is re-applied', async () => {
      await migrateDown(db, 8);
      await insertInvocations(db, [invocation('while-down', { user_query: 'lint the staging branch' })]);
      await migrateToLatest(db);
      expect(await search(db, t.dialect, 'staging')).toEqual(['after', 'while-down']);
      await expectIndexConsistent(db, t.dialect);
    });
  });
}
