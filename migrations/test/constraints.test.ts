import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { insertInvocations, invocation, T0, type TestSchema } from './fixtures.js';

for (const factory of dialects) {
  describe(`constraints (${factory.name}, foreign keys enforced)`, () => {
    let t: TestDatabase;
    let db: Kysely<TestSchema>;
    beforeEach(async () => {
      t = await factory.create();
      db = t.db as Kysely<TestSchema>;
      await migrateToLatest(db);
    });
    afterEach(() => t.destroy());

    const config = {
      id: 't1',
      test_name: 'first',
      description: null,
      control_strategy: 'popular',
      treatment_strategy: 'collaborative',
      variants: '[]',
      assignment_ratio: 0.5,
      metrics: '[]',
      min_sample_size: 100,
      start_date: T0,
      end_date: null,
      status: 'running',
      salt: 's',
      options: '{}',
      created_at: T0,
    };

    it('accepts analytics rows for skills that were never invoked', async () => {
      await db
        .insertInto('skill_dependencies')
        .values({
          skill_a: 'x',
          skill_b: 'y',
          source: 'declared',
          co_occurrence_count: 0,
          support: null,
          confidence: null,
          lift_score: 1,
          updated_at: T0,
        })
        .execute();
      await db
        .insertInto('skill_user_interactions')
        .values({ user_id: 'u', skill_name: 'x', invocation_count: 1, completed_count: 0, first_used: T0, last_used: T0 })
        .execute();
      await db
        .insertInto('skill_anomalies')
        .values({
          id: 'a1',
          skill_name: 'x',
          anomaly_type: 'drop',
          metric: 'completion_rate',
          bucket_start: T0,
          baseline_value: 0.9,
          observed_value: 0.2,
          deviation_score: 5,
          method: 'zscore',
          reason: 'r',
          detected_at: T0,
          resolved_at: null,
        })
        .execute();
      const count = await db
        .selectFrom('skill_metrics')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(count.n).toBe(0);
    });

    it('deletes the assignments and outcomes of a deleted A/B test', async () => {
      await db.insertInto('ab_test_configs').values(config).execute();
      await db.insertInto('ab_test_assignments').values({ test_id: 't1', user_id: 'u1', variant: 'control', assigned_at: T0 }).execute();
      await db
        .insertInto('ab_test_outcomes')
        .values({
          id: 'o1',
          test_id: 't1',
          user_id: 'u1',
          variant: 'control',
          skill_name: null,
          completed: 1,
          duration_seconds: null,
          user_rating: null,
          recorded_at: T0,
        })
        .execute();
      await db.deleteFrom('ab_test_configs').where('id', '=', 't1').execute();
      expect(await db.selectFrom('ab_test_assignments').select('user_id').execute()).toEqual([]);
      expect(await db.selectFrom('ab_test_outcomes').select('id').execute()).toEqual([]);
    });

    it('rejects an assignment to an unknown test and a second test with the same name', async () => {
      await expect(
        db.insertInto('ab_test_assignments').values({ test_id: 'nope', user_id: 'u1', variant: 'control', assigned_at: T0 }).execute(),
      ).rejects.toThrow(/foreign key/i);
      await db.insertInto('ab_test_configs').values(config).execute();
      await expect(
        db
          .insertInto('ab_test_configs')
          .values({ ...config, id: 't2' })
          .execute(),
      ).rejects.toThrow(/unique/i);
    });

    it('deletes the mappings of a deleted category', async () => {
      await db
        .insertInto('skill_categories')
        .values({ category_name: 'testing', domain: 'testing', description: null, parent_category: null, created_at: T0 })
        .execute();
      await db
        .insertInto('skill_category_mapping')
        .values({ skill_name: 'pytest-run', category_name: 'testing', confidence: 0.9, created_at: T0 })
        .execute();
      await db.deleteFrom('skill_categories').where('category_name', '=', 'testing').execute();
      expect(await db.selectFrom('skill_category_mapping').select('skill_name').execute()).toEqual([]);
    });

    it('ignores a second invocation with the same id when asked to', async () => {
      await insertInvocations(db, [invocation('dup', { user_query: 'first' })]);
      await db
        .insertInto('skill_invocation')
        .values(invocation('dup', { user_query: 'second' }))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const rows = await db.selectFrom('skill_invocation').select(['id', 'user_query']).execute();
      expect(rows).toEqual([{ id: 'dup', user_query: 'first' }]);
    });

    it('round-trips epoch-millisecond timestamps beyond 32 bits exactly', async () => {
      const far = Date.UTC(2200, 0, 1, 0, 0, 0, 123);
      await insertInvocations(db, [invocation('far', { invoked_at: far, created_at: far })]);
      const row = await db.selectFrom('skill_invocation').select(['invoked_at']).executeTakeFirstOrThrow();
      expect(row.invoked_at).toBe(far);
    });
  });
}
