import { DAY_MS, HOUR_MS, isWeekend, type DenseSeries } from '../series.js';

/**
 * The like-with-like comparison for one window of hours: the same hours of the day on earlier
 * days whose hours fall on the same day types (weekday or weekend) as the judged ones, when there
 * are enough of those; otherwise every earlier day, with volumes rescaled by the weekend/weekday
 * traffic ratio seen in the history.
 */
export interface References {
  /** Index of the last hour of the judged window, and the window's length in hours. */
  end: number;
  hours: number;
  /** For each reference day, the index of its window's last hour (`end` − 24·k). */
  ends: number[];
  /** Whether every reference hour has the day type of the hour it stands for. */
  sameDayType: boolean;
  /**
   * Mean hourly volume on weekend hours over that on weekday hours, in the history; undefined
   * when the references all share the day type or when it cannot be estimated.
   */
  weekendRatio: number | undefined;
  /** Variance of the log of `weekendRatio` (sampling and day-to-day noise), to widen volume tests by. */
  weekendRatioLogVariance: number;
}

export interface ReferenceOptions {
  baselineDays: number;
  minReferenceDays: number;
}

export const HOURS_PER_DAY = DAY_MS / HOUR_MS;

/**
 * Offsets of the hours that, on each reference day, inform the spread and the weekend ratio: the
 * reference hour and its neighbours (all at least 23 hours before the judged hour).
 */
export const NEIGHBOURS: readonly number[] = [-1, 0, 1];

/**
 * Offsets, from the reference hour, of the hours the weekend/weekday ratio is estimated from: a
 * whole day around it, so a young history's one or two weekend days give a ratio from dozens of
 * hours, not three.
 */
export const RATIO_OFFSETS: readonly number[] = Array.from({ length: 24 }, (_, i) => i - 11);

/** Between-day spread of a day's whole traffic assumed for the weekend ratio's uncertainty (15%). */
const DAY_SPREAD2 = 0.15 ** 2;

/** Reference days for the window of `hours` hours ending at index `end`. */
export function referencesFor(series: DenseSeries, end: number, hours: number, options: ReferenceOptions): References {
  const { ends, sameDayType } = referenceEnds(series.start, end, hours, options);
  const ratio = sameDayType ? undefined : weekendRatio(series, end, options.baselineDays);
  return { end, hours, ends, sameDayType, weekendRatio: ratio?.ratio, weekendRatioLogVariance: ratio?.logVariance ?? 0 };
}

/**
 * Which earlier days serve as references: this needs only the calendar (day types) and where the
 * series starts, not its data, so the store can work out what to read before reading it.
 */
function referenceEnds(start: number, end: number, hours: number, options: ReferenceOptions): { ends: number[]; sameDayType: boolean } {
  const weekend: boolean[] = [];
  for (let i = end - hours + 1; i <= end; i++) weekend.push(isWeekend(start + i * HOUR_MS));
  const same: number[] = [];
  const all: number[] = [];
  for (let k = 1; k <= options.baselineDays; k++) {
    const refEnd = end - k * HOURS_PER_DAY;
    if (refEnd - hours + 1 < 0) break;
    all.push(refEnd);
    let matches = true;
    for (let j = 0; j < hours && matches; j++) matches = isWeekend(start + (refEnd - hours + 1 + j) * HOUR_MS) === weekend[j];
    if (matches) same.push(refEnd);
  }
  if (same.length >= options.minReferenceDays || same.length === all.length) return { ends: same, sameDayType: true };
  return { ends: all, sameDayType: false };
}

/**
 * Every hour (index from the series' start) that the robust method reads to judge the hour at
 * index `end`, for the store to fetch exactly those: the judged window; on each reference day the
 * reference hour with its neighbours (spread, and pooling when the exact hour is thin) and the
 * reference window with the hour either side; and, when references of the other day type are
 * needed, a whole day around the hour on every earlier day (weekend ratio).
 */
export function hoursRead(start: number, end: number, windows: readonly number[], options: ReferenceOptions): number[] {
  const hours = new Set<number>();
  const longest = Math.max(1, ...windows);
  for (let j = end - longest + 1; j <= end; j++) hours.add(j);
  const single = referenceEnds(start, end, 1, options);
  for (const refEnd of single.ends) for (const offset of NEIGHBOURS) hours.add(refEnd + offset);
  let fallback = !single.sameDayType;
  for (const windowHours of windows) {
    if (windowHours <= 1 || end + 1 < windowHours) continue;
    const window = referenceEnds(start, end, windowHours, options);
    // With the hour either side, for references too thin at the exact hours.
    for (const refEnd of window.ends) for (let j = refEnd - windowHours; j <= refEnd + 1; j++) hours.add(j);
    fallback ||= !window.sameDayType;
  }
  if (fallback) {
    for (let k = 1; k <= options.baselineDays; k++) for (const offset of RATIO_OFFSETS) hours.add(end - k * HOURS_PER_DAY + offset);
  }
  return [...hours].filter((i) => i >= 0 && i <= end);
}

/**
 * The factor that turns the volume of hour `from` into what it would be on the day type of hour
 * `to`: 1 for the same type, the weekend ratio (or its inverse) otherwise; undefined when needed
 * but unknown.
 */
export function volumeScale(series: DenseSeries, refs: References, to: number, from: number): number | undefined {
  const toWeekend = isWeekend(series.start + to * HOUR_MS);
  const fromWeekend = isWeekend(series.start + from * HOUR_MS);
  if (toWeekend === fromWeekend) return 1;
  if (refs.weekendRatio === undefined) return undefined;
  return toWeekend ? refs.weekendRatio : 1 / refs.weekendRatio;
}

/**
 * Volume of weekend hours over that of weekday hours at the same hours of the day, over a whole
 * day around the judged hour on each earlier day of the baseline: each weekend hour is set against
 * the mean weekday volume at its hour of day (offsets with no weekday hour are left out), so a
 * history whose only weekend hours are at night is not read as a quiet weekend. With the variance
 * of its log (Poisson counts and the day-to-day spread of traffic); undefined without a few hours
 * of each kind or without traffic.
 */
function weekendRatio(series: DenseSeries, end: number, baselineDays: number): { ratio: number; logVariance: number } | undefined {
  const offsets = RATIO_OFFSETS.length;
  weekdaySums.fill(0);
  weekdayHours.fill(0);
  for (let k = 1; k <= baselineDays; k++) {
    for (let o = 0; o < offsets; o++) {
      const i = end - k * HOURS_PER_DAY + (RATIO_OFFSETS[o] as number);
      if (i < 0 || isWeekend(series.start + i * HOUR_MS)) continue;
      weekdaySums[o] = (weekdaySums[o] as number) + (series.count[i] as number);
      weekdayHours[o] = (weekdayHours[o] as number) + 1;
    }
  }
  let weekendSum = 0;
  let expected = 0;
  let weekendCount = 0;
  let weekdaySum = 0;
  let weekdayCount = 0;
  for (let k = 1; k <= baselineDays; k++) {
    for (let o = 0; o < offsets; o++) {
      const i = end - k * HOURS_PER_DAY + (RATIO_OFFSETS[o] as number);
      if (i < 0 || !isWeekend(series.start + i * HOUR_MS) || weekdayHours[o] === 0) continue;
      weekendSum += series.count[i] as number;
      expected += (weekdaySums[o] as number) / (weekdayHours[o] as number);
      weekendCount += 1;
    }
  }
  for (let o = 0; o < offsets; o++) {
    weekdaySum += weekdaySums[o] as number;
    weekdayCount += weekdayHours[o] as number;
  }
  if (weekendCount < 3 || weekdayCount < 3 || expected === 0 || weekendSum === 0 || weekdaySum === 0) return undefined;
  const days = (hours: number) => Math.max(1, hours / HOURS_PER_DAY);
  return {
    ratio: weekendSum / expected,
    logVariance: 1 / weekendSum + 1 / weekdaySum + DAY_SPREAD2 * (1 / days(weekendCount) + 1 / days(weekdayCount)),
  };
}

const weekdaySums = new Float64Array(RATIO_OFFSETS.length);
const weekdayHours = new Float64Array(RATIO_OFFSETS.length);

/** Sum of `values` over the `hours` hours ending at index `end`. */
export function windowSum(values: Float64Array, end: number, hours: number): number {
  let sum = 0;
  for (let i = end - hours + 1; i <= end; i++) sum += values[i] as number;
  return sum;
}

/**
 * Volume of the reference window ending at `refEnd`, each hour rescaled to the day type of the
 * judged hour it stands for; where a rescale is needed but the ratio is unknown (no history of
 * that day type yet), unscaled, and `rescaled` says how many hours were rescaled or would have been.
 */
export function referenceVolume(
  series: DenseSeries,
  refs: References,
  refEnd: number,
): { volume: number; rescaled: number; unknown: boolean } {
  let volume = 0;
  let rescaled = 0;
  let unknown = false;
  for (let j = 0; j < refs.hours; j++) {
    const from = refEnd - refs.hours + 1 + j;
    const scale = volumeScale(series, refs, refs.end - refs.hours + 1 + j, from);
    const sameType = isWeekend(series.start + from * HOUR_MS) === isWeekend(series.start + (refs.end - refs.hours + 1 + j) * HOUR_MS);
    if (!sameType) rescaled += 1;
    if (scale === undefined) unknown = true;
    volume += (series.count[from] as number) * (scale ?? 1);
  }
  return { volume, rescaled, unknown };
}
