import { sql } from 'kysely';
import type { RowsStatement } from '../dialect/store-driver.js';
import type { DailySkillsTable } from '../schema.js';
import { addExcluded, compositeKey, DAY_MS, defineRollup, keyed, num } from './rollup.js';
import { skillTimeSeries, sumHours } from './skill-time-series.js';

/** Per `compositeKey(day, skill)`: a `mv_daily_skills` row as one batch adds to it. */
export type DayDeltas = Map<string, DailySkillsTable>;

/** `mv_daily_skills`: per UTC day and skill, additive (the database adds a batch to what it has). */
export const dailySkills = defineRollup<DayDeltas>()({
  table: 'mv_daily_skills',
  // Its delta is the hourly rollup's summed per day (no second pass over the rows); an erased day
  // is summed from its hours, recomputed first.
  after: [skillTimeSeries],
  delta(_rows, batch) {
    const days: DayDeltas = new Map();
    for (const hour of batch.deltaOf(skillTimeSeries).values()) {
      const date = hour.start - (hour.start % DAY_MS);
      const key = compositeKey(date, hour.skill);
      let day = days.get(key);
      if (!day) {
        day = {
          date,
          skill_name: hour.skill,
          invocations: 0,
          completions: 0,
          abandonments: 0,
          duration_sum: 0,
          duration_count: 0,
          avg_duration_seconds: null,
        };
        days.set(key, day);
      }
      day.invocations += hour.count;
      day.completions += hour.completed;
      day.duration_sum += hour.durationSum;
      day.duration_count += hour.durationCount;
    }
    return days;
  },
  async apply(tx, days) {
    const rows = [...days.values()];
    for (const day of rows) {
      day.abandonments = day.invocations - day.completions;
      day.avg_duration_seconds = day.duration_count > 0 ? day.duration_sum / day.duration_count : null;
    }
    await tx.write(addDays, rows);
  },
  async erase(trx, erased) {
    // Each erased day as the sum of its hours (already recomputed).
    for (const { skill_name: skill, date } of erased.values()) {
      const sums = await sumHours(trx, skill, { from: date, to: date + DAY_MS });
      await trx.deleteFrom('mv_daily_skills').where('skill_name', '=', skill).where('date', '=', date).execute();
      if (sums.count === 0) continue;
      await trx
        .insertInto('mv_daily_skills')
        .values({
          date,
          skill_name: skill,
          invocations: sums.count,
          completions: sums.completed,
          abandonments: sums.count - sums.completed,
          duration_sum: sums.durationSum,
          duration_count: sums.durationCount,
          avg_duration_seconds: sums.durationCount > 0 ? sums.durationSum / sums.durationCount : null,
        })
        .execute();
    }
  },
  async recompute(db, { cut }) {
    const dayStart = sql<number>`invoked_at - invoked_at % ${sql.lit(DAY_MS)}`;
    const timed = sql<number>`sum(case when completed = 1 and duration_seconds is not null then 1 else 0 end)`;
    let daysQuery = db
      .selectFrom('skill_invocation')
      .select((eb) => [
        'skill_name',
        dayStart.as('date'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.sum<number>('completed').as('completed'),
        timed.as('timed'),
      ])
      .groupBy(['skill_name', dayStart]);
    if (cut !== null) daysQuery = daysQuery.where('invoked_at', '>=', cut);
    const days = await daysQuery.execute();
    if (cut !== null) {
      // Days before the cut: each against the sum of its hours (the raw invocations are gone).
      const hourDay = sql<number>`hour_start - hour_start % ${sql.lit(DAY_MS)}`;
      const prunedDays = await db
        .selectFrom('skill_time_series')
        .select((eb) => [
          'skill_name',
          hourDay.as('date'),
          eb.fn.sum<number>('invocation_count').as('count'),
          eb.fn.sum<number>('completed_count').as('completed'),
          eb.fn.sum<number>('duration_count').as('timed'),
        ])
        .where('hour_start', '<', cut)
        .groupBy(['skill_name', hourDay])
        .execute();
      days.push(...prunedDays);
    }
    const stored = await db.selectFrom('mv_daily_skills').selectAll().execute();
    return {
      expected: keyed(
        days,
        (r) => `${r.skill_name}@${num(r.date)}`,
        (r) => ({ invocations: num(r.count), completions: num(r.completed), duration_count: num(r.timed) }),
      ),
      stored: keyed(
        stored,
        (r) => `${r.skill_name}@${r.date}`,
        (r) => ({ invocations: r.invocations, completions: r.completions, duration_count: r.duration_count }),
      ),
    };
  },
});

/** Daily rows are additive: the database adds the batch's delta to what it has. */
const addDays: RowsStatement<DailySkillsTable> = (db, rows) =>
  db
    .insertInto('mv_daily_skills')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['date', 'skill_name']).doUpdateSet({
        ...addExcluded('mv_daily_skills', ['invocations', 'completions', 'abandonments', 'duration_sum', 'duration_count']),
        avg_duration_seconds: sql`case when mv_daily_skills.duration_count + excluded.duration_count > 0
          then (mv_daily_skills.duration_sum + excluded.duration_sum)
             / (mv_daily_skills.duration_count + excluded.duration_count) end`,
      }),
    );
