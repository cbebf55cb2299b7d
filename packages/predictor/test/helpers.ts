import { createStoreFactories } from '@skills/storage/testing';
import { recordInvocations, type Store } from '@skills/storage';
import { generateWorkload } from '@skills/synth';

/** SQLite always; PostgreSQL when SKILLS_TEST_PG_URL is set (CI sets it). */
export const storeFactories = createStoreFactories({ postgresUrl: process.env.SKILLS_TEST_PG_URL, prefix: 'skills-predictor-' });
export type { StoreFactory } from '@skills/storage/testing';

/** Records a synthetic workload into the store. */
export async function recordWorkload(store: Store, options: Parameters<typeof generateWorkload>[0]): Promise<void> {
  for (const batch of generateWorkload(options).batches()) await recordInvocations(store, batch);
}
