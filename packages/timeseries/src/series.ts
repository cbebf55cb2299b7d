import { ValidationError, type FieldIssue } from '@skills/storage';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Most timed completions in an hour whose within-hour spread of durations is used. Beyond it the
 * hour's mean is precise and the spread between days tells the noise well enough, while the
 * rollup's histogram grows long to read: the scan reads histograms of hours with 2 to this many.
 */
export const MAX_WITHIN_HOUR_TIMED = 30;

/**
 * One hour of one skill: the shape of the `skill_time_series` rollup (and of storage's
 * `hourlySeries` points). Hours with no invocations may be missing: a gap means zero invocations.
 */
export interface SeriesPoint {
  /** Start of the hour, epoch ms (a multiple of 3,600,000). */
  ts: number;
  /** Invocations in the hour. */
  count: number;
  /** Completed invocations in the hour (≤ count). */
  completed: number;
  /** Mean duration in seconds of the completed invocations with a known duration; null when none. */
  avgDuration: number | null;
  /**
   * How many completed invocations `avgDuration` averages (the rollup's `duration_count`);
   * `completed` is assumed when absent.
   */
  durationCount?: number | undefined;
  /**
   * Within the hour: the sum over its timed completions of (ln duration − their mean ln
   * duration)², where known (the store derives it from the rollup's duration histogram). It tells
   * the detector how spread a skill's durations are from every hour with two or more timed
   * completions, not only from how hourly means differ between days.
   */
  logDurationSquares?: number | null | undefined;
}

/**
 * A series as dense arrays over consecutive hours from `start` (gaps filled with zeros), so
 * windows and same-hour references are index arithmetic.
 */
export interface DenseSeries {
  start: number;
  length: number;
  count: Float64Array;
  completed: Float64Array;
  /** Completed invocations with a known duration. */
  timed: Float64Array;
  /** Sum of the known durations (avgDuration × timed). */
  durationSum: Float64Array;
  /** Within-hour sum of squared deviations of log durations, where known (else 0). */
  logSquares: Float64Array;
  /** Its degrees of freedom: timed − 1 where `logDurationSquares` is known and 2 ≤ timed ≤ MAX_WITHIN_HOUR_TIMED, else 0. */
  logSquaresDf: Float64Array;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Check a series and return its points in time order. Unsorted input is sorted; anything
 * that cannot be a rollup hour is a `ValidationError` naming the point and field.
 */
export function checkSeries(series: readonly SeriesPoint[], field = 'series'): SeriesPoint[] {
  if (!Array.isArray(series)) {
    throw new ValidationError([{ index: -1, field, message: 'expected an array of hourly points' }]);
  }
  const issues: FieldIssue[] = [];
  const issue = (index: number, name: string, message: string) => {
    if (issues.length < 20) issues.push({ index, field: `${field}[${index}].${name}`, message });
  };
  series.forEach((point, i) => {
    if (point === null || typeof point !== 'object') {
      issues.push({ index: i, field: `${field}[${i}]`, message: 'expected an object { ts, count, completed, avgDuration }' });
      return;
    }
    if (!Number.isSafeInteger(point.ts) || point.ts % HOUR_MS !== 0)
      issue(i, 'ts', `expected the start of an hour in epoch ms (got ${String(point.ts)})`);
    if (!isCount(point.count)) issue(i, 'count', `expected a finite number ≥ 0 (got ${String(point.count)})`);
    if (!isCount(point.completed)) issue(i, 'completed', `expected a finite number ≥ 0 (got ${String(point.completed)})`);
    else if (isCount(point.count) && point.completed > point.count)
      issue(i, 'completed', `must not exceed count (${point.completed} > ${point.count})`);
    if (point.avgDuration !== null && point.avgDuration !== undefined && !isCount(point.avgDuration)) {
      issue(i, 'avgDuration', `expected null or a finite number ≥ 0 (got ${String(point.avgDuration)})`);
    }
    if (point.logDurationSquares !== null && point.logDurationSquares !== undefined && !isCount(point.logDurationSquares)) {
      issue(i, 'logDurationSquares', `expected null or a finite number ≥ 0 (got ${String(point.logDurationSquares)})`);
    }
    if (
      point.durationCount !== undefined &&
      (!isCount(point.durationCount) || (isCount(point.completed) && point.durationCount > point.completed))
    ) {
      issue(i, 'durationCount', `expected a number from 0 to completed (got ${String(point.durationCount)})`);
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  let sorted = true;
  for (let i = 1; i < series.length; i++) {
    if ((series[i] as SeriesPoint).ts < (series[i - 1] as SeriesPoint).ts) sorted = false;
  }
  const points = sorted ? [...series] : [...series].sort((a, b) => a.ts - b.ts);
  for (let i = 1; i < points.length; i++) {
    if ((points[i] as SeriesPoint).ts === (points[i - 1] as SeriesPoint).ts) {
      throw new ValidationError([
        { index: i, field: `${field}`, message: `two points for the hour ${new Date((points[i] as SeriesPoint).ts).toISOString()}` },
      ]);
    }
  }
  return points;
}

/**
 * Memory a caller that builds many dense series one after another (the store scan: one per
 * skill) lends `denseSeries`, so it allocates once instead of six arrays per series. A series
 * built in it is valid until the next one is.
 */
export interface DenseScratch {
  arrays: Float64Array[];
}

/**
 * Dense arrays over [start, end) (hours); points outside are ignored. Defaults: from the first
 * point to the hour after the last.
 */
export function denseSeries(points: readonly SeriesPoint[], start?: number, end?: number, scratch?: DenseScratch): DenseSeries {
  const first = start ?? points[0]?.ts ?? 0;
  const last = end ?? (points.length > 0 ? (points[points.length - 1] as SeriesPoint).ts + HOUR_MS : first);
  const length = Math.max(0, Math.round((last - first) / HOUR_MS));
  const array = (k: number): Float64Array => {
    if (scratch === undefined) return new Float64Array(length);
    let buffer = scratch.arrays[k];
    if (buffer === undefined || buffer.length < length) {
      buffer = new Float64Array(Math.max(length, 2 * (buffer?.length ?? 0)));
      scratch.arrays[k] = buffer;
    }
    return buffer.subarray(0, length).fill(0);
  };
  const dense: DenseSeries = {
    start: first,
    length,
    count: array(0),
    completed: array(1),
    timed: array(2),
    durationSum: array(3),
    logSquares: array(4),
    logSquaresDf: array(5),
  };
  for (const point of points) {
    const i = (point.ts - first) / HOUR_MS;
    if (i < 0 || i >= length) continue;
    dense.count[i] = point.count;
    dense.completed[i] = point.completed;
    if (point.avgDuration !== null && point.avgDuration !== undefined) {
      const timed = point.durationCount ?? point.completed;
      dense.timed[i] = timed;
      dense.durationSum[i] = point.avgDuration * timed;
      const squares = point.logDurationSquares;
      if (squares !== null && squares !== undefined && timed >= 2 && timed <= MAX_WITHIN_HOUR_TIMED) {
        dense.logSquares[i] = squares;
        dense.logSquaresDf[i] = timed - 1;
      }
    }
  }
  return dense;
}

/** Whether the hour starting at `ts` is on a Saturday or Sunday (UTC). */
export function isWeekend(ts: number): boolean {
  // 1970-01-01 was a Thursday (day 4 with Sunday = 0).
  const weekday = (((Math.floor(ts / DAY_MS) + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** UTC hour of day, 0–23. */
export function hourOfDay(ts: number): number {
  return Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}
