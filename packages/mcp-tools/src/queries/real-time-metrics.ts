import { HOUR_MS, type Store } from '@skills/storage';

/** One skill's figures over the invocations inside a window (the original's `get_real_time_metrics` row). */
export interface RealTimeSkill {
  skill_name: string;
  invocation_count: number;
  completed_count: number;
  /** completed_count / invocation_count, 0–1. */
  completion_rate: number;
  /** Mean duration of completed invocations with a known duration, seconds; 0 when none (as the original). */
  avg_duration: number;
  /** Latest invocation of the skill, epoch ms. */
  last_invocation_at: number;
}

interface Tally {
  count: number;
  completed: number;
  durationSum: number;
  durationCount: number;
}

/**
 * Per skill, the invocations with `invoked_at ≥ since` (none after is left out, as in the
 * original), busiest first (ties by name). Exact at any window: whole hours come from the hourly
 * rollups and at most half an hour of raw invocations (through the `invoked_at` index) makes up
 * the partial first hour, so a 24-hour window costs about what a 1-hour one does.
 * @example await realTimeMetrics(store, { since: Date.now() - 3_600_000, limit: 10 })
 */
export async function realTimeMetrics(store: Store, options: { since: number; limit: number }): Promise<RealTimeSkill[]> {
  const { since, limit } = options;
  const hourOfSince = Math.floor(since / HOUR_MS) * HOUR_MS;
  const nextHour = Math.ceil(since / HOUR_MS) * HOUR_MS;
  // The partial hour is read raw from whichever side of `since` is shorter: either the rollup
  // starts at the next whole hour and the rows from `since` to it are added, or the rollup
  // includes since's whole hour and the rows before `since` in it are taken away. At most half
  // an hour of raw rows either way.
  const subtract = since - hourOfSince < nextHour - since;
  const firstWholeHour = subtract ? hourOfSince : nextHour;
  const tallies = new Map<string, Tally>();
  const add = (skill: string, count: number, completed: number, durationSum: number, durationCount: number) => {
    const tally = tallies.get(skill) ?? { count: 0, completed: 0, durationSum: 0, durationCount: 0 };
    tally.count += count;
    tally.completed += completed;
    tally.durationSum += durationSum;
    tally.durationCount += durationCount;
    tallies.set(skill, tally);
  };

  // Whole hours from `firstWholeHour` on, including any after now (future-dated invocations
  // count, as they did in the original), from the rollups.
  const hours = await store.db
    .selectFrom('skill_time_series')
    .select((eb) => [
      'skill_name',
      eb.fn.sum<number>('invocation_count').as('count'),
      eb.fn.sum<number>('completed_count').as('completed'),
      eb.fn.sum<number>('duration_sum').as('duration_sum'),
      eb.fn.sum<number>('duration_count').as('duration_count'),
    ])
    // Phrased per known skill, as topSkills does, so SQLite seeks each skill's hours by primary
    // key instead of scanning the table to group it.
    .where('skill_name', 'in', (eb) => eb.selectFrom('skill_metrics').select('skill_metrics.skill_name'))
    .where('hour_start', '>=', firstWholeHour)
    .groupBy('skill_name')
    .execute();
  for (const row of hours)
    add(row.skill_name, Number(row.count), Number(row.completed), Number(row.duration_sum), Number(row.duration_count));

  // The raw rows of the partial hour. Aggregated here, not with GROUP BY: grouping tempts SQLite
  // into walking the (skill_name, invoked_at) index end to end instead of seeking the range in
  // the invoked_at index.
  const [from, to, sign] = subtract ? [hourOfSince, since, -1] : [since, nextHour, 1];
  if (to > from) {
    const edge = await store.db
      .selectFrom('skill_invocation')
      .select(['skill_name', 'completed', 'duration_seconds'])
      .where('invoked_at', '>=', from)
      .where('invoked_at', '<', to)
      .execute();
    for (const row of edge) {
      const timed = row.completed === 1 && row.duration_seconds !== null;
      add(row.skill_name, sign, row.completed === 1 ? sign : 0, timed ? sign * row.duration_seconds! : 0, timed ? sign : 0);
    }
  }
  if (tallies.size === 0) return [];

  const last = await store.db
    .selectFrom('skill_metrics')
    .select(['skill_name', 'last_invoked'])
    .where('skill_name', 'in', [...tallies.keys()])
    .execute();
  const lastBySkill = new Map(last.map((row) => [row.skill_name, Number(row.last_invoked)]));
  return [...tallies]
    .filter(([, tally]) => tally.count > 0)
    .map(([skill, tally]) => ({
      skill_name: skill,
      invocation_count: tally.count,
      completed_count: tally.completed,
      completion_rate: tally.completed / tally.count,
      avg_duration: tally.durationCount > 0 ? tally.durationSum / tally.durationCount : 0,
      last_invocation_at: lastBySkill.get(skill) ?? since,
    }))
    .sort((a, b) => b.invocation_count - a.invocation_count || (a.skill_name < b.skill_name ? -1 : 1))
    .slice(0, limit);
}
