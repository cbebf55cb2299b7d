import {
  Migrator,
  NO_MIGRATIONS,
  type Kysely,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import { MigrationError, type MigrationDirection } from './errors.js';
import { migrations } from './migrations.js';

/** Where Kysely keeps its bookkeeping; the defaults are `kysely_migration` and `kysely_migration_lock`. */
export interface MigratorOptions {
  migrationTableName?: string;
  migrationLockTableName?: string;
  /** PostgreSQL schema of the two bookkeeping tables (default: the search_path's first). */
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
 *
 * @example
 * const { error, results } = await createMigrator(db).migrateTo('0002_search');
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
  return applied(await createMigrator(db, options).migrateToLatest(), 'up');
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
  const migrator = createMigrator(db, options);
  const appliedNames = (await migrationStatus(db, options))
    .filter((m) => m.appliedAt !== null)
    .map((m) => m.name);
  if (appliedNames.length === 0) return [];
  const target = appliedNames[appliedNames.length - steps - 1] ?? NO_MIGRATIONS;
  return applied(await migrator.migrateTo(target), 'down');
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
  try {
    const infos = await createMigrator(db, options).getMigrations();
    return infos.map((info) => ({
      name: info.name,
      appliedAt: info.executedAt ? info.executedAt.getTime() : null,
    }));
  } catch (cause) {
    throw new MigrationError({ migrationName: null, direction: null, cause });
  }
}

function applied(resultSet: MigrationResultSet, direction: MigrationDirection): string[] {
  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationError({
      migrationName: failed?.migrationName ?? null,
      direction: failed ? (failed.direction === 'Up' ? 'up' : 'down') : direction,
      cause: resultSet.error,
    });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
