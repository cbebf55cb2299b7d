import type { Compilable, InsertQueryBuilder, InsertResult, Kysely } from 'kysely';
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

/** Everything that differs between SQLite and PostgreSQL, behind one small interface. */
export interface StoreDriver {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<SkillsDatabase>;
  /** Only reads are possible (SQLite opened read-only, or a file this process may not write). */
  readonly readonly: boolean;
  /** One write transaction that excludes every other writer of the same database. */
  writeTransaction<T>(work: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** A Kysely transaction that excludes other writers like writeTransaction, for maintenance writes. */
  maintenanceTransaction<T>(work: (db: Kysely<SkillsDatabase>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
