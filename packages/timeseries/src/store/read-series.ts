import { DURATION_HISTOGRAM_LAYOUT, type Store } from '@skills/storage';
import { sql } from 'kysely';
import { HOUR_MS, MAX_WITHIN_HOUR_TIMED, type SeriesPoint } from '../series.js';

/**
 * Points of each skill, oldest first, from the `skill_time_series` rows of the given hours (a
 * sorted list of hour starts), of the given skills or of all. Only hours with invocations have
 * rows.
 *
 * The hours are read as runs of consecutive hours, joined per skill, so that the database seeks
 * the primary key (skill_name, hour_start) once per skill and run and reads each run's rows in
 * order, rather than finding them through the hour index and looking each up in the table (on
 * SQLite, whose rollup table is WITHOUT ROWID, that lookup is a second B-tree search per row).
 * The skills come from `skill_metrics` (every skill with rollups has a row there), or from the
 * list given; CROSS JOIN keeps SQLite's loops in that order (skills, runs, rows).
 */
export async function readHours(store: Store, hours: readonly number[], skills?: readonly string[]): Promise<Map<string, SeriesPoint[]>> {
  const series = new Map<string, SeriesPoint[]>();
  if (hours.length === 0 || (skills !== undefined && skills.length === 0)) return series;
  const ranges = runsOf(hours);
  const runs = sql.join(ranges.map(([lo, hi]) => sql`(cast(${lo} as bigint), cast(${hi} as bigint))`));
  const names =
    skills === undefined
      ? sql`select skill_name as name from skill_metrics`
      : sql`values ${sql.join([...new Set(skills)].map((skill) => sql`(${skill})`))}`;
  // The histogram only for the hours whose within-hour spread the detector uses (2 to
  // MAX_WITHIN_HOUR_TIMED timed completions): the text costs more to read than the rest of the row.
  // No ORDER BY: sorting in the database costs more than sorting each skill's few points here.
  const { rows } = await sql<ReadRow>`with s (name) as (${names}), r (lo, hi) as (values ${runs})
    select t.skill_name, t.hour_start, t.invocation_count, t.completed_count, t.avg_duration_seconds, t.duration_count,
      case when t.duration_count >= 2 and t.duration_count <= ${MAX_WITHIN_HOUR_TIMED} then t.duration_histogram else null end as duration_histogram
    from s cross join r cross join skill_time_series t
    where t.skill_name = s.name and t.hour_start >= r.lo and t.hour_start <= r.hi`.execute(store.db);
  for (const row of rows) {
    let points = series.get(row.skill_name);
    if (points === undefined) {
      points = [];
      series.set(row.skill_name, points);
    }
    points.push({
      ts: Number(row.hour_start),
      count: Number(row.invocation_count),
      completed: Number(row.completed_count),
      avgDuration: row.avg_duration_seconds === null ? null : Number(row.avg_duration_seconds),
      durationCount: Number(row.duration_count),
      logDurationSquares: row.duration_histogram === null ? null : histogramLogSquares(row.duration_histogram, Number(row.duration_count)),
    });
  }
  for (const points of series.values()) {
    for (let i = 1; i < points.length; i++) {
      if ((points[i] as SeriesPoint).ts < (points[i - 1] as SeriesPoint).ts) {
        points.sort((a, b) => a.ts - b.ts);
        break;
      }
    }
  }
  return series;
}

/** A row of `skill_time_series` as `readHours` selects it (raw SQL: numbers as the driver gives them). */
interface ReadRow {
  skill_name: string;
  hour_start: number | string;
  invocation_count: number | string;
  completed_count: number | string;
  avg_duration_seconds: number | string | null;
  duration_count: number | string;
  duration_histogram: string | null;
}

/** Hour starts (in any order, repeats allowed) as [first, last] runs of consecutive hours, oldest first. */
export function runsOf(hours: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const hour of [...hours].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last !== undefined && hour === last[1] + HOUR_MS) last[1] = hour;
    else if (last === undefined || hour > last[1]) runs.push([hour, hour]);
  }
  return runs;
}

/** Log-spaced buckets of the rollup's duration histogram (storage's layout): bucket i is [min·2^(i/steps), min·2^((i+1)/steps)) s. */
const LOG_MIN_SECONDS = Math.log(DURATION_HISTOGRAM_LAYOUT.minSeconds);
const LOG_BUCKET_WIDTH = Math.LN2 / DURATION_HISTOGRAM_LAYOUT.stepsPerDoubling;

/**
 * Within-hour sum of squared deviations of log durations, from the rollup's duration histogram
 * (`{"bucket":count,…}`), each duration at the log-scale centre of its bucket (the buckets are
 * 0.17 wide in log, which adds about 0.0025 to a variance of typically 0.1–0.6). Read with a
 * small scanner rather than JSON.parse: the scan reads thousands of rows. Null when the text is
 * not such an object or does not hold exactly the hour's `timed` durations.
 */
export function histogramLogSquares(histogram: string, timed: number): number | null {
  let n = 0;
  let sum = 0;
  let squares = 0;
  let i = 1;
  const length = histogram.length;
  if (histogram.charCodeAt(0) !== 123 /* { */) return null;
  while (i < length) {
    const c = histogram.charCodeAt(i);
    if (c === 125 /* } */) break;
    if (c !== 34 /* " */) return null;
    let bucket = 0;
    i += 1;
    while (i < length && histogram.charCodeAt(i) >= 48 && histogram.charCodeAt(i) <= 57)
      bucket = bucket * 10 + histogram.charCodeAt(i++) - 48;
    if (histogram.charCodeAt(i) !== 34 || histogram.charCodeAt(i + 1) !== 58 /* : */) return null;
    i += 2;
    let count = 0;
    while (i < length && histogram.charCodeAt(i) >= 48 && histogram.charCodeAt(i) <= 57)
      count = count * 10 + histogram.charCodeAt(i++) - 48;
    const log = LOG_MIN_SECONDS + (bucket + 0.5) * LOG_BUCKET_WIDTH;
    n += count;
    sum += count * log;
    squares += count * log * log;
    if (histogram.charCodeAt(i) === 44 /* , */) i += 1;
  }
  return n > 0 && n === timed ? Math.max(0, squares - (sum * sum) / n) : null;
}

/** Hour in which each skill was first invoked (from `skill_metrics`), for the given skills or all. */
export async function firstHours(store: Store, skills?: readonly string[]): Promise<Map<string, number>> {
  let query = store.db.selectFrom('skill_metrics').select(['skill_name', 'first_invoked']);
  if (skills !== undefined) {
    if (skills.length === 0) return new Map();
    query = query.where('skill_name', 'in', [...skills]);
  }
  const rows = await query.execute();
  return new Map(rows.map((row) => [row.skill_name, row.first_invoked - (row.first_invoked % HOUR_MS)]));
}
