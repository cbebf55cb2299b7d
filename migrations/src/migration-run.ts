import { sql, type Kysely } from 'kysely';
import { detectDialect, type SchemaDialect } from './dialect.js';
import { DataLossError, MigrationError, NewerSchemaError } from './errors.js';
import { migrations } from './migrations.js';
import { enterMigrationRun, leaveMigrationRun } from './run-connections.js';

/** Where the bookkeeping lives: Kysely's tables (`kysely_migration`, `kysely_migration_lock`) by default. */
export interface Bookkeeping {
  table: string;
  lockTable: string;
  /** PostgreSQL schema of both tables; undefined on SQLite. */
  schema: string | undefined;
}

/** An applied migration as recorded: its name and the ISO time it ran. */
export interface AppliedMigration {
  name: string;
  timestamp: string;
}

// Kysely's own PostgreSQL migration lock id, so that a plain Kysely Migrator over the same
// database and this package's runs exclude each other too.
const POSTGRES_LOCK_ID = sql.lit(BigInt('3853314791062309107'));

/**
 * Run `work` inside one transaction that holds the migration lock across processes, with the
 * bookkeeping tables created if missing. Every migration of a run and its record in the
 * migration table therefore commit together, or — after a crash, a kill or an error — not at all.
 *
 * SQLite: `BEGIN IMMEDIATE` takes the database's write lock before anything is read, so a second
 * process (a second `skills init` on a new file) waits for the first (up to its busy_timeout) and
 * then finds the migrations applied. PostgreSQL: one transaction under Kysely's advisory lock.
 */
export async function inMigrationTransaction<T>(
  db: Kysely<any>,
  book: Bookkeeping,
  work: (trx: Kysely<any>, dialect: SchemaDialect) => Promise<T>,
): Promise<T> {
  const dialect = runDialect(db);
  if (db.isTransaction) {
    // The caller's transaction makes the run atomic; the lock is theirs to take.
    await ensureBookkeeping(db, book, dialect);
    return work(db, dialect);
  }
  if (dialect === 'postgres') {
    return guard(() =>
      db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${POSTGRES_LOCK_ID})`.execute(trx);
        await ensureBookkeeping(trx, book, dialect);
        return work(trx, dialect);
      }),
    );
  }
  return guard(() =>
    db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      enterMigrationRun(conn);
      try {
        await ensureBookkeeping(conn, book, dialect);
        const result = await work(conn, dialect);
        await sql`COMMIT`.execute(conn);
        return result;
      } catch (error) {
        await sql`ROLLBACK`.execute(conn).catch(() => {});
        throw error;
      } finally {
        leaveMigrationRun(conn);
      }
    }),
  );
}

/** Errors of the lock or the bookkeeping (not of one migration) become MigrationError too. */
async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof MigrationError || cause instanceof DataLossError) throw cause;
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
}

function runDialect(db: Kysely<any>): SchemaDialect {
  const dialect = detectDialect(db);
  if (dialect === null) {
    throw new MigrationError({
      migrationName: null,
      direction: null,
      cause: new Error('unsupported database: expected SQLite or PostgreSQL'),
    });
  }
  return dialect;
}

function qualified(book: Bookkeeping, table: string) {
  return book.schema === undefined ? sql.id(table) : sql.id(book.schema, table);
}

/** Kysely's two tables, as its Migrator creates them, so either can run on the store. */
async function ensureBookkeeping(db: Kysely<any>, book: Bookkeeping, dialect: SchemaDialect): Promise<void> {
  if (
    dialect === 'sqlite' &&
    (await tableExists(db, book, book.table, dialect)) &&
    (await tableExists(db, book, book.lockTable, dialect))
  ) {
    return;
  }
  await sql`CREATE TABLE IF NOT EXISTS ${qualified(book, book.table)} (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)`.execute(
    db,
  );
  await sql`CREATE TABLE IF NOT EXISTS ${qualified(book, book.lockTable)} (id varchar(255) NOT NULL PRIMARY KEY, is_locked integer DEFAULT 0 NOT NULL)`.execute(
    db,
  );
  await sql`INSERT INTO ${qualified(book, book.lockTable)} (id, is_locked) SELECT 'migration_lock', 0
    WHERE NOT EXISTS (SELECT 1 FROM ${qualified(book, book.lockTable)} WHERE id = 'migration_lock')`.execute(db);
}

async function tableExists(db: Kysely<any>, book: Bookkeeping, table: string, dialect: SchemaDialect): Promise<boolean> {
  if (dialect === 'sqlite') {
    const { rows } = await sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${table}`.execute(db);
    return rows.length > 0;
  }
  const { rows } =
    book.schema === undefined
      ? await sql`SELECT 1 FROM information_schema.tables WHERE table_name = ${table} AND table_schema = current_schema()`.execute(db)
      : await sql`SELECT 1 FROM information_schema.tables WHERE table_name = ${table} AND table_schema = ${book.schema}`.execute(db);
  return rows.length > 0;
}

/** The recorded migrations, oldest (by name) first; none when the bookkeeping does not exist yet. */
export async function readApplied(db: Kysely<any>, book: Bookkeeping, dialect: SchemaDialect): Promise<AppliedMigration[]> {
  if (!(await tableExists(db, book, book.table, dialect))) return [];
  const { rows } = await sql<AppliedMigration>`SELECT name, timestamp FROM ${qualified(book, book.table)}`.execute(db);
  return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The applied history checked against this package's migrations: a name it does not know means a
 * newer version wrote the store (NewerSchemaError); a known migration applied while an earlier
 * one is not is a corrupted history.
 */
export function checkHistory(applied: readonly AppliedMigration[]): string[] {
  const known = Object.keys(migrations).sort();
  const unknown = applied.map((m) => m.name).filter((name) => !(name in migrations));
  if (unknown.length > 0) throw new NewerSchemaError(unknown);
  const names = applied.map((m) => m.name);
  names.forEach((name, i) => {
    if (known[i] !== name) {
      throw new MigrationError({
        migrationName: null,
        direction: null,
        cause: new Error(`corrupted migration history: ${name} is applied but ${known[i]} before it is not`),
      });
    }
  });
  return names;
}

/** Record `name` as applied (`up`) or remove its record (`down`), in the run's transaction. */
export async function recordStep(db: Kysely<any>, book: Bookkeeping, name: string, direction: 'up' | 'down'): Promise<void> {
  if (direction === 'up') {
    await sql`INSERT INTO ${qualified(book, book.table)} (name, timestamp) VALUES (${name}, ${new Date().toISOString()})`.execute(db);
  } else {
    await sql`DELETE FROM ${qualified(book, book.table)} WHERE name = ${name}`.execute(db);
  }
}
