import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type OpenStoreOptions, type Store } from '../src/index.js';

/** A way to get a fresh, isolated store: a new SQLite file, or a new PostgreSQL schema. */
export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  /** Opens a new isolated database; `reopen` opens another connection to the same one. */
  create(options?: OpenStoreOptions): Promise<{ store: Store; reopen(options?: OpenStoreOptions): Promise<Store>; url: string }>;
  cleanup(): Promise<void>;
}

const PG_URL = process.env.SKILLS_TEST_PG_URL;

function sqliteFactory(): StoreFactory {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    async create(options) {
      const dir = mkdtempSync(join(tmpdir(), 'skills-store-'));
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

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories: StoreFactory[] = [sqliteFactory(), ...(PG_URL ? [postgresFactory(PG_URL)] : [])];

/** A deterministic PRNG for fixtures (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
