import { sql, type Kysely } from 'kysely';
import type { RowsStatement, WriteTx } from '../dialect/store-driver.js';
import type { SkillMetricsCacheTable, SkillsDatabase } from '../schema.js';
import { defineRollup, fromExcluded, HOUR_MS, hourOf, keyed, num, run, type RollupCheck } from './rollup.js';
import { skillMetrics, type SkillUpdate } from './skill-metrics.js';
import { findHourRange, skillTimeSeries, type HourDelta } from './skill-time-series.js';

const WINDOW_HOURS = 24;

/** `[count, completed]` per hour of a 24-hour window, oldest first. */
type HourlyWindow = [number, number][];

type MetricsCacheRow = Omit<SkillMetricsCacheTable, 'is_anomalous' | 'anomaly_score'>;

/**
 * `skill_metrics_cache`: each skill's 1 h / 24 h counts over the window ending at the hour of its
 * latest invocation. Its delta is the batch's hours per skill (the hourly rollup's, not a second
 * pass over the rows); the skills' new latest use comes from `skill_metrics`.
 */
export const skillMetricsCache = defineRollup<Map<string, HourDelta[]>>()({
  table: 'skill_metrics_cache',
  after: [skillTimeSeries, skillMetrics],
  delta(_rows, batch) {
    const bySkill = new Map<string, HourDelta[]>();
    for (const hour of batch.deltaOf(skillTimeSeries).values()) {
      const list = bySkill.get(hour.skill);
      if (list) list.push(hour);
      else bySkill.set(hour.skill, [hour]);
    }
    return bySkill;
  },
  async apply(tx, batchHours, batch) {
    await writeMetricsCache(tx, batch.resultOf(skillMetrics), batchHours, batch.now);
  },
  async erase(trx, erased, { now }) {
    // Each erased skill's window from its hours (recomputed first), ending at its latest use now.
    for (const skill of erased.keys()) {
      const metrics = await trx.selectFrom('skill_metrics').select('last_invoked').where('skill_name', '=', skill).executeTakeFirst();
      if (metrics) await run(trx, upsertMetricsCache(trx, [await cacheFromHours(trx, skill, Number(metrics.last_invoked), now)]));
      else await trx.deleteFrom('skill_metrics_cache').where('skill_name', '=', skill).execute();
    }
  },
  recompute: recomputeCache,
});

function parseWindow(json: string | null): HourlyWindow | undefined {
  if (json === null) return undefined;
  try {
    const window: unknown = JSON.parse(json);
    const valid =
      Array.isArray(window) &&
      window.length === WINDOW_HOURS &&
      window.every((pair) => Array.isArray(pair) && pair.length === 2 && Number.isSafeInteger(pair[0]) && Number.isSafeInteger(pair[1]));
    return valid ? (window as HourlyWindow) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cache row keeps the window's hourly counts: they were exact when written (every batch that
 * changes an hour of the skill rewrites them in its transaction) and no stored hour of the skill
 * lies after the window (its end is the skill's latest invocation), so the new window is the old
 * one slid forward, plus this batch's hours inside it. Only a skill without a usable window (new,
 * or stored before schema 0008) has its hourly rows read.
 */
async function writeMetricsCache(tx: WriteTx, updates: SkillUpdate[], batchHours: Map<string, HourDelta[]>, now: number): Promise<void> {
  const windows = new Map<string, { end: number; hours: HourlyWindow }>();
  const unknown: { skill_name: string; from: number; to: number }[] = [];
  for (const { metrics, cached } of updates) {
    const end = metrics.last_invoked - (metrics.last_invoked % HOUR_MS);
    const hours = slideWindow(cached, end);
    if (!hours) {
      // The stored hours, this batch's included, are the whole answer.
      unknown.push({ skill_name: metrics.skill_name, from: end - (WINDOW_HOURS - 1) * HOUR_MS, to: end });
      windows.set(metrics.skill_name, { end, hours: emptyWindow() });
      continue;
    }
    for (const hour of batchHours.get(metrics.skill_name) ?? []) addToWindow(hours, end, hour.start, hour.count, hour.completed);
    windows.set(metrics.skill_name, { end, hours });
  }
  for (const hour of await readHourRanges(tx, unknown)) {
    const window = windows.get(hour.skill_name)!;
    addToWindow(window.hours, window.end, hour.hour_start, hour.invocation_count, hour.completed_count);
  }
  await tx.write(
    upsertMetricsCache,
    updates.map(({ metrics }) => {
      const { end, hours } = windows.get(metrics.skill_name)!;
      return cacheRow(metrics.skill_name, metrics.last_invoked, end, hours, now);
    }),
  );
}

function cacheRow(skill: string, last: number, end: number, hours: HourlyWindow, now: number): MetricsCacheRow {
  let count = 0;
  let completed = 0;
  for (const [c, done] of hours) {
    count += c;
    completed += done;
  }
  return {
    skill_name: skill,
    last_invocation_at: last,
    window_end: end,
    invocation_count_1h: hours[WINDOW_HOURS - 1]![0],
    invocation_count_24h: count,
    completed_count_24h: completed,
    avg_completion_rate_24h: count > 0 ? completed / count : null,
    updated_at: now,
    hourly_window: JSON.stringify(hours),
  };
}

/** The cached window moved forward to end at `end`, or undefined when there is none to trust. */
function slideWindow(cached: SkillUpdate['cached'], end: number): HourlyWindow | undefined {
  if (!cached || cached.windowEnd > end) return undefined;
  const old = parseWindow(cached.hourlyWindow);
  if (!old) return undefined;
  const shift = (end - cached.windowEnd) / HOUR_MS;
  const hours = emptyWindow();
  for (let i = shift; i < WINDOW_HOURS; i++) hours[i - shift] = old[i]!;
  return hours;
}

const emptyWindow = (): HourlyWindow => Array.from({ length: WINDOW_HOURS }, () => [0, 0]);

function addToWindow(window: HourlyWindow, end: number, hour: number, count: number, completed: number): void {
  // No hour of the skill lies after `end`; one before the window is left out.
  const slot = WINDOW_HOURS - 1 - (end - hour) / HOUR_MS;
  if (slot < 0) return;
  window[slot] = [window[slot]![0] + count, window[slot]![1] + completed];
}

/** The stored hourly counts of some skills, each within its own range (one range per skill). */
async function readHourRanges(tx: WriteTx, ranges: { skill_name: string; from: number; to: number }[]) {
  if (ranges.length === 0) return [];
  // Ranges of one batch nearly coincide, so one query over all of them is cheapest; a range far
  // from the others is read on its own.
  const anchor = Math.max(...ranges.map((r) => r.to));
  const near = ranges.filter((r) => anchor - r.to <= 48 * HOUR_MS);
  const far = ranges.filter((r) => anchor - r.to > 48 * HOUR_MS);
  const byName = new Map(ranges.map((r) => [r.skill_name, r]));
  return [
    ...(await tx.select(
      findHourRange(
        tx.db,
        near.map((r) => r.skill_name),
        Math.min(...near.map((r) => r.from)),
        anchor,
      ),
    )),
    ...(await Promise.all(far.map((r) => tx.select(findHourRange(tx.db, [r.skill_name], r.from, r.to))))).flat(),
  ].filter((hour) => {
    const range = byName.get(hour.skill_name)!;
    return hour.hour_start >= range.from && hour.hour_start <= range.to;
  });
}

/** The skill's 24-hour window ending at the hour of `last`, from its hourly rows. */
async function cacheFromHours(trx: Kysely<SkillsDatabase>, skill: string, last: number, now: number): Promise<MetricsCacheRow> {
  const end = last - (last % HOUR_MS);
  const window = emptyWindow();
  for (const hour of await findHourRange(trx, [skill], end - (WINDOW_HOURS - 1) * HOUR_MS, end).execute()) {
    addToWindow(window, end, Number(hour.hour_start), hour.invocation_count, hour.completed_count);
  }
  return cacheRow(skill, last, end, window, now);
}

/**
 * Each skill's window from the raw invocations, ending at the hour of its latest one. On a pruned
 * store, the part of a window before the cut comes from the hours (checked against each other by
 * the day and lifetime rollups), and a skill with no raw invocation left ends at its latest hour,
 * its latest use known to the hour only.
 */
async function recomputeCache(db: Kysely<SkillsDatabase>, { cut }: { cut: number | null }): Promise<RollupCheck> {
  const span = (WINDOW_HOURS - 1) * HOUR_MS;
  let latest = db
    .selectFrom('skill_invocation')
    .select((eb) => ['skill_name', eb.fn.max('invoked_at').as('last')])
    .groupBy('skill_name');
  if (cut !== null) latest = latest.where('invoked_at', '>=', cut);
  const end = sql<number>`e.last - e.last % ${sql.lit(HOUR_MS)}`;
  let windowsQuery = db
    .selectFrom('skill_invocation as i')
    .innerJoin(latest.as('e'), 'e.skill_name', 'i.skill_name')
    .select((eb) => [
      'i.skill_name',
      'e.last',
      eb.fn.countAll<number>().as('count'),
      eb.fn.sum<number>('i.completed').as('completed'),
      sql<number>`sum(case when i.invoked_at >= ${end} then 1 else 0 end)`.as('count_1h'),
    ])
    .where(sql<boolean>`i.invoked_at >= ${end} - ${sql.lit(span)}`)
    .groupBy(['i.skill_name', 'e.last']);
  if (cut !== null) windowsQuery = windowsQuery.where('i.invoked_at', '>=', cut);
  const expected = new Map<
    string,
    {
      last_invocation_at: number | null;
      window_end: number;
      invocation_count_1h: number;
      invocation_count_24h: number;
      completed_count_24h: number;
    }
  >();
  for (const r of await windowsQuery.execute()) {
    const last = Number(r.last);
    expected.set(r.skill_name, {
      last_invocation_at: last,
      window_end: hourOf(last),
      invocation_count_1h: Number(r.count_1h),
      invocation_count_24h: Number(r.count),
      completed_count_24h: Number(r.completed),
    });
  }
  const stored = keyed(
    await db.selectFrom('skill_metrics_cache').selectAll().execute(),
    (r) => r.skill_name,
    (r) => ({
      last_invocation_at: num(r.last_invocation_at),
      window_end: num(r.window_end),
      invocation_count_1h: num(r.invocation_count_1h),
      invocation_count_24h: num(r.invocation_count_24h),
      completed_count_24h: num(r.completed_count_24h),
    }),
  );
  if (cut !== null) {
    const prunedOnly = await db
      .selectFrom('skill_time_series')
      .select((eb) => ['skill_name', eb.fn.max('hour_start').as('hour')])
      .where('hour_start', '<', cut)
      .groupBy('skill_name')
      .execute();
    for (const p of prunedOnly) {
      if (expected.has(p.skill_name)) continue;
      const hour = Number(p.hour);
      expected.set(p.skill_name, {
        last_invocation_at: hour,
        window_end: hour,
        invocation_count_1h: 0,
        invocation_count_24h: 0,
        completed_count_24h: 0,
      });
      const have = stored.get(p.skill_name);
      const storedLast = have?.last_invocation_at;
      if (have && storedLast !== null && storedLast !== undefined) have.last_invocation_at = hourOf(storedLast);
    }
    for (const [skill, want] of expected) {
      if (want.window_end - span >= cut) continue;
      for (const hour of await findHourRange(db, [skill], want.window_end - span, Math.min(want.window_end, cut - 1)).execute()) {
        want.invocation_count_24h += hour.invocation_count;
        want.completed_count_24h += hour.completed_count;
        if (Number(hour.hour_start) === want.window_end) want.invocation_count_1h += hour.invocation_count;
      }
    }
  }
  return { expected, stored };
}

/** The anomaly columns belong to anomaly detection; the recorder leaves them as they are. */
const upsertMetricsCache: RowsStatement<MetricsCacheRow> = (db, rows) =>
  db
    .insertInto('skill_metrics_cache')
    .values(rows)
    .onConflict((oc) =>
      oc
        .column('skill_name')
        .doUpdateSet(
          fromExcluded([
            'last_invocation_at',
            'window_end',
            'invocation_count_1h',
            'invocation_count_24h',
            'completed_count_24h',
            'avg_completion_rate_24h',
            'updated_at',
            'hourly_window',
          ]),
        ),
    );
