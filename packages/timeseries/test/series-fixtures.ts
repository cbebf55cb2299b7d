import type { SeriesPoint } from '../src/series.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Monday 2026-01-05 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 0, 5);

import { seededRandom } from '@skills/storage/testing';

export { seededRandom };

/** Poisson draw (Knuth for small means, rounded normal above 50). */
function poisson(mean: number, random: () => number): number {
  if (mean > 50) {
    const u = Math.max(1e-12, random());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k += 1;
    p *= random();
  }
  return k;
}

export interface HourShape {
  /** Expected invocations. */
  volume: number;
  /** Completion probability. */
  rate: number;
  /** Median duration in seconds (log-normal, σ = 0.4). */
  duration: number;
}

/** Working-day traffic: a bump peaking at 14:00 over nights at 15%, weekends at 40%. */
export function dailyCycle(ts: number, peak: number): number {
  const hour = new Date(ts).getUTCHours();
  const weekday = new Date(ts).getUTCDay();
  const distance = Math.min(Math.abs(hour - 14), 24 - Math.abs(hour - 14));
  const shape = 0.15 + 0.85 * Math.exp(-(distance * distance) / (2 * 3.5 * 3.5));
  return peak * shape * (weekday === 0 || weekday === 6 ? 0.4 : 1);
}

/**
 * Random hourly points from `start` for `hours` hours, the expected shape of each hour given by
 * `shape`; hours without invocations are left out, as in the rollups. `withinHour`: with each
 * hour's `logDurationSquares`.
 */
export function simulate(start: number, hours: number, shape: (ts: number) => HourShape, seed = 1, withinHour = false): SeriesPoint[] {
  const random = seededRandom(seed);
  const points: SeriesPoint[] = [];
  for (let h = 0; h < hours; h++) {
    const ts = start + h * HOUR;
    const { volume, rate, duration } = shape(ts);
    const count = poisson(volume, random);
    if (count === 0) continue;
    let completed = 0;
    let sum = 0;
    let logSum = 0;
    let logSquares = 0;
    for (let i = 0; i < count; i++) {
      if (random() < rate) {
        completed += 1;
        const z = Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
        sum += duration * Math.exp(0.4 * z);
        logSum += Math.log(duration) + 0.4 * z;
        logSquares += (Math.log(duration) + 0.4 * z) ** 2;
      }
    }
    const point: SeriesPoint = { ts, count, completed, avgDuration: completed > 0 ? sum / completed : null };
    // The within-hour spread of log durations, as the store derives it from the duration histogram.
    if (withinHour && completed > 0) point.logDurationSquares = Math.max(0, logSquares - (logSum * logSum) / completed);
    points.push(point);
  }
  return points;
}

/** Replace (or add) the point of one hour. */
export function withHour(points: readonly SeriesPoint[], point: SeriesPoint): SeriesPoint[] {
  return [...points.filter((p) => p.ts !== point.ts), point].sort((a, b) => a.ts - b.ts);
}
