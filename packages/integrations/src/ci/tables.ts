import type { Kysely } from 'kysely';
import type { SkillsDatabase, Store } from '@skills/storage';

/**
 * The store's database as the CI sources use it: migration 0010's tables (`ci_jobs`,
 * `integration_deliveries`) are described with every other table in @skills/storage's schema.
 */
export function ciDb(store: Store): Kysely<SkillsDatabase> {
  return store.db;
}

export type { CiJobsTable, IntegrationDeliveriesTable } from '@skills/storage';
