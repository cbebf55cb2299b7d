import type { Metric } from '../metrics.js';
import { DAY_MS, HOUR_MS, isWeekend, type DenseSeries } from '../series.js';
import { linearRegression } from './linear-regression.js';

/** One day of the trend window: a 24-hour block ending a whole number of days before `until`. */
export interface DailyPoint {
  /** Start of the block, epoch ms. */
  start: number;
  /** Index of the day in the window (0 = oldest): the trend's x. */
  day: number;
  /** The metric over the block (for volume: invocations in it, weekend-adjusted when `weekendFactor` is set). */
  value: number;
  /** Invocations (rate, volume) or timed completions (duration) behind the value. */
  sample: number;
}

export interface DailyPoints {
  points: DailyPoint[];
  /** Volume on weekend hours relative to weekday hours, estimated and divided out; undefined when not applied. */
  weekendFactor: number | undefined;
}

/**
 * The window as consecutive 24-hour blocks ending at the window's end, so that each holds every
 * hour of the day once (the daily cycle cancels out, whatever the time of day). A block with
 * hours before `observedFrom` is left out of volumes (those hours are unknown, not zero); rates
 * and durations skip blocks without invocations.
 */
export function dailyPoints(series: DenseSeries, metric: Metric, days: number, observedFrom: number): DailyPoints {
  const points: DailyPoint[] = [];
  const hoursPerDay = DAY_MS / HOUR_MS;
  const weekendShare: number[] = [];
  for (let day = 0; day < days; day++) {
    const from = day * hoursPerDay;
    const start = series.start + from * HOUR_MS;
    let count = 0;
    let completed = 0;
    let timed = 0;
    let durationSum = 0;
    let weekend = 0;
    for (let i = from; i < from + hoursPerDay; i++) {
      count += series.count[i] as number;
      completed += series.completed[i] as number;
      timed += series.timed[i] as number;
      durationSum += series.durationSum[i] as number;
      if (isWeekend(series.start + i * HOUR_MS)) weekend += 1;
    }
    if (metric === 'invocation_count') {
      if (start < observedFrom) continue;
      points.push({ start, day, value: count, sample: count });
      weekendShare.push(weekend / hoursPerDay);
    } else if (metric === 'completion_rate') {
      if (count > 0) points.push({ start, day, value: completed / count, sample: count });
    } else if (timed > 0) {
      points.push({ start, day, value: durationSum / timed, sample: timed });
    }
  }
  if (metric !== 'invocation_count') return { points, weekendFactor: undefined };
  return adjustForWeekends(points, weekendShare);
}

/**
 * Weekends carry a fraction of weekday traffic; a window that ends on a weekend would otherwise
 * read as a decline. Fit log(volume) = a + b·day + c·weekendShare by least squares (so the weekend
 * effect is estimated apart from the trend) and divide each day by exp(c·weekendShare). Needs at
 * least 4 days and days of different weekend shares.
 */
function adjustForWeekends(points: DailyPoint[], share: number[]): DailyPoints {
  const n = points.length;
  const distinct = new Set(share).size;
  if (n < 4 || distinct < 2) return { points, weekendFactor: undefined };
  // Residualise on the day index, then regress residual log volume on the residual weekend share.
  const days = points.map((p) => p.day);
  const logs = points.map((p) => Math.log(p.value + 0.5));
  const logOnDay = linearRegression(days, logs);
  const shareOnDay = linearRegression(days, share);
  const residualLog = logs.map((v, i) => v - (logOnDay.intercept + logOnDay.slope * (days[i] as number)));
  const residualShare = share.map((v, i) => v - (shareOnDay.intercept + shareOnDay.slope * (days[i] as number)));
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (residualShare[i] as number) * (residualLog[i] as number);
    sxx += (residualShare[i] as number) ** 2;
  }
  if (!(sxx > 1e-12)) return { points, weekendFactor: undefined };
  const c = sxy / sxx;
  return {
    points: points.map((p, i) => ({ ...p, value: p.value / Math.exp(c * (share[i] as number)) })),
    weekendFactor: Math.exp(c),
  };
}
