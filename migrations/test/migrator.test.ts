import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMigrator,
  latestVersion,
  migrateDown,
  migrateTo,
  migrateToLatest,
  MigrationError,
  migrationStatus,
  NewerSchemaError,
  DataLossError,
  rollbackLosses,
  migrations,
} from '../src/index.js';
import { dialects, type TestDatabase } from './databases.js';
import { snapshotSchema } from './introspect.js';

const ALL = [
  '0001_initial',
  '0002_search',
  '0003_workflow_correlation',
  '0004_analytics',
  '0005_abtest',
  '0006_predictor',
  '0007_collab',
  '0008_lean_ingest',
  '0009_integrations',
  '0010_ci_integrations',
  '0011_skill_phase_totals',
  '0012_read_paths',
];

it('exports the migrations in order, the last one as latestVersion', () => {
  expect(Object.keys(migrations).sort()).toEqual(ALL);
  expect(latestVersion).toBe('0012_read_paths');
  for (const migration of Object.values(migrations)) expect(typeof migration.down).toBe('function');
});

for (const factory of dialects) {
  describe(`migrator (${factory.name})`, () => {
    let t: TestDatabase;
    beforeEach(async () => {
      t = await factory.create();
    });
    afterEach(() => t.destroy());

    async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      return error as MigrationError;
    }

    it('migrationStatus reports every migration pending on an empty database', async () => {
      expect(await migrationStatus(t.db)).toEqual(ALL.map((name) => ({ name, appliedAt: null })));
    });

    it('migrationStatus reports applied migrations with their time and the rest pending', async () => {
      const before = Date.now();
      await migrateTo(t.db, '0002_search');
      const status = await migrationStatus(t.db);
      expect(status.map((s) => [s.name, s.appliedAt === null])).toEqual([
        ['0001_initial', false],
        ['0002_search', false],
        ['0003_workflow_correlation', true],
        ['0004_analytics', true],
        ['0005_abtest', true],
        ['0006_predictor', true],
        ['0007_collab', true],
        ['0008_lean_ingest', true],
        ['0009_integrations', true],
        ['0010_ci_integrations', true],
        ['0011_skill_phase_totals', true],
        ['0012_read_paths', true],
      ]);
      expect(status[0]!.appliedAt).toBeGreaterThanOrEqual(before);
      expect(status[1]!.appliedAt).toBeLessThanOrEqual(Date.now());
    });

    it('migrateToLatest applies what is pending and nothing twice', async () => {
      await migrateTo(t.db, '0001_initial');
      expect(await migrateToLatest(t.db)).toEqual(ALL.slice(1));
      expect(await migrateToLatest(t.db)).toEqual([]);
    });

    it('migrateTo moves up or down to the named version, or to none', async () => {
      expect(await migrateTo(t.db, '0003_workflow_correlation')).toEqual(ALL.slice(0, 3));
      expect(await migrateTo(t.db, '0001_initial')).toEqual(['0003_workflow_correlation', '0002_search']);
      expect(await migrateTo(t.db, null)).toEqual(['0001_initial']);
      expect(await migrateTo(t.db, null)).toEqual([]);
    });

    it('createMigrator gives a Kysely Migrator over the same migrations', async () => {
      const migrator = createMigrator(t.db, t.schema ? { migrationTableSchema: t.schema } : {});
      // Kysely's Migrator introspects every schema of the database before it migrates (PostgreSQL:
      // pg_get_serial_sequence per column); a schema another test file drops at that moment fails
      // the introspection with 3F000 naming that schema, before anything ran: try again then.
      let attempt = await migrator.migrateTo('0002_search');
      for (let i = 0; i < 3 && droppedElsewhere(attempt.error, t.schema); i++) attempt = await migrator.migrateTo('0002_search');
      const { error, results } = attempt;
      expect(error).toBeUndefined();
      expect(results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
        ['0001_initial', 'Up', 'Success'],
        ['0002_search', 'Up', 'Success'],
      ]);
      expect((await migrationStatus(t.db)).map((s) => s.appliedAt !== null)).toEqual([
        true,
        true,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
    });

    it('migrateDown rolls back the newest first, one step by default, never past the first', async () => {
      await migrateToLatest(t.db);
      expect(await migrateDown(t.db)).toEqual(['0012_read_paths']);
      expect(await migrateDown(t.db, 11)).toEqual([
        '0011_skill_phase_totals',
        '0010_ci_integrations',
        '0009_integrations',
        '0008_lean_ingest',
        '0007_collab',
        '0006_predictor',
        '0005_abtest',
        '0004_analytics',
        '0003_workflow_correlation',
        '0002_search',
        '0001_initial',
      ]);
      expect(await migrateDown(t.db)).toEqual([]);
      expect(await migrateDown(t.db, 0)).toEqual([]);
      await expect(migrateDown(t.db, -1)).rejects.toThrow(RangeError);
    });

    it('a failing migration throws MigrationError naming it and leaves none of its schema', async () => {
      await migrateTo(t.db, '0003_workflow_correlation');
      await t.db.schema.createTable('skill_metrics_cache').addColumn('x', 'text').execute();
      const before = await snapshotSchema(t.db, t.dialect);

      const error = await rejection(migrateToLatest(t.db));
      expect(error.migrationName).toBe('0004_analytics');
      expect(error.direction).toBe('up');
      expect(error.message).toMatch(/^Migration 0004_analytics failed \(up\): .*skill_metrics_cache/);
      expect(error.cause).toBeInstanceOf(Error);

      // skill_time_series is created before the collision: the transaction took it back.
      expect(await snapshotSchema(t.db, t.dialect)).toEqual(before);
      expect((await migrationStatus(t.db)).at(-1)).toEqual({ name: '0012_read_paths', appliedAt: null });

      await t.db.schema.dropTable('skill_metrics_cache').execute();
      expect(await migrateToLatest(t.db)).toEqual([
        '0004_analytics',
        '0005_abtest',
        '0006_predictor',
        '0007_collab',
        '0008_lean_ingest',
        '0009_integrations',
        '0010_ci_integrations',
        '0011_skill_phase_totals',
        '0012_read_paths',
      ]);
    });

    it('a failing rollback throws MigrationError naming the migration and direction', async () => {
      await migrateTo(t.db, '0003_workflow_correlation');
      // Someone removed a view by hand: V3's down cannot drop it.
      await t.db.schema.dropView('v_skills_by_phase_usage').execute();
      const error = await rejection(migrateDown(t.db));
      expect(error.migrationName).toBe('0003_workflow_correlation');
      expect(error.direction).toBe('down');
      expect((await migrationStatus(t.db)).map((s) => s.appliedAt !== null)).toEqual([
        true,
        true,
        true,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
    });

    it('a store written by a newer version is named as such by every function, status included', async () => {
      await migrateToLatest(t.db);
      await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('0099_from_the_future', ${new Date().toISOString()})`.execute(t.db);
      const message = 'this store was written by a newer version (migration 0099_from_the_future); upgrade to a version that knows it';
      for (const run of [
        () => migrateToLatest(t.db),
        () => migrationStatus(t.db),
        () => migrateDown(t.db),
        () => migrateTo(t.db, '0007_collab'),
      ]) {
        const error = await rejection(run());
        expect(error).toBeInstanceOf(NewerSchemaError);
        expect(error.message).toBe(message);
        expect((error as NewerSchemaError).unknownMigrations).toEqual(['0099_from_the_future']);
      }
      expect((await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(t.db)).rows.map((r) => r.name)).toEqual([
        ...ALL,
        '0099_from_the_future',
      ]);
    });

    it('refuses a rollback that destroys data, lists it, changes nothing, and runs it when named', async () => {
      await migrateToLatest(t.db);
      await sql`INSERT INTO skill_user_opt_outs (user_id, forgotten_at) VALUES ('p1', 1), ('p2', 2)`.execute(t.db);
      await sql`INSERT INTO store_settings (key, value, updated_at) VALUES ('check', 'x', 1)`.execute(t.db);
      await sql`INSERT INTO skill_time_series (skill_name, hour_start) VALUES ('a', 0)`.execute(t.db);
      const before = await snapshotSchema(t.db, t.dialect);

      const error = await migrateDown(t.db, 6).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataLossError);
      expect((error as DataLossError).migrations).toEqual(['0007_collab']);
      expect((error as DataLossError).message).toBe(
        'rolling back 0007_collab would destroy data: table skill_user_opt_outs (the list of forgotten users (they would come back on the next open with a secret)), 2 rows; table store_settings (the user-pseudonym secret check (any secret would then be accepted)), 1 row',
      );
      expect(await snapshotSchema(t.db, t.dialect)).toEqual(before);
      expect((await migrationStatus(t.db)).every((m) => m.appliedAt !== null)).toBe(true);

      // Hourly rollups are derived: listed, never a reason to refuse.
      expect((await rollbackLosses(t.db, 9)).map((l) => [l.migration, l.what.split(' (')[0], l.rows, l.kind])).toEqual([
        ['0007_collab', 'table skill_user_opt_outs', 2, 'data'],
        ['0007_collab', 'table store_settings', 1, 'data'],
        ['0004_analytics', 'table skill_time_series', 1, 'derived'],
      ]);
      expect(await migrateDown(t.db, 6, { allowDataLoss: ['0007_collab'] })).toEqual([
        '0012_read_paths',
        '0011_skill_phase_totals',
        '0010_ci_integrations',
        '0009_integrations',
        '0008_lean_ingest',
        '0007_collab',
      ]);
      expect(await migrateDown(t.db, 3)).toEqual(['0006_predictor', '0005_abtest', '0004_analytics']);
    });

    it('a history with a gap throws MigrationError naming both migrations', async () => {
      await migrateToLatest(t.db);
      await sql`DELETE FROM kysely_migration WHERE name = '0003_workflow_correlation'`.execute(t.db);
      const error = await rejection(migrateToLatest(t.db));
      expect(error.migrationName).toBeNull();
      expect(error.message).toBe(
        'Migration run failed: corrupted migration history: 0004_analytics is applied but 0003_workflow_correlation before it is not',
      );
    });

    if (factory.name === 'postgres')
      it('keeps its bookkeeping in its own schema when another schema has Kysely tables', async () => {
        const other = `${t.schema}_other`;
        await sql`CREATE SCHEMA ${sql.id(other)}`.execute(t.db);
        try {
          await sql`CREATE TABLE ${sql.id(other, 'kysely_migration')} (name varchar(255) PRIMARY KEY, timestamp varchar(255) NOT NULL)`.execute(
            t.db,
          );
          await sql`CREATE TABLE ${sql.id(other, 'kysely_migration_lock')} (id varchar(255) PRIMARY KEY, is_locked integer NOT NULL DEFAULT 0)`.execute(
            t.db,
          );
          expect(await migrateToLatest(t.db)).toEqual(ALL);
          expect((await migrationStatus(t.db)).every((s) => s.appliedAt !== null)).toBe(true);
        } finally {
          await sql`DROP SCHEMA ${sql.id(other)} CASCADE`.execute(t.db);
        }
      });

    it('keeps its bookkeeping in the tables named by the options', async () => {
      const options = { migrationTableName: 'skills_migration', migrationLockTableName: 'skills_migration_lock' };
      await migrateToLatest(t.db, options);
      expect((await migrationStatus(t.db, options)).every((s) => s.appliedAt !== null)).toBe(true);
      expect((await migrationStatus(t.db)).every((s) => s.appliedAt === null)).toBe(true);
    });
  });
}

/** A "schema does not exist" error about a schema other than the test's own. */
function droppedElsewhere(error: unknown, own: string | null): boolean {
  const failure = error as { code?: string; message?: string } | undefined;
  return failure?.code === '3F000' && own !== null && !String(failure.message).includes(own);
}
