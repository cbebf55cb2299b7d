import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

export type DialectName = 'sqlite' | 'postgres';

/** A fresh, empty database; `destroy` closes it and removes every trace. */
export interface TestDatabase {
  dialect: DialectName;
  db: Kysely<any>;
  /** The PostgreSQL schema the test runs in; null on SQLite. */
  schema: string | null;
  destroy(): Promise<void>;
}

export interface DialectFactory {
  name: DialectName;
  create(): Promise<TestDatabase>;
}

const pgUrl = process.env.SKILLS_TEST_PG_URL;

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL points at a server. */
export const dialects: DialectFactory[] = [
  { name: 'sqlite', create: createSqlite },
  ...(pgUrl ? [{ name: 'postgres' as const, create: () => createPostgres(pgUrl) }] : []),
];

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'skills-migrations-'));
  const database = new Database(join(dir, 'skills.db'));
  // As the store opens it: foreign keys on, so the FK tests mean something.
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database }) });
  return {
    dialect: 'sqlite',
    db,
    schema: null,
    async destroy() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// BIGINT (int8) columns and COUNT/SUM results arrive as strings by default; the store parses
// them to numbers, and so do the tests. NUMERIC is left alone on purpose: a view returning
// NUMERIC would come back as a string and fail the exact-value assertions.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

async function createPostgres(url: string): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new pg.Pool({
    connectionString: url,
    options: `-c search_path=${schema} -c synchronous_commit=off`,
    types,
    max: 4,
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: 'postgres',
    db,
    schema,
    async destroy() {
      await db.destroy();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
