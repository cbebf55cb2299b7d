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
 * A migration (or the bookkeeping around it) failed. A run is one transaction on both databases:
 * after a failure the store is exactly as it was before the run.
 */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
  readonly migrationName: string | null;
  readonly direction: MigrationDirection | null;

  constructor(details: MigrationErrorDetails) {
    const where =
      details.migrationName === null ? 'Migration run failed' : `Migration ${details.migrationName} failed (${details.direction ?? 'up'})`;
    super(`${where}: ${describe(details.cause)}`, { cause: details.cause });
    this.migrationName = details.migrationName;
    this.direction = details.direction;
  }
}

/**
 * The store records a migration this version does not know: a newer version wrote it. Thrown by
 * every function here (status included) instead of a "corrupted migrations" error or a silent omission.
 */
export class NewerSchemaError extends MigrationError {
  override readonly name = 'NewerSchemaError';
  /** The applied migrations this version does not know, oldest first. */
  readonly unknownMigrations: readonly string[];

  constructor(unknownMigrations: readonly string[]) {
    const list = unknownMigrations.join(', ');
    super({
      migrationName: unknownMigrations[0] ?? null,
      direction: null,
      cause: new Error(
        `this store was written by a newer version (migration ${list}); upgrade to a version that knows ${unknownMigrations.length === 1 ? 'it' : 'them'}`,
      ),
    });
    this.message = this.message.replace(/^Migration \S+ failed \(up\): /, '');
    this.unknownMigrations = unknownMigrations;
  }
}

/** One thing a `down` would drop that holds rows. */
export interface DownLoss {
  /** The migration whose `down` drops it. */
  migration: string;
  /** What is dropped, in the user's words, e.g. `table skill_user_opt_outs (forgotten users)`. */
  what: string;
  /** Rows (or non-null values of a column) that would be lost. */
  rows: number;
  /** `derived`: recomputed from the invocations (by `rebuildRollups` in @skills/storage); `data`: gone for good. */
  kind: 'data' | 'derived';
}

/**
 * A rollback would destroy data and was not allowed to: nothing was changed. Pass the named
 * migrations in `allowDataLoss` to go ahead.
 */
export class DataLossError extends Error {
  override readonly name = 'DataLossError';
  /** Everything with rows the rollback would drop (derived tables included, for the record). */
  readonly losses: readonly DownLoss[];
  /** The migrations whose `down` destroys data and that were not named in `allowDataLoss`. */
  readonly migrations: readonly string[];

  constructor(losses: readonly DownLoss[], migrations: readonly string[]) {
    const data = losses.filter((loss) => loss.kind === 'data' && migrations.includes(loss.migration));
    super(
      `rolling back ${migrations.join(', ')} would destroy data: ${data.map((l) => `${l.what}, ${l.rows} row${l.rows === 1 ? '' : 's'}`).join('; ')}`,
    );
    this.losses = losses;
    this.migrations = migrations;
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
