import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, type Compilable } from 'kysely';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { StoreReadOnlyError } from '../../errors.js';
import type { SkillsDatabase } from '../../schema.js';
import { compileRowTemplate, type RowTemplate } from '../row-template.js';
import { sqliteSearchIndex } from './sqlite-search.js';
import type { InsertIgnoreStatement, KeysLookup, RowsStatement, StoreDriver, WriteTx } from '../store-driver.js';

export interface SqliteDriverOptions {
  /** How long a writer waits for another process's lock before failing (ms). */
  busyTimeoutMs: number;
  readonly: boolean;
}

/**
 * SQLite through better-sqlite3: WAL, synchronous=NORMAL, foreign keys on. Writes run as
 * cached prepared statements inside `BEGIN IMMEDIATE`, which takes the write lock up front, so
 * two processes never deadlock upgrading a read lock.
 */
export function createSqliteDriver(path: string, options: SqliteDriverOptions): StoreDriver {
  // A file this user may not write is opened read-only: every read works, writes are refused up front.
  const readonly = options.readonly || (path !== ':memory:' && existsSync(path) && !isWritable(path));
  if (path !== ':memory:' && !readonly) {
    mkdirSync(dirname(path), { recursive: true });
    createPrivateFile(path);
  }
  const handle = new Database(path, { readonly, fileMustExist: readonly });
  // First: switching a new file to WAL needs a lock another process may hold (three `skills init`).
  handle.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
  if (path !== ':memory:' && !readonly) handle.pragma('journal_mode = WAL');
  handle.pragma('synchronous = NORMAL');
  // Checkpoint every ~64 MB of WAL instead of 4 MB: the rollup pages every batch rewrites (the
  // newest hours, the per-skill rows) are then copied to the database once per checkpoint rather
  // than once per 4 MB — 5–8% more ingest than at 16 MB, and a WAL of at most ~64 MB between them.
  handle.pragma('wal_autocheckpoint = 16000');
  handle.pragma('foreign_keys = ON');
  handle.pragma('cache_size = -65536');
  handle.pragma('temp_store = MEMORY');
  handle.defaultSafeIntegers(false);

  const statements = new Map<string, Database.Statement>();
  const templates = new Map<unknown, RowTemplate>();

  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      // Reads with IN lists differ by list length; a bound keeps a long-lived store's cache small.
      if (statements.size >= 1000) statements.clear();
      statement = handle.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  // Kysely prepares every query it runs; through this cache a read tool's ~10 statements are
  // compiled by SQLite once per store instead of on every call (a schema change re-prepares them).
  // Kysely holds its one connection while it streams a query, so no cached statement is asked
  // to run again while it is still being iterated.
  const cachingHandle = { prepare, close: () => handle.close(), readonly };
  const db = new Kysely<SkillsDatabase>({ dialect: new ImmediateSqliteDialect({ database: cachingHandle }) });

  const templateFor = (build: RowsStatement<never> | KeysLookup<never> | InsertIgnoreStatement<never>, sample: object): RowTemplate => {
    let template = templates.get(build);
    if (!template) {
      template = compileRowTemplate(db, build as never, Object.keys(sample));
      templates.set(build, template);
    }
    return template;
  };

  const tx: WriteTx = {
    db,
    async insertIgnore(build, rows) {
      if (rows.length === 0) return [];
      const template = templateFor(build as never, rows[0]!);
      const statement = prepare(template.sql);
      return rows.map((row) => statement.run(template.bind(row)).changes > 0);
    },
    async write(build, rows) {
      if (rows.length === 0) return;
      const template = templateFor(build as never, rows[0]!);
      const statement = prepare(template.sql);
      for (const row of rows) statement.run(template.bind(row));
    },
    async select<Out>(query: Compilable<Out>): Promise<Out[]> {
      const compiled = query.compile();
      return prepare(compiled.sql).all(compiled.parameters as unknown[]) as Out[];
    },
    async lookup<Key extends object, Out>(build: KeysLookup<Key>, keys: Key[]): Promise<Out[]> {
      if (keys.length === 0) return [];
      const template = templateFor(build as never, keys[0]!);
      const statement = prepare(template.sql);
      const out: Out[] = [];
      for (const key of keys) out.push(...(statement.all(template.bind(key)) as Out[]));
      return out;
    },
  };

  const lockKey = path === ':memory:' ? undefined : resolve(path);
  const refuseWrites = () => {
    if (readonly) throw new StoreReadOnlyError(path);
  };

  const driver: Omit<StoreDriver, 'search'> = {
    kind: 'sqlite',
    db,
    readonly,
    async writeTransaction(work) {
      refuseWrites();
      // Holding Kysely's connection keeps every other query of this store out until we finish;
      // the file lock keeps other stores of this process on the same file out too, since a
      // second BEGIN IMMEDIATE would otherwise block the one thread in busy_timeout.
      return withFileLock(lockKey, () =>
        db.connection().execute(async () => {
          handle.exec('BEGIN IMMEDIATE');
          try {
            const result = await work(tx);
            handle.exec('COMMIT');
            return result;
          } catch (error) {
            if (handle.inTransaction) handle.exec('ROLLBACK');
            throw readOnlyFailure(error, path);
          }
        }),
      );
    },
    async maintenanceTransaction(work) {
      refuseWrites();
      return withFileLock(lockKey, () => db.transaction().execute(work)).catch((error: unknown) => {
        throw readOnlyFailure(error, path);
      });
    },
    async close() {
      await db.destroy();
    },
  };
  return { ...driver, search: sqliteSearchIndex(driver) };
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A new store file is created 0600 (owner only), like its key file: it holds raw user ids and
 * queries. SQLite gives its -wal and -shm files the database file's mode, so they follow. An
 * existing file keeps its mode.
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** SQLite's "attempt to write a readonly database" (the folder or a -wal file not writable) as a StoreReadOnlyError. */
function readOnlyFailure(error: unknown, path: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY') ? new StoreReadOnlyError(path, { cause: error }) : error;
}

const fileLocks = new Map<string, Promise<unknown>>();

/** Run `work` after every earlier writer of the same file in this process has finished. */
async function withFileLock<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
  if (key === undefined) return work();
  const previous = fileLocks.get(key) ?? Promise.resolve();
  const current = previous.then(work, work);
  const settled = current.then(
    () => undefined,
    () => undefined,
  );
  fileLocks.set(key, settled);
  try {
    return await current;
  } finally {
    if (fileLocks.get(key) === settled) fileLocks.delete(key);
  }
}
