import { migrateToLatest } from '@skills/migrations';
import { keyFilePath, readKeyFile } from './key-file.js';
import { rebuildRecreatedRollups } from './migrate-store.js';
import { resolveStoreUrl, sqliteFileOf, type StoreLocation } from './store-location.js';
import { createStore, type Store } from './store.js';
import { createPseudonymiser, enableUserPseudonyms, type Pseudonymise } from './user-pseudonyms.js';

export interface OpenStoreOptions {
  /**
   * Migrate to the latest schema on open (default true). A run that recreates the rollup tables
   * over stored invocations (after a rollback past 0004) rebuilds them before the store is returned.
   */
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
  /**
   * SQLite file stores only: without `userPseudonymSecret`, use the secret in the store's key file
   * `<db file>.secret` when there is one (default true), so a store made by the `skills` CLI or the
   * server opens with its secret in any program. Not with `migrate: false` (the secret's check
   * lives in a table a migration adds). The key file is never created here.
   */
  keyFile?: boolean;
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
  const { dialect, location } = resolveStoreUrl(url);
  const secret = options.userPseudonymSecret ?? keyFileSecret(location, options);
  const pseudonymise: Pseudonymise | undefined = secret === undefined ? undefined : createPseudonymiser(secret);
  const driver = await dialect.openDriver(location, options);
  try {
    const applied = options.migrate !== false && !options.readonly ? await migrateToLatest(driver.db) : [];
    if (pseudonymise && !options.readonly) {
      await enableUserPseudonyms(driver.db, (work) => driver.maintenanceTransaction(work), pseudonymise, Date.now());
    }
    const store = createStore(driver, options.onListenerError ?? (() => {}), pseudonymise, driver.remote);
    // A migration that recreated the rollups over stored invocations left them empty: refill them.
    await rebuildRecreatedRollups(store, applied);
    return store;
  } catch (error) {
    await driver.close();
    throw error;
  }
}

function keyFileSecret(location: StoreLocation, options: OpenStoreOptions): string | undefined {
  const file = sqliteFileOf(location);
  if (file === undefined || options.keyFile === false || options.migrate === false) return undefined;
  return readKeyFile(keyFilePath(file))?.secret;
}
