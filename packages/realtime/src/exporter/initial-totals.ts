import { readSkillPhaseTotals, SKILL_DURATION_BUCKETS, type SkillPhaseTotal, type SkillsDatabase } from '@skills/storage';
import type { Kysely } from 'kysely';

/** Upper bounds of `skill_duration_seconds`, as the original exporter (storage's rollup keeps counts per bucket). */
export const DURATION_BUCKETS = SKILL_DURATION_BUCKETS;

/** One (skill, phase, completed) group of the stored invocations. */
export type InvocationGroup = SkillPhaseTotal;

/**
 * Every stored invocation, counted by skill, phase and completion, with its durations bucketed
 * as the histogram buckets them: read from storage's `skill_phase_totals` rollup, one row per
 * group (grouping `skill_invocation` itself took 48 s on a store of 10 M, under the writers' lock).
 * The rollup keeps pruned invocations, as the counters should.
 */
export async function readInvocationGroups(db: Kysely<SkillsDatabase>): Promise<InvocationGroup[]> {
  return readSkillPhaseTotals(db);
}

/** Recorded anomalies per type and skill. */
export async function readAnomalyCounts(
  db: Kysely<SkillsDatabase>,
): Promise<{ anomaly_type: string; skill_name: string; count: number }[]> {
  const rows = await db
    .selectFrom('skill_anomalies')
    .select((eb) => ['anomaly_type', 'skill_name', eb.fn.countAll<number>().as('n')])
    .groupBy(['anomaly_type', 'skill_name'])
    .execute();
  return rows.map((row) => ({ anomaly_type: row.anomaly_type, skill_name: row.skill_name, count: Number(row.n) }));
}

/**
 * The latest invocation time of each session seen since `since`. The recent rows are taken from
 * the time index first (a materialised CTE, on both databases): grouped directly, SQLite walks
 * the whole (session_id, invoked_at) index instead, to read the groups in order — 0.7 s of the
 * server's start on a store of 10 M invocations, for the few sessions of the last 15 minutes.
 */
export async function readActiveSessions(db: Kysely<SkillsDatabase>, since: number): Promise<Map<string, number>> {
  const rows = await db
    .with(
      (cte) => cte('recent').materialized(),
      (qb) => qb.selectFrom('skill_invocation').select(['session_id', 'invoked_at']).where('invoked_at', '>=', since),
    )
    .selectFrom('recent')
    .select((eb) => ['session_id', eb.fn.max<number>('invoked_at').as('last')])
    .groupBy('session_id')
    .execute();
  return new Map(rows.map((row) => [row.session_id, Number(row.last)]));
}
