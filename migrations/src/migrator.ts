import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import { detectDialect } from './dialect.js';
import { downLosses } from './down-losses.js';
import { DataLossError, MigrationError, UnsupportedDialectError, type DownLoss } from './errors.js';
import { checkHistory, inMigrationTransaction, readApplied, recordStep, type AppliedMigration, type Bookkeeping } from './migration-run.js';
import { migrations, type MigrationName } from './migrations.js';

/** Where Kysely keeps its bookkeeping; the defaults are `kysely_migration` and `kysely_migration_lock`. */
export interface MigratorOptions {
  migrationTableName?: string;
  migrationLockTableName?: string;
  /**
   * PostgreSQL schema of the two bookkeeping tables. The wrappers below default it to the
   * connection's `current_schema()`; see createMigrator for why that matters.
   */
  migrationTableSchema?: string;
}

/** One migration and when it was applied (epoch ms), or null while it is pending. */
export interface MigrationStatus {
  name: string;
  appliedAt: number | null;
}

/** Hands Kysely's Migrator the migrations of this package. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

/**
 * A Kysely Migrator over this package's migrations, for anything the wrappers below do not cover.
 * Its results are Kysely's `{ error, results }`; nothing is thrown.
 *
 * On PostgreSQL pass `migrationTableSchema` when the database has several schemas: without it,
 * Kysely looks for its bookkeeping tables in every schema, and if another schema has them it
 * skips creating its own and then fails on the search_path. The wrappers resolve this themselves.
 *
 * @example
 * const { error, results } = await createMigrator(db, { migrationTableSchema: 'public' }).migrateTo('0002_search');
 */
export function createMigrator(db: Kysely<any>, options: MigratorOptions = {}): Migrator {
  return new Migrator({ ...options, db, provider: migrationProvider });
}

/** `allowDataLoss`: migrations whose `down` may destroy data (see DataLossError). */
export interface RollbackOptions extends MigratorOptions {
  allowDataLoss?: readonly string[];
}

/**
 * Applies every pending migration; returns the names applied, in order. The whole run is one
 * transaction holding a lock across processes, so concurrent runs apply each migration once and a
 * crash leaves the store before the run, never between a migration and its record.
 *
 * @example
 * await migrateToLatest(db); // ['0001_initial', '0002_search', …] on an empty database
 */
export async function migrateToLatest(db: Kysely<any>, options: MigratorOptions = {}): Promise<string[]> {
  const book = await bookkeepingOf(db, options);
  return inMigrationTransaction(db, book, async (trx, dialect) => {
    const applied = checkHistory(await readApplied(trx, book, dialect));
    return runUp(trx, book, ORDER.slice(applied.length));
  });
}

/**
 * Migrates up or down until `name` is the newest applied migration (`null`: none applied);
 * returns the names applied or rolled back, in the order it ran them. Going down refuses to
 * destroy data unless `allowDataLoss` names the migrations (DataLossError).
 *
 * @example
 * await migrateTo(db, '0002_search'); // ['0001_initial', '0002_search'] on an empty database
 */
export async function migrateTo(db: Kysely<any>, name: MigrationName | null, options: RollbackOptions = {}): Promise<string[]> {
  const target = name === null ? 0 : ORDER.indexOf(name) + 1;
  if (target === 0 && name !== null) {
    throw new MigrationError({ migrationName: null, direction: null, cause: new Error(`migration "${name}" doesn't exist`) });
  }
  const book = await bookkeepingOf(db, options);
  return inMigrationTransaction(db, book, async (trx, dialect) => {
    const applied = checkHistory(await readApplied(trx, book, dialect));
    if (target >= applied.length) return runUp(trx, book, ORDER.slice(applied.length, target));
    return runDown(trx, book, applied.slice(target).reverse(), options.allowDataLoss);
  });
}

/**
 * Rolls back the last `steps` applied migrations (all of them if fewer are applied); returns the
 * names rolled back, newest first, in one transaction. A rollback that would destroy data (rows
 * in a table or column it drops that the store cannot recompute) is refused with DataLossError,
 * nothing changed, unless `allowDataLoss` names each such migration.
 *
 * @example
 * await migrateDown(db, 2); // ['0008_lean_ingest', '0007_collab']
 */
export async function migrateDown(db: Kysely<any>, steps = 1, options: RollbackOptions = {}): Promise<string[]> {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`steps must be a non-negative integer, got ${steps}`);
  }
  if (steps === 0) return [];
  const book = await bookkeepingOf(db, options);
  return inMigrationTransaction(db, book, async (trx, dialect) => {
    const applied = checkHistory(await readApplied(trx, book, dialect));
    return runDown(trx, book, applied.slice(Math.max(0, applied.length - steps)).reverse(), options.allowDataLoss);
  });
}

/**
 * What rolling back the newest `steps` migrations would drop that holds rows (see DownLoss).
 *
 * @example
 * await rollbackLosses(db, 2); // [{ migration: '0007_collab', what: 'table skill_user_opt_outs (…)', rows: 3, kind: 'data' }]
 */
export async function rollbackLosses(db: Kysely<any>, steps = 1, options: MigratorOptions = {}): Promise<DownLoss[]> {
  const names = (await migrationStatus(db, options)).filter((m) => m.appliedAt !== null).map((m) => m.name);
  return downLosses(db, names.slice(Math.max(0, names.length - steps)).reverse());
}

/**
 * Every migration of this package, oldest first, with the time it was applied.
 * @throws NewerSchemaError when the store records a migration this version does not know.
 *
 * @example
 * await migrationStatus(db); // [{ name: '0001_initial', appliedAt: 1767225600000 }, …]
 */
export async function migrationStatus(db: Kysely<any>, options: MigratorOptions = {}): Promise<MigrationStatus[]> {
  const book = await bookkeepingOf(db, options);
  const dialect = detectDialect(db);
  if (dialect === null) throw new UnsupportedDialectError(db.getExecutor().adapter.constructor.name);
  let applied: AppliedMigration[];
  try {
    applied = await readApplied(db, book, dialect);
  } catch (cause) {
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
  checkHistory(applied);
  const at = new Map(applied.map((m) => [m.name, new Date(m.timestamp).getTime()]));
  return ORDER.map((name) => ({ name, appliedAt: at.get(name) ?? null }));
}

const ORDER = Object.keys(migrations).sort();

async function runUp(trx: Kysely<any>, book: Bookkeeping, names: readonly string[]): Promise<string[]> {
  for (const name of names) {
    try {
      await migrations[name]!.up(trx);
    } catch (cause) {
      throw new MigrationError({ migrationName: name, direction: 'up', cause });
    }
    await recordStep(trx, book, name, 'up');
  }
  return [...names];
}

async function runDown(
  trx: Kysely<any>,
  book: Bookkeeping,
  names: readonly string[],
  allowDataLoss: readonly string[] = [],
): Promise<string[]> {
  const losses = await downLosses(trx, names);
  const refused = [...new Set(losses.filter((l) => l.kind === 'data' && !allowDataLoss.includes(l.migration)).map((l) => l.migration))];
  if (refused.length > 0) throw new DataLossError(losses, refused);
  for (const name of names) {
    try {
      await migrations[name]!.down!(trx);
    } catch (cause) {
      throw new MigrationError({ migrationName: name, direction: 'down', cause });
    }
    await recordStep(trx, book, name, 'down');
  }
  return [...names];
}

async function bookkeepingOf(db: Kysely<any>, options: MigratorOptions): Promise<Bookkeeping> {
  const book = {
    table: options.migrationTableName ?? 'kysely_migration',
    lockTable: options.migrationLockTableName ?? 'kysely_migration_lock',
    schema: options.migrationTableSchema,
  };
  if (book.schema !== undefined || detectDialect(db) !== 'postgres') return book;
  try {
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    return { ...book, schema: rows[0]?.schema ?? undefined };
  } catch (cause) {
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
}
