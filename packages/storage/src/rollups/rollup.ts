import { sql, type Compilable, type Kysely, type RawBuilder } from 'kysely';
import type { WriteTx } from '../dialect/store-driver.js';
import { INVOCATION_COLUMNS } from '../invocation-fields.js';
import type { InvocationRow } from '../invocation.js';
import type { SkillsDatabase } from '../schema.js';
import type { Pseudonymise } from '../user-pseudonyms.js';

/*
 * What every rollup is: one file under rollups/ that folds raw invocations into one table, and
 * one line in `ROLLUPS` (rollups/index.ts). The recorder, `rebuildRollups`, `eraseUserInvocations`
 * and `verifyRollups` loop over that list and know no rollup by name.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The start of the UTC hour of `ms` (also for times before 1970). */
export const hourOf = (ms: number): number => ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);

/**
 * The one way to key a Map by several values (hour and skill, session and skill…): joined with
 * NUL, which no stored text may contain (see invocation.ts), so no two tuples share a key.
 * Fixed arity rather than rest parameters: it runs per row, and allocates nothing but the string.
 * @example compositeKey(hour, 'pytest-run') // '1700000000000\u0000pytest-run'
 */
export function compositeKey(a: string | number, b: string | number, c?: string | number): string {
  return c === undefined ? `${a}\u0000${b}` : `${a}\u0000${b}\u0000${c}`;
}

/** A table a rollup keeps. */
export type RollupTable = keyof SkillsDatabase & string;

/** One batch as the rollups see it, in the order of `ROLLUPS_IN_WRITE_ORDER`. */
export interface Batch {
  /** `updated_at` of the rows written. */
  readonly now: number;
  /** Set when the store keeps pseudonymised user data. */
  readonly pseudonymise: Pseudonymise | undefined;
  /** The delta an earlier rollup (one named in `after`) computed for this batch. */
  deltaOf<D>(rollup: Rollup<D, any, any>): D;
  /** What an earlier rollup's `apply` returned for this batch. */
  resultOf<R>(rollup: Rollup<any, R, any>): R;
}

/** What `verifyRollups` compares for one table: recomputed and stored values per key. */
export interface RollupCheck {
  expected: Map<string, Record<string, number | null>>;
  stored: Map<string, Record<string, number | null>>;
  /**
   * Keys of rows that began before the prune cut: their counts must cover the remaining
   * invocations (at least), their last use must be the last remaining one, and no more is known.
   */
  partial?: (key: string) => boolean;
}

/** What a recomputation may know about the store. */
export interface RecomputeContext {
  /** The prune cut (see `pruneInvocations`): no raw invocation before it; null when never pruned. */
  cut: number | null;
  pseudonymise: Pseudonymise | undefined;
}

/**
 * One rollup table. `Delta` is what a batch of invocations adds (keyed in memory), `Result` what
 * writing it yields to later rollups, `Prior` what must be read before the batch's invocations
 * are inserted (most rollups need nothing).
 */
export interface Rollup<Delta = unknown, Result = unknown, Prior = unknown, Table extends RollupTable = RollupTable> {
  readonly table: Table;
  /** Rollups whose delta, result or rows this one reads: they run first (write and erase). */
  readonly after?: readonly Rollup<any, any, any>[];
  /** Whether the store keeps this table (default: always). */
  kept?(pseudonymise: Pseudonymise | undefined): boolean;
  /**
   * Read, before the batch's invocations are inserted, what the stored invocations already count.
   * A rebuild (from empty tables, in whole hours) does not call it and passes undefined.
   */
  prior?(tx: WriteTx, rows: readonly InvocationRow[]): Promise<Prior>;
  /** Fold a batch of invocations into per-key deltas: one pass, no I/O. */
  delta(rows: readonly InvocationRow[], batch: Batch): Delta;
  /** Merge the delta with the stored rows and write them, in the recorder's transaction. */
  apply(tx: WriteTx, delta: Delta, batch: Batch, prior: Prior | undefined): Promise<Result>;
  /** After invocations were deleted (their delta given), bring the rows they touched back in line. */
  erase(trx: Kysely<SkillsDatabase>, erased: Delta, batch: Batch): Promise<void>;
  /** The table recomputed from `skill_invocation` beside what it stores; undefined when not kept. */
  recompute(db: Kysely<SkillsDatabase>, context: RecomputeContext): Promise<RollupCheck | undefined>;
}

/**
 * A rollup, typed where it is defined (the list holds them as `Rollup`). Curried so that the
 * table's name is inferred as a literal while the delta's types are given: `RebuildResult`'s
 * table keys come from the list, so a new rollup needs no edit elsewhere.
 * @example export const weeklySkills = defineRollup<WeekDeltas>()({ table: 'mv_weekly_skills', … });
 */
export const defineRollup =
  <Delta, Result = void, Prior = undefined>() =>
  <Table extends RollupTable>(rollup: Rollup<Delta, Result, Prior, Table>): Rollup<Delta, Result, Prior, Table> =>
    rollup;

/*
 * The SET clauses of the rollups' `INSERT … ON CONFLICT DO UPDATE`, the same SQL on both dialects.
 */

/** `column = excluded.column` for each: the row merged in memory replaces the stored one. */
export function fromExcluded<C extends string>(columns: readonly C[]): Record<C, RawBuilder<any>> {
  return Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)])) as Record<C, RawBuilder<any>>;
}

/** `column = table.column + excluded.column` for each: the database adds the batch's delta to what it has. */
export function addExcluded<C extends string>(table: string, columns: readonly C[]): Record<C, RawBuilder<any>> {
  return Object.fromEntries(
    columns.map((column) => [column, sql`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`]),
  ) as Record<C, RawBuilder<any>>;
}

/** `first_used` and `last_used` widened to cover both the stored and the batch's span. */
export function widenSpan(table: string): Record<'first_used' | 'last_used', RawBuilder<any>> {
  const [first, last] = [sql.ref(`${table}.first_used`), sql.ref(`${table}.last_used`)];
  return {
    first_used: sql`case when excluded.first_used < ${first} then excluded.first_used else ${first} end`,
    last_used: sql`case when excluded.last_used > ${last} then excluded.last_used else ${last} end`,
  };
}

/** Run one of the recorder's upsert statements on a plain Kysely transaction (erase, rebuild). */
export async function run(trx: Kysely<SkillsDatabase>, statement: Compilable): Promise<void> {
  await trx.executeQuery(statement.compile());
}

/** A column's value from a driver (BIGINT as string on PostgreSQL, SUM as null) as a number. */
export const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export const keyed = <R>(rows: readonly R[], key: (row: R) => string, values: (row: R) => Record<string, number | null>) =>
  new Map(rows.map((row) => [key(row), values(row)]));

/** Drivers may return BIGINTs as strings: the deltas want numbers. */
export function normalise(row: InvocationRow): InvocationRow {
  return {
    ...row,
    invoked_at: Number(row.invoked_at),
    completed: Number(row.completed),
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
  };
}

/** Columns of an invocation no rollup folds: a read for the rollups need not carry them. */
const UNFOLDED = ['workflow_step_id', 'user_query', 'alternatives_considered', 'selection_rank', 'created_at'] as const;
type FoldedColumn = Exclude<(typeof INVOCATION_COLUMNS)[number], (typeof UNFOLDED)[number]>;

/** The columns the rollups are made of: the invocation's columns (invocation-fields.ts) but UNFOLDED. */
export const FOLDED_COLUMNS: readonly FoldedColumn[] = INVOCATION_COLUMNS.filter(
  (column): column is FoldedColumn => !(UNFOLDED as readonly string[]).includes(column),
);

/** Count one more of `key`. */
export function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
