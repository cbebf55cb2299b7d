import { createStoreFactories } from '@skills/storage/testing';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-timeseries-' });
export type { StoreFactory } from '@skills/storage/testing';
