import type { SkillsDatabase } from '@skills/storage';
import { sql, type Kysely } from 'kysely';

/** Upper bounds of `skill_duration_seconds`, as the original exporter. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300] as const;

/** One (skill, phase, completed) group of the stored invocations. */
export interface InvocationGroup {
  skill_name: string;
  workflow_phase: string | null;
  completed: boolean;
  count: number;
  /** Invocations with a known duration: their sum, and their number per bucket (not cumulative, +Inf last). */
  durationSum: number;
  durationBuckets: number[];
}

/**
 * Every stored invocation, counted by skill, phase and completion, with its durations bucketed
 * as the histogram buckets them: one pass over `skill_invocation` (the rollups keep neither the
 * phase split nor these buckets).
 */
export async function readInvocationGroups(db: Kysely<SkillsDatabase>): Promise<InvocationGroup[]> {
  const bucketColumns = DURATION_BUCKETS.map(
    (bound, i) =>
      sql<number>`sum(case when duration_seconds is not null and duration_seconds <= ${sql.lit(bound)}${
        i === 0 ? sql`` : sql` and duration_seconds > ${sql.lit(DURATION_BUCKETS[i - 1]!)}`
      } then 1 else 0 end)`.as(`b${i}`),
  );
  const rows = await db
    .selectFrom('skill_invocation')
    .select((eb) => [
      'skill_name',
      'workflow_phase',
      'completed',
      eb.fn.countAll<number>().as('n'),
      eb.fn.count<number>('duration_seconds').as('timed'),
      eb.fn.sum<number>('duration_seconds').as('dsum'),
      ...bucketColumns,
    ])
    .groupBy(['skill_name', 'workflow_phase', 'completed'])
    .execute();
  return rows.map((row) => {
    const record = row as unknown as Record<string, number | string | null>;
    const buckets = DURATION_BUCKETS.map((_, i) => Number(record[`b${i}`] ?? 0));
    const timed = Number(row.timed);
    buckets.push(timed - buckets.reduce((a, b) => a + b, 0));
    return {
      skill_name: row.skill_name,
      workflow_phase: row.workflow_phase,
      completed: Number(row.completed) === 1,
      count: Number(row.n),
      durationSum: Number(row.dsum ?? 0),
      durationBuckets: buckets,
    };
  });
}

/** Recorded anomalies per type and skill. */
export async function readAnomalyCounts(db: Kysely<SkillsDatabase>): Promise<{ anomaly_type: string; skill_name: string; count: number }[]> {
  const rows = await db
    .selectFrom('skill_anomalies')
    .select((eb) => ['anomaly_type', 'skill_name', eb.fn.countAll<number>().as('n')])
    .groupBy(['anomaly_type', 'skill_name'])
    .execute();
  return rows.map((row) => ({ anomaly_type: row.anomaly_type, skill_name: row.skill_name, count: Number(row.n) }));
}

/** The latest invocation time of each session seen since `since`. */
export async function readActiveSessions(db: Kysely<SkillsDatabase>, since: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('skill_invocation')
    .select((eb) => ['session_id', eb.fn.max<number>('invoked_at').as('last')])
    .where('invoked_at', '>=', since)
    .groupBy('session_id')
    .execute();
  return new Map(rows.map((row) => [row.session_id, Number(row.last)]));
}
