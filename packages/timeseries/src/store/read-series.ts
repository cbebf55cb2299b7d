import { DURATION_HISTOGRAM_LAYOUT, type Store } from '@skills/storage';
import { HOUR_MS, MAX_WITHIN_HOUR_TIMED, type SeriesPoint } from '../series.js';

/**
 * Points of each skill, oldest first, from the `skill_time_series` rows of the given hours (a
 * sorted list of hour starts), of the given skills or of all. Only hours with invocations have
 * rows. A list that is nearly a contiguous range is read as the range.
 */
export async function readHours(store: Store, hours: readonly number[], skills?: readonly string[]): Promise<Map<string, SeriesPoint[]>> {
  const series = new Map<string, SeriesPoint[]>();
  if (hours.length === 0 || (skills !== undefined && skills.length === 0)) return series;
  const first = hours[0] as number;
  const last = hours[hours.length - 1] as number;
  const span = (last - first) / HOUR_MS + 1;
  let query = store.db
    .selectFrom('skill_time_series')
    .select(['skill_name', 'hour_start', 'invocation_count', 'completed_count', 'avg_duration_seconds', 'duration_count'])
    // The histogram only for the hours whose within-hour spread the detector uses (2 to
    // MAX_WITHIN_HOUR_TIMED timed completions): the text costs more to read than the rest of the row.
    .select((eb) =>
      eb
        .case()
        .when(eb.and([eb('duration_count', '>=', 2), eb('duration_count', '<=', MAX_WITHIN_HOUR_TIMED)]))
        .then(eb.ref('duration_histogram'))
        .else(null)
        .end()
        .as('duration_histogram'),
    );
  query =
    span <= hours.length * 1.5
      ? query.where('hour_start', '>=', first).where('hour_start', '<=', last)
      : query.where('hour_start', 'in', [...hours]);
  if (skills !== undefined) query = query.where('skill_name', 'in', [...skills]);
  const wanted = span <= hours.length * 1.5 ? new Set(hours) : undefined;
  // No ORDER BY: sorting in the database costs more than sorting each skill's few points here.
  const rows = await query.execute();
  for (const row of rows) {
    if (wanted !== undefined && !wanted.has(row.hour_start)) continue;
    let points = series.get(row.skill_name);
    if (points === undefined) {
      points = [];
      series.set(row.skill_name, points);
    }
    points.push({
      ts: row.hour_start,
      count: row.invocation_count,
      completed: row.completed_count,
      avgDuration: row.avg_duration_seconds,
      durationCount: row.duration_count,
      logDurationSquares: row.duration_histogram === null ? null : histogramLogSquares(row.duration_histogram, row.duration_count),
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
