import type { Compilable, InsertQueryBuilder, InsertResult, Kysely, RawBuilder } from 'kysely';
import type { toInvocation } from '../queries/invocation-view.js';
import type { RemoteLocation } from '../recorded-events.js';
import type { SkillsDatabase } from '../schema.js';

/**
 * Builds one statement over a list of rows. It must place row fields as plain values (no JS
 * arithmetic on them): the SQLite driver compiles it once for a placeholder row and then runs the
 * prepared statement per row, the PostgreSQL driver runs it over many rows at once.
 */
export type RowsStatement<Row> = (db: Kysely<SkillsDatabase>, rows: Row[]) => Compilable;

/** Builds an `INSERT … ON CONFLICT DO NOTHING` over rows (the driver adds RETURNING where it needs it). */
export type InsertIgnoreStatement<Row> = (
  db: Kysely<SkillsDatabase>,
  rows: Row[],
  // biome-ignore lint/suspicious/noExplicitAny: an insert into any table of the database
) => InsertQueryBuilder<SkillsDatabase, any, InsertResult>;

/** Builds a select of the rows matching a list of keys (same rule as RowsStatement for keys). */
export type KeysLookup<Key> = (db: Kysely<SkillsDatabase>, keys: Key[]) => Compilable;

/** What the recorder may do inside one write transaction. */
export interface WriteTx {
  /** Builds queries for `select` (bound to the transaction where the dialect needs it). */
  readonly db: Kysely<SkillsDatabase>;
  /** Insert rows, skipping those whose key exists; returns, per row, whether it was inserted. */
  insertIgnore<Row extends object>(
    statement: InsertIgnoreStatement<Row>,
    rows: Row[],
    keyColumns: readonly (keyof Row & string)[],
  ): Promise<boolean[]>;
  /** Run an insert/upsert over rows. */
  write<Row extends object>(statement: RowsStatement<Row>, rows: Row[]): Promise<void>;
  /** Read the rows matching keys (absent keys simply return nothing). */
  lookup<Key extends object, Out>(lookup: KeysLookup<Key>, keys: Key[]): Promise<Out[]>;
  /** Run one select built for this batch only (not templated). */
  select<Out>(query: Compilable<Out>): Promise<Out[]>;
}

/** One full-text search, its words already split and stop words left out (see searchInvocations). */
export interface SearchQuery {
  words: string[];
  limit: number;
  skill: string | undefined;
  /** The invocation columns to select, as `i.<column>`. */
  columns: RawBuilder<unknown>;
}

/** A stored invocation as the search selects it. */
export type SearchRow = Parameters<typeof toInvocation>[0];

/** How a dialect searches user queries: its full-text index and the SQL that reads it. */
export interface SearchIndex {
  /** Rows whose user query has every word, newest first (ties by id), at most `limit`. */
  find(query: SearchQuery): Promise<SearchRow[]>;
  /** Bring the index up to date (where it lags the table); returns the rows indexed. */
  refresh(): Promise<number>;
}

/**
 * An open connection to one database, as a dialect makes it (see `dialect.ts`).
 * Everything above it is dialect-neutral except the SQL family `kind` names.
 */
export interface StoreDriver {
  /** The SQL family the store's statements are written for (a new dialect reuses one). */
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<SkillsDatabase>;
  /** Only reads are possible (SQLite opened read-only, or a file this process may not write). */
  readonly readonly: boolean;
  /** One write transaction that excludes every other writer of the same database. */
  writeTransaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** A Kysely transaction that excludes other writers like writeTransaction, for maintenance writes. */
  maintenanceTransaction<T>(work: (db: Kysely<SkillsDatabase>) => Promise<T>): Promise<T>;
  /** Full-text search of user queries, as this database indexes them. */
  readonly search: SearchIndex;
  /** Set when other processes' batches can be heard (PostgreSQL's LISTEN): where to listen. */
  readonly remote?: RemoteLocation;
  close(): Promise<void>;
}
