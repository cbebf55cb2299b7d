/** Which way a migration was running when it failed. */
export type MigrationDirection = 'up' | 'down';

export interface MigrationErrorDetails {
  /** The migration that failed, or null when the failure happened outside any one migration
   * (reading the migration table, taking the lock, a corrupted history). */
  readonly migrationName: string | null;
  readonly direction: MigrationDirection | null;
  readonly cause: unknown;
}

/**
 * A migration (or the bookkeeping around it) failed. On PostgreSQL the whole run is rolled back;
 * on SQLite each migration runs in its own transaction, so the migrations before the failing one
 * stay applied and the failing one leaves nothing behind.
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly migrationName: string | null;
  readonly direction: MigrationDirection | null;

  constructor(details: MigrationErrorDetails) {
    const where =
      details.migrationName === null
        ? 'Migration run failed'
        : `Migration ${details.migrationName} failed (${details.direction ?? 'up'})`;
    super(`${where}: ${describe(details.cause)}`, { cause: details.cause });
    this.migrationName = details.migrationName;
    this.direction = details.direction;
  }
}

/** The Kysely instance runs on a dialect whose SQL these migrations do not know. */
export class UnsupportedDialectError extends Error {
  override readonly name = 'UnsupportedDialectError';
  /** Class name of the Kysely dialect adapter that was found. */
  readonly adapter: string;

  constructor(adapter: string) {
    super(`Unsupported database dialect (adapter ${adapter}): expected SQLite or PostgreSQL`);
    this.adapter = adapter;
  }
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
