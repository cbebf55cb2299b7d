import { createStoreFactories } from '../src/testing.js';

export type { StoreFactory } from '../src/testing.js';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-store-' });

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
