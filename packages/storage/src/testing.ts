import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
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
 * SQLite always; PostgreSQL too when a URL is given.
 * @example
 * const factories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL });
 * describe.each(factories)('my feature [$name]', (factory) => { … });
 */
export function createStoreFactories(options: StoreFactoriesOptions = {}): StoreFactory[] {
  const sqlite = sqliteFactory(options.prefix ?? 'skills-test-');
  return options.postgresUrl ? [sqlite, postgresFactory(options.postgresUrl)] : [sqlite];
}

function sqliteFactory(prefix: string): StoreFactory {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async create(options) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      const url = join(dir, 'skills.db');
      return { store: await openStore(url, options), reopen: (more) => openStore(url, more), url };
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresFactory(url: string): StoreFactory {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    async create(options) {
      const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`;
      schemas.push(schema);
      return {
        store: await openStore(url, { ...options, schema, poolSize: 4 }),
        reopen: (more) => openStore(url, { ...more, schema, poolSize: 4 }),
        url,
      };
    },
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas.splice(0)) await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
