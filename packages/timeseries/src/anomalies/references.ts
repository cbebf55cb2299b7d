import { DAY_MS, HOUR_MS, isWeekend, type DenseSeries } from '../series.js';

/**
 * The like-with-like comparison for one window of hours: the same hours of the day on earlier
 * days, of the same day type (weekday or weekend) when there are enough of those.
 */
export interface References {
  /** Index of the last hour of the window judged, and the window's length in hours. */
  end: number;
  hours: number;
  /** For each reference day, the index of its window's last hour (`end` − 24·k). */
  ends: number[];
  /** Whether every reference day has the judged day's type. */
  sameDayType: boolean;
  /**
   * Volume multiplier per reference (weekend/weekday traffic ratio when the day types differ,
   * else 1); undefined when types differ and the ratio cannot be estimated from the history.
   */
  volumeScale: number[] | undefined;
}

export interface ReferenceOptions {
  baselineDays: number;
  minReferenceDays: number;
}

const HOURS_PER_DAY = DAY_MS / HOUR_MS;

/** Reference days for the window of `hours` hours ending at index `end`. */
export function referencesFor(series: DenseSeries, end: number, hours: number, options: ReferenceOptions): References {
  const weekend = isWeekend(series.start + end * HOUR_MS);
  const same: number[] = [];
  const all: number[] = [];
  for (let k = 1; k <= options.baselineDays; k++) {
    const refEnd = end - k * HOURS_PER_DAY;
    if (refEnd - hours + 1 < 0) break;
    all.push(refEnd);
    if (isWeekend(series.start + refEnd * HOUR_MS) === weekend) same.push(refEnd);
  }
  if (same.length >= options.minReferenceDays || same.length === all.length) {
    return { end, hours, ends: same, sameDayType: true, volumeScale: same.map(() => 1) };
  }
  const ratio = weekendRatio(series, end, options.baselineDays);
  const volumeScale =
    ratio === undefined
      ? undefined
      : all.map((refEnd) => {
          const refWeekend = isWeekend(series.start + refEnd * HOUR_MS);
          if (refWeekend === weekend) return 1;
          return weekend ? ratio : 1 / ratio;
        });
  return { end, hours, ends: all, sameDayType: false, volumeScale };
}

/**
 * Mean hourly volume on weekend hours over mean hourly volume on weekday hours in the
 * baseline before `end`; undefined without both kinds of day or without traffic.
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
  // A whole day of each kind at least, so the ratio is not one hour's noise.
  if (weekendHours < HOURS_PER_DAY || weekdayHours < HOURS_PER_DAY || weekdaySum === 0 || weekendSum === 0) return undefined;
  return weekendSum / weekendHours / (weekdaySum / weekdayHours);
}

/** Sum of `values` over the `hours` hours ending at index `end`. */
export function windowSum(values: Float64Array, end: number, hours: number): number {
  let sum = 0;
  for (let i = end - hours + 1; i <= end; i++) sum += values[i] as number;
  return sum;
}
