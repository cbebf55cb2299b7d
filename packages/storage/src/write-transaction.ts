import type { Kysely } from 'kysely';
import type { SkillsDatabase } from './schema.js';
import { internals, type Store } from './store.js';

/**
 * Run `work` in one write transaction of `store`, excluding every other writer of the same
 * database: on SQLite it begins with `BEGIN IMMEDIATE` and also takes this process's lock on the
 * file, so two stores of one process on the same file queue instead of one failing with
 * SQLITE_BUSY; on PostgreSQL it takes the writers' advisory lock. Commits when `work` resolves,
 * rolls back when it throws. Use it instead of `store.db.transaction()` in code built on the store.
 * Do not call another writing function of the store (`recordInvocations`, …) inside `work`: it
 * would wait for this transaction to end.
 * @throws StoreReadOnlyError when the store was opened read-only (before `work` runs).
 * @example
 * await writeTransaction(store, async (trx) => {
 *   await trx.deleteFrom('skill_community_baselines').execute();
 *   await trx.insertInto('skill_community_baselines').values(rows).execute();
 * });
 */
export function writeTransaction<T>(store: Store, work: (trx: Kysely<SkillsDatabase>) => Promise<T>): Promise<T> {
  return internals(store).driver.maintenanceTransaction(work);
}
