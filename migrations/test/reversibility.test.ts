import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataLossError, migrateDown, migrateTo, migrations, type MigrationName } from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { insertInvocations, invocation, T0, type TestSchema } from './fixtures.js';
import { snapshotSchema, type SchemaSnapshot } from './introspect.js';

const names = Object.keys(migrations).sort() as MigrationName[];

for (const factory of dialects) {
  describe(`reversibility (${factory.name})`, () => {
    let t: TestDatabase;
    beforeEach(async () => {
      t = await factory.create();
    });
    afterEach(() => t.destroy());

    /** Snapshot after each version applied one at a time from an empty database: index 0 = empty. */
    async function snapshotsGoingUp(): Promise<SchemaSnapshot[]> {
      const snapshots = [await snapshotSchema(t.db, t.dialect)];
      for (const name of names) {
        await migrateTo(t.db, name);
        snapshots.push(await snapshotSchema(t.db, t.dialect));
      }
      return snapshots;
    }

    it('each version adds something to the schema', async () => {
      const snapshots = await snapshotsGoingUp();
      for (let k = 1; k < snapshots.length; k++) {
        expect(snapshots[k], names[k - 1]).not.toEqual(snapshots[k - 1]);
      }
    });

    it('rolling back from the latest version to k gives the schema of version k', async () => {
      const snapshots = await snapshotsGoingUp();
      for (let k = names.length - 1; k >= 0; k--) {
        expect(await migrateDown(t.db)).toEqual([names[k]]);
        expect(await snapshotSchema(t.db, t.dialect), `down to version ${k}`).toEqual(snapshots[k]);
      }
    });

    it('up, down, up again leaves the same schema at every version', async () => {
      let previous = await snapshotSchema(t.db, t.dialect);
      for (const name of names) {
        await migrateTo(t.db, name);
        const applied = await snapshotSchema(t.db, t.dialect);
        await migrateDown(t.db);
        expect(await snapshotSchema(t.db, t.dialect), `${name} down`).toEqual(previous);
        await migrateTo(t.db, name);
        expect(await snapshotSchema(t.db, t.dialect), `${name} up again`).toEqual(applied);
        previous = applied;
      }
    });

    it('rolling back V4, V3 and V2 keeps the invocations and their V1 columns', async () => {
      const db = t.db as Kysely<TestSchema>;
      await migrateTo(db, '0004_analytics');
      await insertInvocations(db, [
        invocation('a', { user_query: 'run the tests', workflow_phase: 'execution', completed: 1 }),
        invocation('b', { invoked_at: T0 + 1, user_id: 'u1' }),
      ]);
      await db.insertInto('skill_modalities').values({ skill_name: 'x', modality_type: 'code', requires_human_review: 0 }).execute();

      // The modality and the phase are data those downs destroy: they must be named to go.
      await expect(migrateDown(db, 3)).rejects.toThrow(DataLossError);
      expect(await migrateDown(db, 3, { allowDataLoss: ['0004_analytics', '0003_workflow_correlation'] })).toEqual([
        '0004_analytics',
        '0003_workflow_correlation',
        '0002_search',
      ]);

      const rows = await db.selectFrom('skill_invocation').select(['id', 'user_query', 'completed', 'user_id']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'a', user_query: 'run the tests', completed: 1, user_id: null },
        { id: 'b', user_query: null, completed: 0, user_id: 'u1' },
      ]);
      const summary = await db.selectFrom('v_session_skill_summary').select('total_invocations').execute();
      expect(summary).toEqual([{ total_invocations: 2 }]);
    });
  });
}
