import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely's SQLite dialect, except that a transaction that may write begins with `BEGIN IMMEDIATE`:
 * it takes the write lock up front, waiting for another process's writer up to busy_timeout,
 * instead of starting as a reader and failing with "database is locked" when it first writes
 * while another process holds the lock (SQLite does not wait for a read-to-write upgrade).
 * A transaction begun with `setAccessMode('read only')` stays deferred: it only reads a snapshot.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    // A read-only handle cannot take the write lock: its transactions stay deferred (reads only).
    const database = this.#config.database as { readonly?: boolean };
    return new ImmediateSqliteDriver(this.#config, database.readonly === true);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #readonly: boolean;

  constructor(config: SqliteDialectConfig, readonly: boolean) {
    super(config);
    this.#readonly = readonly;
  }

  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    const deferred = this.#readonly || settings?.accessMode === 'read only';
    await connection.executeQuery(CompiledQuery.raw(deferred ? 'begin' : 'begin immediate'));
  }
}
