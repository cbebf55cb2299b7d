import {
  Migrator,
  NO_MIGRATIONS,
  sql,
  type Kysely,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import { detectDialect } from './dialect.js';
import { MigrationError } from './errors.js';
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

/**
 * Applies every pending migration; returns the names applied, in order.
 *
 * @example
 * await migrateToLatest(db); // ['0001_initial', '0002_search', …] on an empty database
 */
export async function migrateToLatest(db: Kysely<any>, options: MigratorOptions = {}): Promise<string[]> {
  const migrator = await migratorFor(db, options);
  return completed(await migrator.migrateToLatest());
}

/**
 * Migrates up or down until `name` is the newest applied migration (`null`: none applied);
 * returns the names applied or rolled back, in the order it ran them.
 *
 * @example
 * await migrateTo(db, '0002_search'); // ['0001_initial', '0002_search'] on an empty database
 */
export async function migrateTo(
  db: Kysely<any>,
  name: MigrationName | null,
  options: MigratorOptions = {},
): Promise<string[]> {
  const migrator = await migratorFor(db, options);
  return completed(await migrator.migrateTo(name ?? NO_MIGRATIONS));
}

/**
 * Rolls back the last `steps` applied migrations (all of them if fewer are applied); returns the
 * names rolled back, newest first. On PostgreSQL the whole rollback is one transaction.
 *
 * @example
 * await migrateDown(db, 2); // ['0004_analytics', '0003_workflow_correlation']
 */
export async function migrateDown(
  db: Kysely<any>,
  steps = 1,
  options: MigratorOptions = {},
): Promise<string[]> {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`steps must be a non-negative integer, got ${steps}`);
  }
  if (steps === 0) return [];
  const migrator = await migratorFor(db, options);
  const appliedNames = (await statusOf(migrator)).filter((m) => m.appliedAt !== null).map((m) => m.name);
  if (appliedNames.length === 0) return [];
  const target = appliedNames[appliedNames.length - steps - 1] ?? NO_MIGRATIONS;
  return completed(await migrator.migrateTo(target));
}

/**
 * Every migration of this package, oldest first, with the time it was applied.
 *
 * @example
 * await migrationStatus(db); // [{ name: '0001_initial', appliedAt: 1767225600000 }, …]
 */
export async function migrationStatus(
  db: Kysely<any>,
  options: MigratorOptions = {},
): Promise<MigrationStatus[]> {
  return statusOf(await migratorFor(db, options));
}

async function migratorFor(db: Kysely<any>, options: MigratorOptions): Promise<Migrator> {
  if (options.migrationTableSchema !== undefined || detectDialect(db) !== 'postgres') {
    return createMigrator(db, options);
  }
  try {
    const { rows } = await sql<{ schema: string | null }>`SELECT current_schema() AS schema`.execute(db);
    const schema = rows[0]?.schema;
    return createMigrator(db, schema ? { ...options, migrationTableSchema: schema } : options);
  } catch (cause) {
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
}

async function statusOf(migrator: Migrator): Promise<MigrationStatus[]> {
  try {
    const infos = await migrator.getMigrations();
    return infos.map((info) => ({
      name: info.name,
      appliedAt: info.executedAt ? info.executedAt.getTime() : null,
    }));
  } catch (cause) {
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
}

function completed(resultSet: MigrationResultSet): string[] {
  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationError({
      migrationName: failed?.migrationName ?? null,
      direction: failed ? (failed.direction === 'Up' ? 'up' : 'down') : null,
      cause: resultSet.error,
    });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
