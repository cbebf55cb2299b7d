import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig, type TransactionSettings } from 'kysely';

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
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection, settings?: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(settings?.accessMode === 'read only' ? 'begin' : 'begin immediate'));
  }
}
