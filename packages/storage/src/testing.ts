import { DIALECTS } from './dialect/dialects.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import type { Store } from './store.js';

/**
 * Test support for packages built on the store (`@skills/storage/testing`): run the same test
 * against SQLite and PostgreSQL, each test in a database of its own. Not for production code.
 */

/** A deterministic PRNG for fixtures and simulations (mulberry32), from @skills/stats. */
export { seededRandom } from '@skills/stats';

/** A way to get a fresh, isolated store: a new SQLite file, or a new PostgreSQL schema. */
export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  /** Opens a new isolated database; `reopen` opens another connection to the same one. */
  create(options?: OpenStoreOptions): Promise<{ store: Store; reopen(options?: OpenStoreOptions): Promise<Store>; url: string }>;
  /** Removes every database this factory created. */
  cleanup(): Promise<void>;
}

export interface StoreFactoriesOptions {
  /** Also test PostgreSQL, in throwaway schemas of this database (tests read it from SKILLS_TEST_PG_URL). */
  postgresUrl?: string | undefined;
  /** Prefix of the temporary SQLite folders. */
  prefix?: string;
}

/**
 * SQLite always; PostgreSQL too when a URL is given (each dialect's `testFactory`, in DIALECTS order).
 * @example
 * const factories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL });
 * describe.each(factories)('my feature [$name]', (factory) => { … });
 */
export function createStoreFactories(options: StoreFactoriesOptions = {}): StoreFactory[] {
  return DIALECTS.flatMap((dialect) => dialect.testFactory?.(options, openStore) ?? []);
}
