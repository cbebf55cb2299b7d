import type { OpenStoreOptions } from '../open-store.js';
import type { StoreLocation } from '../store-location.js';
import type { Store } from '../store.js';
import type { StoreFactoriesOptions, StoreFactory } from '../testing.js';
import type { StoreDriver } from './store-driver.js';

/**
 * What one database brings to the store, as a Kysely dialect does: which URLs are its, how to open
 * a driver on them (connection, transactions, bulk writes, full-text search: `StoreDriver`), and
 * how tests get a fresh database of it. Everything else in storage is written against
 * `StoreDriver`; only SQL that must differ asks `driver.kind`, the SQL family a dialect reuses.
 * Register a dialect in `dialects.ts` (see docs/architecture.md, "Add a database dialect").
 */
export interface StoreDialect<Location extends StoreLocation = StoreLocation> {
  /** Short name, for error messages. */
  readonly name: string;
  /** How its URLs start, listed in the "unsupported store URL scheme" error (`postgres://`). */
  readonly urlForm?: string;
  /** The location `url` names when it is this dialect's URL, else undefined (the next dialect is asked). */
  parseUrl(url: string): Location | undefined;
  /**
   * Open a driver on `location` with the options that concern this dialect, checking that the
   * database answers. @throws StoreOpenError when it cannot be opened or reached.
   */
  openDriver(location: Location, options: OpenStoreOptions): Promise<StoreDriver>;
  /**
   * For `@skills/storage/testing`: a factory of fresh, isolated stores of this dialect, or
   * undefined when it cannot be tested here (PostgreSQL without a test URL).
   */
  testFactory?(options: StoreFactoriesOptions, open: (url: string, options?: OpenStoreOptions) => Promise<Store>): StoreFactory | undefined;
}

/** A dialect of any location type, as the registry holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds dialects of different location types
export type AnyStoreDialect = StoreDialect<any>;

/** A URL fit for an error message: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
