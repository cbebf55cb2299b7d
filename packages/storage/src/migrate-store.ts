import { migrateDown, migrateToLatest, migrationStatus, rollbackLosses, type DownLoss, type MigrationStatus } from '@skills/migrations';
import { rebuildRollups } from './rollups/rebuild-rollups.js';
import type { Store } from './store.js';

// On PostgreSQL the wrappers keep their bookkeeping in the connection's current schema, which
// openStore's `schema` option sets, so nothing needs passing here.
export type { MigrationStatus, DownLoss };

/** The migration that creates the hourly rollups and the 24-hour cache, empty. */
const CREATES_ROLLUPS = '0004_analytics';

/**
 * Apply every pending migration (`openStore` does this unless told not to); returns the names
 * applied. When a run recreates the rollup tables over stored invocations (after a `migrate down`
 * past 0004 and back up), the rollups are rebuilt from the invocations before this returns.
 * @example await migrateStore(await openStore(url, { migrate: false })) // ['0001_initial', …]
 */
export async function migrateStore(store: Store): Promise<string[]> {
  const applied = await migrateToLatest(store.db);
  await rebuildRecreatedRollups(store, applied);
  return applied;
}

/** After `applied` ran: rebuild the rollups if the run recreated them and there are invocations. */
export async function rebuildRecreatedRollups(store: Store, applied: readonly string[]): Promise<boolean> {
  if (!applied.includes(CREATES_ROLLUPS)) return false;
  const any = await store.db.selectFrom('skill_invocation').select('id').limit(1).executeTakeFirst();
  if (any === undefined) return false;
  // The rollups were recreated empty: a pruned range's history is gone already.
  await rebuildRollups(store, { discardPrunedRollups: true });
  return true;
}

/**
 * Roll back the newest `steps` migrations; each `down` removes only what its `up` added. A
 * rollback that would destroy data the store cannot recompute is refused (`DataLossError`, nothing
 * changed) unless `allowDataLoss` names each such migration; see `storeRollbackLosses`.
 * @example await rollbackStore(store, 1) // ['0008_lean_ingest']
 */
export function rollbackStore(store: Store, steps = 1, options: { allowDataLoss?: readonly string[] } = {}): Promise<string[]> {
  return migrateDown(store.db, steps, options);
}

/**
 * What rolling back the newest `steps` migrations would drop that holds rows, each with `kind`
 * `data` (gone for good) or `derived` (rollups, rebuilt by `rebuildRollups`).
 * @example await storeRollbackLosses(store, 2) // [{ migration: '0007_collab', what: 'table skill_user_opt_outs (…)', rows: 1, kind: 'data' }]
 */
export function storeRollbackLosses(store: Store, steps = 1): Promise<DownLoss[]> {
  return rollbackLosses(store.db, steps);
}

/**
 * Every migration, oldest first, with when it was applied (null while pending).
 * @throws NewerSchemaError when a newer version wrote the store.
 * @example await storeMigrationStatus(store) // [{ name: '0001_initial', appliedAt: 1767225600000 }, …]
 */
export function storeMigrationStatus(store: Store): Promise<MigrationStatus[]> {
  return migrationStatus(store.db);
}
