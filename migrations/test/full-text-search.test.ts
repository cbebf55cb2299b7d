import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hasPendingSearchRows,
  indexPendingSearchRows,
  migrateDown,
  migrateTo,
  migrateToLatest,
  migrations,
  TIME_BOUNDS_BLOCK_SHIFT,
} from '../src/index.js';
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

/** Steps that roll the latest schema back through `name` (it included). */
const downThrough = (name: string) => Object.keys(migrations).filter((m) => m >= name).length;

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
      expect(triggers.rows.map((r) => r.name)).toEqual([
        'skill_invocation_fts_after_delete',
        'skill_invocation_fts_after_update',
        // 0012: raises the search's time bounds when an indexed row's time moves later (no insert trigger either).
        'skill_invocation_time_bounds_after_update',
      ]);
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
      await migrateDown(db, downThrough('0008_lean_ingest'));
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

    if (factory.name === 'sqlite')
      it('keeps the time bounds of the indexed rows: backfilled by 0012, extended with the index, cut when the top rows go', async () => {
        // Rows out of time order across several blocks of rowids, some recorded before 0012.
        const at = (n: number) => 1_000_000 + ((n * 7_919) % 5_000) * 1_000;
        const batch = (from: number, count: number) =>
          Array.from({ length: count }, (_, k) => invocation(`t${from + k}`, { invoked_at: at(from + k), user_query: `step ${from + k}` }));
        await migrateDown(db, 1);
        for (let n = 0; n < 3_000; n += 500) await insertInvocations(db, batch(n, 500));
        await indexPendingSearchRows(db);
        await migrateToLatest(db);
        const expected = async () => {
          const { rows } = await sql<{ rowid: number; invoked_at: number }>`
            SELECT rowid, invoked_at FROM skill_invocation
            WHERE rowid <= (SELECT indexed_through FROM skill_invocation_fts_state) ORDER BY rowid`.execute(db);
          const bounds: [number, number][] = [];
          let running = -Infinity;
          for (const row of rows) {
            running = Math.max(running, Number(row.invoked_at));
            const block = Number(row.rowid) >> TIME_BOUNDS_BLOCK_SHIFT;
            if (bounds.at(-1)?.[0] === block) bounds.at(-1)![1] = running;
            else bounds.push([block, running]);
          }
          return bounds;
        };
        const stored = async () =>
          (
            await sql<{ block: number; max_invoked_at: number }>`
              SELECT block, max_invoked_at FROM skill_invocation_time_bounds ORDER BY block`.execute(db)
          ).rows.map((r): [number, number] => [Number(r.block), Number(r.max_invoked_at)]);
        expect((await expected()).length).toBeGreaterThan(2);
        expect(await stored()).toEqual(await expected());

        await insertInvocations(db, batch(3_000, 1_500));
        await indexPendingSearchRows(db);
        expect(await stored()).toEqual(await expected());

        // The newest 1,400 rows go, 200 arrive in their rowids: the blocks above the new last row
        // go, the block it shares with deleted rows keeps their times (a bound need only be at
        // least the rows' greatest time), the blocks below are unchanged.
        const beforeDelete = await stored();
        await sql`DELETE FROM skill_invocation WHERE rowid > (SELECT max(rowid) - 1400 FROM skill_invocation)`.execute(db);
        await insertInvocations(db, batch(5_000, 200));
        await indexPendingSearchRows(db);
        const want = await expected();
        const got = await stored();
        expect(got.map(([block]) => block)).toEqual(want.map(([block]) => block));
        const shared = want.at(-1)![0];
        expect(got.slice(0, -1)).toEqual(want.slice(0, -1));
        expect(got.at(-1)![1]).toBe(Math.max(want.at(-1)![1], beforeDelete.find(([block]) => block === shared)![1]));
        await expectIndexConsistent(db, t.dialect);
      });

    it('is rebuilt from the rows when the search migration is re-applied', async () => {
      await migrateDown(db, downThrough('0002_search'));
      await insertInvocations(db, [invocation('while-down', { user_query: 'lint the staging branch' })]);
      await migrateToLatest(db);
      expect(await search(db, t.dialect, 'staging')).toEqual(['after', 'while-down']);
      await expectIndexConsistent(db, t.dialect);
    });
  });
}
