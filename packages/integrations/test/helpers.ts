import type { Store } from '@skills/storage';
import { createStoreFactories } from '@skills/storage/testing';

/** A fresh, isolated store: a new SQLite file, or a new PostgreSQL schema (storage's test support). */
export interface StoreFactory {
  name: 'sqlite' | 'postgres';
  create(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories: StoreFactory[] = createStoreFactories({
  postgresUrl: process.env.SKILLS_TEST_PG_URL,
  prefix: 'skills-integrations-',
}).map((factory) => ({
  name: factory.name,
  create: async () => (await factory.create()).store,
  cleanup: () => factory.cleanup(),
}));
