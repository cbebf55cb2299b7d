import { sql, type Kysely } from 'kysely';
import type { RowsStatement } from '../dialect/store-driver.js';
import type { InvocationRow } from '../invocation.js';
import type { SkillPhaseTotalsTable, SkillsDatabase } from '../schema.js';
import { addExcluded, compositeKey, defineRollup, keyed, num } from './rollup.js';

/*
 * `skill_phase_totals` (migration 0011): all-time counts per (skill, workflow phase, completed),
 * with the durations in the buckets of the Prometheus exporter's `skill_duration_seconds`, so the
 * exporter's first snapshot reads a few thousand rows instead of grouping every invocation (48 s
 * on a 10 M store, under the writers' lock).
 *
 * A prune (`pruneInvocations`) leaves it as it is, like `skill_metrics`: the counters keep the
 * pruned invocations (a Prometheus counter never goes down). `verifyRollups` checks a pruned store's
 * rows to cover at least the remaining invocations; a store pruned before 0011 was applied counts
 * what remained then (its backfill read the raw invocations only).
 */

/**
 * Upper bounds (seconds) of the exporter's `skill_duration_seconds` buckets, the original's; the
 * rollup counts each bucket (not cumulative) and the rest above the last bound (+Inf). Migration
 * 0011 backfilled with these bounds: changing them needs a migration that refills the table.
 */
export const SKILL_DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300] as const;

/** `bucket_0` … `bucket_8`: invocations with a duration in bucket i of `SKILL_DURATION_BUCKETS`. */
const BUCKET_COLUMNS = [
  'bucket_0',
  'bucket_1',
  'bucket_2',
  'bucket_3',
  'bucket_4',
  'bucket_5',
  'bucket_6',
  'bucket_7',
  'bucket_8',
] as const satisfies readonly (keyof SkillPhaseTotalsTable)[] & { length: typeof SKILL_DURATION_BUCKETS.length };
type BucketColumn = (typeof BUCKET_COLUMNS)[number];

/** The bucket of a duration: i when it is ≤ bound i (and above bound i-1), 9 (+Inf) above the last. */
export function skillDurationBucket(seconds: number): number {
  for (let i = 0; i < SKILL_DURATION_BUCKETS.length; i++) if (seconds <= SKILL_DURATION_BUCKETS[i]!) return i;
  return SKILL_DURATION_BUCKETS.length;
}

/** One (skill, phase, completed) group of every invocation recorded (see `readSkillPhaseTotals`). */
export interface SkillPhaseTotal {
  skill_name: string;
  /** Null when the invocations have no phase (or an empty one). */
  workflow_phase: string | null;
  completed: boolean;
  count: number;
  /** Invocations with a known duration: their sum, and their number per bucket (not cumulative, +Inf last). */
  durationSum: number;
  durationBuckets: number[];
}

/**
 * Every recorded invocation counted by skill, phase and completion, with its durations in the
 * buckets of `SKILL_DURATION_BUCKETS`, read from the rollup (one row per group).
 * @example const groups = await readSkillPhaseTotals(store.db); // [{ skill_name: 'pytest-run', workflow_phase: 'test', completed: true, count: 812, … }]
 */
export async function readSkillPhaseTotals(db: Kysely<SkillsDatabase>): Promise<SkillPhaseTotal[]> {
  const rows = await db.selectFrom('skill_phase_totals').selectAll().execute();
  return rows.map((row) => {
    const buckets = BUCKET_COLUMNS.map((column) => Number(row[column]));
    const timed = Number(row.timed_count);
    buckets.push(timed - buckets.reduce((a, b) => a + b, 0));
    return {
      skill_name: row.skill_name,
      workflow_phase: row.workflow_phase === '' ? null : row.workflow_phase,
      completed: Number(row.completed) === 1,
      count: Number(row.invocation_count),
      durationSum: Number(row.duration_sum),
      durationBuckets: buckets,
    };
  });
}

/** Per `compositeKey(skill, phase, completed)`: what a batch adds to a row. */
export type PhaseDeltas = Map<string, SkillPhaseTotalsTable>;

/** `skill_phase_totals`: additive (the database adds a batch to what it has), like `mv_daily_skills`. */
export const skillPhaseTotals = defineRollup<PhaseDeltas>()({
  table: 'skill_phase_totals',
  delta(rows) {
    const groups: PhaseDeltas = new Map();
    for (const row of rows) foldRow(groups, row);
    return groups;
  },
  async apply(tx, groups) {
    await tx.write(addTotals, [...groups.values()]);
  },
  async erase(trx, erased) {
    // The erased rows' counts subtracted; a group left with no invocation goes.
    const negated = [...erased.values()].map((group) => negate(group));
    if (negated.length === 0) return;
    for (let i = 0; i < negated.length; i += 500) await trx.executeQuery(addTotals(trx, negated.slice(i, i + 500)).compile());
    await trx.deleteFrom('skill_phase_totals').where('invocation_count', '<=', 0).execute();
  },
  async recompute(db, { cut }) {
    const phase = sql<string>`coalesce(workflow_phase, '')`;
    let query = db
      .selectFrom('skill_invocation')
      .select((eb) => [
        'skill_name',
        phase.as('phase'),
        'completed',
        eb.fn.countAll<number>().as('count'),
        eb.fn.count<number>('duration_seconds').as('timed'),
        eb.fn.sum<number>('duration_seconds').as('dsum'),
        ...bucketSums(),
      ])
      .groupBy(['skill_name', phase, 'completed'])
      // In key order, so mismatches come in the same order on both dialects.
      .orderBy('skill_name')
      .orderBy(phase)
      .orderBy('completed');
    if (cut !== null) query = query.where('invoked_at', '>=', cut);
    const values = (r: Record<string, unknown>, names: { count: string; timed: string; dsum: string; bucket: (i: number) => string }) => {
      const out: Record<string, number | null> = {
        invocation_count: num(r[names.count]),
        timed_count: num(r[names.timed]),
        duration_sum: num(r[names.dsum]) ?? 0,
      };
      for (const [i, column] of BUCKET_COLUMNS.entries()) out[column] = num(r[names.bucket(i)]) ?? 0;
      return out;
    };
    const key = (skill: string, phaseName: string, completed: unknown) => compositeKey(skill, phaseName, Number(completed));
    const expected = keyed(
      await query.execute(),
      (r) => key(r.skill_name, r.phase, r.completed),
      (r) => values(r as Record<string, unknown>, { count: 'count', timed: 'timed', dsum: 'dsum', bucket: (i) => `b${i}` }),
    );
    const stored = keyed(
      await db.selectFrom('skill_phase_totals').selectAll().execute(),
      (r) => key(r.skill_name, r.workflow_phase, r.completed),
      (r) =>
        values(r as Record<string, unknown>, {
          count: 'invocation_count',
          timed: 'timed_count',
          dsum: 'duration_sum',
          bucket: (i) => `bucket_${i}`,
        }),
    );
    if (cut === null) return { expected, stored };
    // Pruned: the rows keep the pruned invocations, so each must cover at least the remaining ones
    // (a sum of the same durations in another order may differ in its last bits: allowed for).
    for (const row of expected.values()) row.duration_sum = (row.duration_sum ?? 0) * (1 - 1e-9) - 1e-9;
    return { expected, stored, partial: () => true };
  },
});

/** Add one invocation to its group. */
function foldRow(groups: PhaseDeltas, row: InvocationRow): void {
  const phase = row.workflow_phase ?? '';
  const completed = Number(row.completed);
  const key = compositeKey(row.skill_name, phase, completed);
  let group = groups.get(key);
  if (!group) {
    group = {
      skill_name: row.skill_name,
      workflow_phase: phase,
      completed,
      invocation_count: 0,
      timed_count: 0,
      duration_sum: 0,
      ...emptyBuckets(),
    } as SkillPhaseTotalsTable;
    groups.set(key, group);
  }
  group.invocation_count += 1;
  if (row.duration_seconds !== null) {
    group.timed_count += 1;
    group.duration_sum += row.duration_seconds;
    const bucket = skillDurationBucket(row.duration_seconds);
    if (bucket < BUCKET_COLUMNS.length) group[BUCKET_COLUMNS[bucket]!] += 1;
  }
}

function emptyBuckets(): Record<BucketColumn, number> {
  return Object.fromEntries(BUCKET_COLUMNS.map((column) => [column, 0])) as Record<BucketColumn, number>;
}

function negate(group: SkillPhaseTotalsTable): SkillPhaseTotalsTable {
  const out = { ...group, invocation_count: -group.invocation_count, timed_count: -group.timed_count, duration_sum: -group.duration_sum };
  for (const column of BUCKET_COLUMNS) out[column] = -group[column];
  return out;
}

/**
 * The recompute's (and migration 0011's backfill's) bucket counts: `b<i>` counts durations in
 * bucket i. Nulls fall in no bucket.
 */
function bucketSums() {
  return SKILL_DURATION_BUCKETS.map((bound, i) =>
    sql<number>`sum(case when duration_seconds <= ${sql.lit(bound)}${i === 0 ? sql`` : sql` and duration_seconds > ${sql.lit(SKILL_DURATION_BUCKETS[i - 1]!)}`} then 1 else 0 end)`.as(
      `b${i}`,
    ),
  );
}

const addTotals: RowsStatement<SkillPhaseTotalsTable> = (db, rows) =>
  db
    .insertInto('skill_phase_totals')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['skill_name', 'workflow_phase', 'completed'])
        .doUpdateSet(addExcluded('skill_phase_totals', ['invocation_count', 'timed_count', 'duration_sum', ...BUCKET_COLUMNS])),
    );
