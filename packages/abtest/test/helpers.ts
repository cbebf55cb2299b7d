import { createStoreFactories } from '@skills/storage/testing';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it); each test in a database of its own. */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-abtest-' });

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const DAY = 86_400_000;
