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
}

export interface ReferenceOptions {
  baselineDays: number;
  minReferenceDays: number;
}

export const HOURS_PER_DAY = DAY_MS / HOUR_MS;

/** Reference days for the window of `hours` hours ending at index `end`. */
export function referencesFor(series: DenseSeries, end: number, hours: number, options: ReferenceOptions): References {
  const weekend: boolean[] = [];
  for (let i = end - hours + 1; i <= end; i++) weekend.push(isWeekend(series.start + i * HOUR_MS));
  const same: number[] = [];
  const all: number[] = [];
  for (let k = 1; k <= options.baselineDays; k++) {
    const refEnd = end - k * HOURS_PER_DAY;
    if (refEnd - hours + 1 < 0) break;
    all.push(refEnd);
    let matches = true;
    for (let j = 0; j < hours && matches; j++) matches = isWeekend(series.start + (refEnd - hours + 1 + j) * HOUR_MS) === weekend[j];
    if (matches) same.push(refEnd);
  }
  if (same.length >= options.minReferenceDays || same.length === all.length) {
    return { end, hours, ends: same, sameDayType: true, weekendRatio: undefined };
  }
  return { end, hours, ends: all, sameDayType: false, weekendRatio: weekendRatio(series, end, options.baselineDays) };
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
 * Mean hourly volume on weekend hours over mean hourly volume on weekday hours in the
 * baseline before `end`; undefined without a whole day of each kind or without traffic.
 */
function weekendRatio(series: DenseSeries, end: number, baselineDays: number): number | undefined {
  const from = Math.max(0, end - baselineDays * HOURS_PER_DAY);
  let weekendSum = 0;
  let weekendHours = 0;
  let weekdaySum = 0;
  let weekdayHours = 0;
  for (let i = from; i < end; i++) {
    if (isWeekend(series.start + i * HOUR_MS)) {
      weekendSum += series.count[i] as number;
      weekendHours += 1;
    } else {
      weekdaySum += series.count[i] as number;
      weekdayHours += 1;
    }
  }
  if (weekendHours < HOURS_PER_DAY || weekdayHours < HOURS_PER_DAY || weekdaySum === 0 || weekendSum === 0) return undefined;
  return weekendSum / weekendHours / (weekdaySum / weekdayHours);
}

/** Sum of `values` over the `hours` hours ending at index `end`. */
export function windowSum(values: Float64Array, end: number, hours: number): number {
  let sum = 0;
  for (let i = end - hours + 1; i <= end; i++) sum += values[i] as number;
  return sum;
}

/**
 * Volume of the reference window ending at `refEnd`, each hour rescaled to the day type of the
 * judged hour it stands for; undefined when a rescale is needed but unknown.
 */
export function referenceVolume(series: DenseSeries, refs: References, refEnd: number): number | undefined {
  let sum = 0;
  for (let j = 0; j < refs.hours; j++) {
    const from = refEnd - refs.hours + 1 + j;
    const scale = volumeScale(series, refs, refs.end - refs.hours + 1 + j, from);
    if (scale === undefined) return undefined;
    sum += (series.count[from] as number) * scale;
  }
  return sum;
}
