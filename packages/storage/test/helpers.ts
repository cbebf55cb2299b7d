import { createStoreFactories } from '../src/testing.js';

export type { StoreFactory } from '../src/testing.js';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-store-' });

export { seededRandom } from '../src/testing.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
