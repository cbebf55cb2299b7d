import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateTo } from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { insertInvocations, invocation, metricsRow, T0, type TestSchema } from './fixtures.js';

for (const factory of dialects) {
  describe(`0007_collab (${factory.name})`, () => {
    let t: TestDatabase;
    let db: Kysely<TestSchema>;
    beforeEach(async () => {
      t = await factory.create();
      db = t.db as Kysely<TestSchema>;
      await migrateTo(db, '0006_predictor');
    });
    afterEach(() => t.destroy());

    it('fills workflow_phases from the stored invocations, phases kept verbatim', async () => {
      await insertInvocations(db, [
        invocation('1', { skill_name: 'a', workflow_phase: 'execution' }),
        invocation('2', { skill_name: 'a', workflow_phase: 'execution', invoked_at: T0 + 1 }),
        invocation('3', { skill_name: 'a', workflow_phase: 'setup.v2[0]', invoked_at: T0 + 2 }),
        invocation('4', { skill_name: 'a', invoked_at: T0 + 3 }),
        invocation('5', { skill_name: 'b', invoked_at: T0 + 4 }),
      ]);
      // Rows as V6 has them: without the column V7 adds.
      const v6 = (skill: string) => {
        const { workflow_phases: _, ...row } = metricsRow(skill);
        return row as ReturnType<typeof metricsRow>;
      };
      await db
        .insertInto('skill_metrics')
        .values([v6('a'), v6('b')])
        .execute();
      await migrateTo(db, '0007_collab');
      const rows = await db.selectFrom('skill_metrics').select(['skill_name', 'workflow_phases']).orderBy('skill_name').execute();
      expect(rows.map((r) => [r.skill_name, JSON.parse(r.workflow_phases)])).toEqual([
        ['a', { execution: 2, 'setup.v2[0]': 1 }],
        ['b', {}],
      ]);
    });

    it('keeps the stored interactions through the SQLite table rebuild, both ways', async () => {
      const row = { user_id: 'p1', skill_name: 'a', invocation_count: 3, completed_count: 2, first_used: T0, last_used: T0 + 5 };
      await db.insertInto('skill_user_interactions').values(row).execute();
      await migrateTo(db, '0007_collab');
      expect(await db.selectFrom('skill_user_interactions').selectAll().execute()).toEqual([row]);
      await migrateTo(db, '0006_predictor');
      expect(await db.selectFrom('skill_user_interactions').selectAll().execute()).toEqual([row]);
    });
  });
}
