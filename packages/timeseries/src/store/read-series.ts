import { DURATION_HISTOGRAM_LAYOUT, type Store } from '@skills/storage';
import { sql } from 'kysely';
import { HOUR_MS, MAX_WITHIN_HOUR_TIMED, type SeriesPoint } from '../series.js';

/** Separators of the packed hours (ASCII record and unit separators: never in a number or in the histogram's JSON). */
const RECORD = '\x1e';
const FIELD = '\x1f';

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
 *
 * Each skill's hours come back as one text (`string_agg`, in SQLite and PostgreSQL alike) that is
 * scanned here: a full scan reads some 25,000 rows, and making a row object of each cost twice
 * what SQLite takes to find them (10 M store: 80 ms against 34 ms for the same rows packed). Every
 * value survives the text exactly: integers, and reals as both databases print them, the
 * shortest text that reads back as the same double.
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
  const text = (column: string) => sql`cast(${sql.ref(`t.${column}`)} as text)`;
  // The histogram only for the hours whose within-hour spread the detector uses (2 to
  // MAX_WITHIN_HOUR_TIMED timed completions): the text costs more to read than the rest of the row.
  const { rows } = await sql<PackedRow>`with s (name) as (${names}), r (lo, hi) as (values ${runs})
    select s.name as skill_name, string_agg(
      ${text('hour_start')} || ${FIELD} || ${text('invocation_count')} || ${FIELD} || ${text('completed_count')} || ${FIELD}
        || ${text('duration_count')} || ${FIELD} || coalesce(${text('avg_duration_seconds')}, '') || ${FIELD}
        || case when t.duration_count >= 2 and t.duration_count <= ${MAX_WITHIN_HOUR_TIMED} then t.duration_histogram else '' end,
      ${RECORD}) as hours
    from s cross join r cross join skill_time_series t
    where t.skill_name = s.name and t.hour_start >= r.lo and t.hour_start <= r.hi
    group by s.name`.execute(store.db);
  for (const row of rows) {
    const points = unpackHours(row.hours);
    // Neither database promises string_agg's order within a group without ORDER BY (it is by hour
    // as the rows are read, unless grouping reorders them): sorted here when it is not.
    for (let i = 1; i < points.length; i++) {
      if ((points[i] as SeriesPoint).ts < (points[i - 1] as SeriesPoint).ts) {
        points.sort((a, b) => a.ts - b.ts);
        break;
      }
    }
    series.set(row.skill_name, points);
  }
  return series;
}

/** One skill's hours as `readHours` selects them: `ts␟count␟completed␟timed␟mean duration␟histogram` per hour, ␞ between hours. */
interface PackedRow {
  skill_name: string;
  hours: string;
}

/**
 * The points of one skill's packed hours. Scanned in place rather than split into strings, which
 * took a quarter of the scan: the four integers digit by digit, the mean duration with `Number`,
 * the histogram where it lies.
 */
export function unpackHours(text: string): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  let i = 0;
  /** The integer at i (digits, perhaps after a minus sign), stepping past the separator after it. */
  const integer = () => {
    const negative = text.charCodeAt(i) === 45; /* - */
    if (negative) i += 1;
    let n = 0;
    for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) n = n * 10 + c - 48;
    if (text.charCodeAt(i) !== 31 /* FIELD */)
      throw new Error(`packed hours: expected an integer at ${i} of ${JSON.stringify(text.slice(0, 80))}`);
    i += 1;
    return negative ? -n : n;
  };
  while (i < text.length) {
    const ts = integer();
    const count = integer();
    const completed = integer();
    const durationCount = integer();
    const meanEnd = text.indexOf(FIELD, i);
    const avgDuration = meanEnd === i ? null : Number(text.slice(i, meanEnd));
    let end = text.indexOf(RECORD, meanEnd);
    if (end === -1) end = text.length;
    const logDurationSquares = end === meanEnd + 1 ? null : histogramLogSquares(text, durationCount, meanEnd + 1, end);
    points.push({ ts, count, completed, avgDuration, durationCount, logDurationSquares });
    i = end + 1;
  }
  return points;
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
 * small scanner rather than JSON.parse: the scan reads thousands of rows. `from` / `to`: where the
 * object lies in `histogram` (default the whole text). Null when the text is not such an object
 * or does not hold exactly the hour's `timed` durations.
 */
export function histogramLogSquares(histogram: string, timed: number, from = 0, to = histogram.length): number | null {
  let n = 0;
  let sum = 0;
  let squares = 0;
  let i = from + 1;
  const length = to;
  if (histogram.charCodeAt(from) !== 123 /* { */) return null;
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
