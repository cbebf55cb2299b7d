import type { Kysely } from 'kysely';
import type { StoreDriver } from './driver/types.js';
import type { SkillsDatabase } from './schema.js';
import type { Pseudonymise } from './user-pseudonyms.js';

/** Summary of one committed batch, sent to `onRecorded` listeners. */
export interface RecordedEvent {
  /** Rows newly written. */
  inserted: number;
  /** Items ignored because their id was already stored (or repeated in the batch). */
  duplicates: number;
  /** Earliest and latest `invoked_at` among inserted rows. */
  firstInvokedAt: number;
  lastInvokedAt: number;
  /** Per skill: rows inserted and how many of them completed. */
  skills: { skill_name: string; count: number; completed: number }[];
  /**
   * Pseudonyms (see `userPseudonym`) of the users whose `skill_user_interactions` rows this batch
   * changed; empty when the store keeps no interactions.
   */
  users: string[];
}

/** An open store. Close it when done (`await using` works too). */
export interface Store extends AsyncDisposable {
  /** The typed query builder over every table; views are queried with `sql`. */
  readonly db: Kysely<SkillsDatabase>;
  /** Subscribe to committed batches; returns the unsubscribe function. */
  onRecorded(listener: (event: RecordedEvent) => void): () => void;
  close(): Promise<void>;
}

export interface StoreInternals {
  driver: StoreDriver;
  /** Set when the store was opened with a user-pseudonym secret: the recorder then keeps interactions. */
  pseudonymise: Pseudonymise | undefined;
  emit(event: RecordedEvent): void;
}

const internalsByStore = new WeakMap<Store, StoreInternals>();

export function createStore(
  driver: StoreDriver,
  onListenerError: (error: unknown) => void,
  pseudonymise?: Pseudonymise,
): Store {
  const listeners = new Set<(event: RecordedEvent) => void>();
  let closed: Promise<void> | undefined;
  const store: Store = {
    db: driver.db,
    onRecorded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed ??= driver.close();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return store.close();
    },
  };
  internalsByStore.set(store, {
    driver,
    pseudonymise,
    emit(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  });
  return store;
}

export function internals(store: Store): StoreInternals {
  const found = internalsByStore.get(store);
  if (!found) throw new TypeError('not a store opened by openStore()');
  return found;
}
