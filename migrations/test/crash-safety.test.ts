import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateTo, migrateToLatest, migrations, migrationStatus } from '../src/index.js';
import { insertInvocations, invocation, metricsRow, T0, type TestSchema } from './fixtures.js';
import { snapshotSchema, type SchemaSnapshot } from './introspect.js';

// These tests run the built package in child processes (`pnpm test` builds first).
const CHILD = fileURLToPath(new URL('./fixtures/migrate-child.mjs', import.meta.url));
const pgUrl = process.env.SKILLS_TEST_PG_URL;

interface ChildResult {
  signal: NodeJS.Signals | null;
  code: number | null;
  output: { statements: number; names?: string[]; error?: string } | null;
}

function runChild(config: object): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHILD, JSON.stringify(config)], (error, stdout) => {
      const failure = error as (Error & { signal?: NodeJS.Signals; code?: number }) | null;
      resolve({
        signal: failure?.signal ?? null,
        code: failure ? (failure.code ?? null) : 0,
        output: stdout ? JSON.parse(stdout) : null,
      });
    });
  });
}

/** A database the test can reach in-process and a child can reach by `target`. */
interface Place {
  db: Kysely<TestSchema>;
  target: { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string; schema: string };
  close(): Promise<void>;
}

interface PlaceFactory {
  name: 'sqlite' | 'postgres';
  /** A store at 0007 holding a few invocations (what a read command would upgrade). */
  atVersion7(): Promise<Place>;
  /** A store at the latest version with the same rows. */
  atLatest(): Promise<Place>;
  /** A new, empty database. */
  empty(): Promise<Place>;
  cleanup(): Promise<void>;
}

async function seed(db: Kysely<TestSchema>): Promise<void> {
  await insertInvocations(db, [
    invocation('a', { workflow_phase: 'execution', completed: 1, duration_seconds: 2, user_query: 'run the auth tests' }),
    invocation('b', { invoked_at: T0 + 3_600_000, workflow_phase: 'planning', user_id: 'u1' }),
  ]);
  await db
    .insertInto('skill_metrics')
    .values(metricsRow('pytest-run', { total_invocations: 2 }))
    .execute();
}

function sqlitePlaces(): PlaceFactory {
  const dir = mkdtempSync(join(tmpdir(), 'skills-crash-'));
  const templates = new Map<string, string>();
  const open = (file: string): Place => {
    const database = new Database(file);
    database.pragma('journal_mode = WAL');
    const db = new Kysely<TestSchema>({ dialect: new SqliteDialect({ database }) });
    return { db, target: { dialect: 'sqlite', file }, close: () => db.destroy() };
  };
  const fromTemplate = async (key: string, build: (db: Kysely<TestSchema>) => Promise<void>): Promise<Place> => {
    let template = templates.get(key);
    if (!template) {
      template = join(dir, `${key}.template.db`);
      const place = open(template);
      await build(place.db);
      await place.close(); // checkpoints the WAL into the file
      templates.set(key, template);
    }
    const file = join(dir, `${randomBytes(6).toString('hex')}.db`);
    copyFileSync(template, file);
    return open(file);
  };
  return {
    name: 'sqlite',
    atVersion7: () =>
      fromTemplate('v7', async (db) => {
        await migrateTo(db, '0007_collab');
        await seed(db);
      }),
    atLatest: () =>
      fromTemplate('latest', async (db) => {
        await migrateTo(db, '0007_collab');
        await seed(db);
        await migrateToLatest(db);
      }),
    empty: async () => open(join(dir, `${randomBytes(6).toString('hex')}.db`)),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresPlaces(url: string): PlaceFactory {
  const schemas: string[] = [];
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  const create = async (): Promise<Place> => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE SCHEMA ${schema}`);
    schemas.push(schema);
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 2 });
    const db = new Kysely<TestSchema>({ dialect: new PostgresDialect({ pool }) });
    return { db, target: { dialect: 'postgres', url, schema }, close: () => db.destroy() };
  };
  return {
    name: 'postgres',
    atVersion7: async () => {
      const place = await create();
      await migrateTo(place.db, '0007_collab');
      await seed(place.db);
      return place;
    },
    atLatest: async () => {
      const place = await create();
      await migrateTo(place.db, '0007_collab');
      await seed(place.db);
      await migrateToLatest(place.db);
      return place;
    },
    empty: create,
    cleanup: async () => {
      for (const schema of schemas) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const factories: PlaceFactory[] = [sqlitePlaces(), ...(pgUrl ? [postgresPlaces(pgUrl)] : [])];

/** Everything a migration run changes: the applied list, the schema, and the rows that 0008 fills. */
interface StoreState {
  applied: string[];
  schema: SchemaSnapshot;
  invocations: number;
}

async function stateOf(place: Place, dialect: 'sqlite' | 'postgres'): Promise<StoreState> {
  const applied = (await migrationStatus(place.db)).filter((m) => m.appliedAt !== null).map((m) => m.name);
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM skill_invocation`.execute(place.db);
  return { applied, schema: await snapshotSchema(place.db, dialect), invocations: Number(rows[0]!.n) };
}

/** A rollback goes from the latest (0012) back to the seeded 0007: five steps in one run. */
const DOWN_STEPS = 5;

for (const factory of factories) {
  // Child processes: slow on a loaded machine, so a generous timeout (seconds when idle).
  describe(`a migration run killed at any statement (${factory.name})`, { timeout: 180_000 }, () => {
    afterAll(() => factory.cleanup());

    /**
     * Run the child once to count its writing statements, then once per statement killed right
     * after it, and check that the store is then exactly before or exactly after the run, and
     * that the next run completes it.
     */
    async function killAtEveryStatement(
      action: 'up' | 'down',
      start: () => Promise<Place>,
      before: StoreState,
      after: StoreState,
    ): Promise<number> {
      const whole = await start();
      const complete = await runChild({ ...whole.target, action, steps: DOWN_STEPS });
      expect(complete.code, JSON.stringify(complete.output)).toBe(0);
      expect(await stateOf(whole, factory.name)).toEqual(after);
      await whole.close();
      const writes = complete.output!.statements;

      const trial = async (killAt: number) => {
        const place = await start();
        try {
          const result = await runChild({ ...place.target, action, killAt, steps: DOWN_STEPS });
          expect(result.signal, `statement ${killAt}`).toBe('SIGKILL');
          expect([before, after], `killed after statement ${killAt} of ${writes}`).toContainEqual(await stateOf(place, factory.name));
          if (action === 'up') await migrateToLatest(place.db);
          else await migrateTo(place.db, after.applied.at(-1) as never);
          expect(await stateOf(place, factory.name)).toEqual(after);
        } finally {
          await place.close();
        }
      };
      // Four at a time: most of a trial is process start-up.
      const killAts = Array.from({ length: writes }, (_, i) => i + 1);
      for (let i = 0; i < killAts.length; i += 4) await Promise.all(killAts.slice(i, i + 4).map(trial));
      return writes;
    }

    it('upgrading a populated 0007 store to the latest (0008 to 0012) leaves it at 0007 or at the latest, never between', async () => {
      const v7 = await factory.atVersion7();
      const before = await stateOf(v7, factory.name);
      await v7.close();
      const latest = await factory.atLatest();
      const after = await stateOf(latest, factory.name);
      await latest.close();
      expect(after.applied.length).toBe(before.applied.length + 5);

      // BEGIN, the DDL of 0008 to 0012 (and the backfills of 0011 and 0012) and their records, COMMIT: every one of them a possible crash point.
      expect(await killAtEveryStatement('up', factory.atVersion7, before, after)).toBeGreaterThan(5);
    });

    it('rolling 0012 to 0008 back leaves the store at the latest or at 0007, never between', async () => {
      const latest = await factory.atLatest();
      const before = await stateOf(latest, factory.name);
      await latest.close();
      const v7 = await factory.atVersion7();
      const after = await stateOf(v7, factory.name);
      await v7.close();

      expect(await killAtEveryStatement('down', factory.atLatest, before, after)).toBeGreaterThan(5);
    });

    it('three processes migrating one new database at once apply every migration once, without an error', async () => {
      for (let round = 0; round < 3; round++) {
        const place = await factory.empty();
        try {
          const results = await Promise.all([1, 2, 3].map(() => runChild({ ...place.target, action: 'up' })));
          for (const result of results) expect(result.code, JSON.stringify(result.output)).toBe(0);
          const applied = results.map((r) => r.output!.names!.length).sort();
          expect(applied).toEqual([0, 0, Object.keys(migrations).length]);
          expect((await migrationStatus(place.db)).every((m) => m.appliedAt !== null)).toBe(true);
        } finally {
          await place.close();
        }
      }
    });
  });
}
