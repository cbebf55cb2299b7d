import type { Kysely } from 'kysely';
import { ulid } from 'ulid';
import type { StoreDriver } from './dialect/store-driver.js';
import { bindStoreInternals, notifyingDriver, RemoteFeed, type RecordedInvocation, type RemoteLocation } from './recorded-events.js';
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
  /** The inserted invocations, in input order, as `listInvocations` shows them (without embeddings). */
  invocations: RecordedInvocation[];
  /**
   * `local`: committed by this store; `remote`: committed by another store or process on the same
   * PostgreSQL schema and read back (see `watchRecorded`), where `duplicates` leaves out ids
   * repeated within the batch.
   */
  source: 'local' | 'remote';
}

/** An open store. Close it when done (`await using` works too). */
export interface Store extends AsyncDisposable {
  /** The typed query builder over every table; views are queried with `sql`. */
  readonly db: Kysely<SkillsDatabase>;
  /**
   * Subscribe to the batches this store commits (in-process, right after each commit); returns
   * the unsubscribe function. `watchRecorded` also hears other processes on PostgreSQL.
   */
  onRecorded(listener: (event: RecordedEvent) => void): () => void;
  close(): Promise<void>;
}

export interface StoreInternals {
  driver: StoreDriver;
  /** Set when the store was opened with a user-pseudonym secret: the recorder then keeps interactions. */
  pseudonymise: Pseudonymise | undefined;
  /** Whether anyone listens, so the recorder can skip building events nobody reads. */
  hasListeners(): boolean;
  emit(event: RecordedEvent): void;
  /** PostgreSQL only: the shared LISTEN connection behind `watchRecorded`. */
  feed: RemoteFeed | undefined;
}

const internalsByStore = new WeakMap<Store, StoreInternals>();

export function createStore(
  baseDriver: StoreDriver,
  onListenerError: (error: unknown) => void,
  pseudonymise?: Pseudonymise,
  remote?: RemoteLocation,
): Store {
  const listeners = new Set<(event: RecordedEvent) => void>();
  const origin = ulid();
  const driver = notifyingDriver(baseDriver, origin);
  const feed = remote ? new RemoteFeed(remote, driver.db, origin, pseudonymise, onListenerError) : undefined;
  let closed: Promise<void> | undefined;
  const store: Store = {
    db: driver.db,
    onRecorded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed ??= (async () => {
        await feed?.close();
        await driver.close();
      })();
      return closed;
    },
    [Symbol.asyncDispose]() {
      return store.close();
    },
  };
  internalsByStore.set(store, {
    driver,
    pseudonymise,
    feed,
    hasListeners: () => listeners.size > 0,
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

bindStoreInternals((store) => internals(store).feed, internals);
