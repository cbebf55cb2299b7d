import { migrateDown, migrateToLatest, migrationStatus, type MigrationStatus } from '@skills/migrations';
import type { Store } from './store.js';

// On PostgreSQL the wrappers keep their bookkeeping in the connection's current schema, which
// openStore's `schema` option sets, so nothing needs passing here.
export type { MigrationStatus };

/**
 * Apply every pending migration (`openStore` does this unless told not to); returns the names applied.
 * @example await migrateStore(await openStore(url, { migrate: false })) // ['0001_initial', …]
 */
export function migrateStore(store: Store): Promise<string[]> {
  return migrateToLatest(store.db);
}

/**
 * Roll back the newest `steps` migrations; each `down` removes only what its `up` added.
 * @example await rollbackStore(store, 1) // ['0008_lean_ingest']
 */
export function rollbackStore(store: Store, steps = 1): Promise<string[]> {
  return migrateDown(store.db, steps);
}

/**
 * Every migration, oldest first, with when it was applied (null while pending).
 * @example await storeMigrationStatus(store) // [{ name: '0001_initial', appliedAt: 1767225600000 }, …]
 */
export function storeMigrationStatus(store: Store): Promise<MigrationStatus[]> {
  return migrationStatus(store.db);
}
