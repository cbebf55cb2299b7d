import { migrateToLatest } from '@skills/migrations';
import { sql } from 'kysely';
import { createPostgresDriver, quoteIdent } from './driver/postgres-driver.js';
import { createSqliteDriver } from './driver/sqlite-driver.js';
import type { StoreDriver } from './driver/types.js';
import { StoreOpenError } from './errors.js';
import { createStore, type Store } from './store.js';
import { createPseudonymiser, enableUserPseudonyms, type Pseudonymise } from './user-pseudonyms.js';

export interface OpenStoreOptions {
  /** Migrate to the latest schema on open (default true). */
  migrate?: boolean;
  /** PostgreSQL only: use this schema (created if missing) instead of `public`. */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10). */
  poolSize?: number;
  /** SQLite only: wait this long for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** SQLite only: open read-only; the file must exist. */
  readonly?: boolean;
  /** Called with an error thrown by an `onRecorded` listener (the batch is committed regardless). */
  onListenerError?: (error: unknown) => void;
  /**
   * Secret (at least 16 bytes) for the keyed hash that pseudonymises user ids before they enter
   * the collaborative tables. With it, the recorder keeps `skill_user_interactions`; the first
   * open with a secret builds that table from the stored invocations, and later opens must give
   * the same secret. Once a store has a secret, recording without it is refused.
   */
  userPseudonymSecret?: string | Uint8Array;
}

/** The embedded default: a SQLite file in the working directory. */
export const DEFAULT_STORE_URL = './skills.db';

/**
 * Open a store. `url` is a file path, `sqlite:PATH`, `:memory:` (SQLite), or
 * `postgres://…` / `postgresql://…` (PostgreSQL). Migrates to the latest schema unless
 * `migrate: false`.
 *
 * @example
 * const store = await openStore('./skills.db');
 * try { console.log(await topSkills(store, { limit: 5 })); } finally { await store.close(); }
 */
export async function openStore(url: string = DEFAULT_STORE_URL, options: OpenStoreOptions = {}): Promise<Store> {
  const pseudonymise: Pseudonymise | undefined =
    options.userPseudonymSecret === undefined ? undefined : createPseudonymiser(options.userPseudonymSecret);
  const driver = await createDriver(url, options);
  try {
    if (options.migrate !== false && !options.readonly) await migrateToLatest(driver.db);
    if (pseudonymise && !options.readonly) {
      await enableUserPseudonyms(driver.db, (work) => driver.maintenanceTransaction(work), pseudonymise, Date.now());
    }
  } catch (error) {
    await driver.close();
    throw error;
  }
  return createStore(driver, options.onListenerError ?? (() => {}), pseudonymise);
}

async function createDriver(url: string, options: OpenStoreOptions): Promise<StoreDriver> {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StoreOpenError('store URL is empty: expected a file path, sqlite:PATH, :memory: or postgres://…');
  }
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgres(url, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^sqlite:/i.test(url)) {
    throw new StoreOpenError(`unsupported store URL scheme in "${redact(url)}": expected sqlite: or postgres://`);
  }
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  try {
    return createSqliteDriver(path === '' ? ':memory:' : path, {
      busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      readonly: options.readonly ?? false,
    });
  } catch (error) {
    throw new StoreOpenError(`cannot open SQLite store at ${path}: ${(error as Error).message}`, { cause: error });
  }
}

async function openPostgres(url: string, options: OpenStoreOptions): Promise<StoreDriver> {
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new StoreOpenError(`invalid schema name "${options.schema}": expected letters, digits and _`);
  }
  const driver = createPostgresDriver(url, { schema: options.schema, poolSize: options.poolSize ?? 10 });
  try {
    if (options.schema) {
      await sql`create schema if not exists ${sql.raw(quoteIdent(options.schema))}`.execute(driver.db);
    } else {
      await sql`select 1`.execute(driver.db);
    }
  } catch (error) {
    await driver.close();
    throw new StoreOpenError(`cannot connect to PostgreSQL at ${redact(url)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return driver;
}

/** A URL fit for an error message: the password replaced. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
