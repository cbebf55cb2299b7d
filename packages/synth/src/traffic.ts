import type { Random } from './random.js';
import { round } from './skill-profiles.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export const WEEKEND_FACTOR = 0.4;
const PEAK_HOUR = 14;
const NIGHT_FLOOR = 0.15;
const PEAK_WIDTH_HOURS = 3.5;
/** Day-to-day variation of traffic: σ of a log-normal factor per day. */
const DAILY_SPREAD = 0.1;

/**
 * Relative traffic of each UTC hour: a working-day bump peaking at 14:00 over a night floor of
 * 15% of the peak.
 */
export const HOURLY_WEIGHTS: readonly number[] = Array.from({ length: 24 }, (_, hour) => {
  const distance = Math.min(Math.abs(hour - PEAK_HOUR), 24 - Math.abs(hour - PEAK_HOUR));
  const bump = Math.exp(-(distance * distance) / (2 * PEAK_WIDTH_HOURS * PEAK_WIDTH_HOURS));
  return round(NIGHT_FLOOR + (1 - NIGHT_FLOOR) * bump, 4);
});

export function hourOfDay(time: number): number {
  return Math.floor((((time % DAY) + DAY) % DAY) / HOUR);
}

function isWeekend(time: number): boolean {
  // 1970-01-01 was a Thursday (day 4 with Sunday = 0).
  const weekday = (((Math.floor(time / DAY) + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/**
 * Splits exactly `total` invocations over the hours of the window: a multinomial draw (a
 * non-homogeneous Poisson process conditioned on its total) whose intensity is the hourly
 * curve × the weekend factor × a log-normal factor per day.
 */
export function allocateHourlyCounts(start: number, hours: number, total: number, random: Random): Float64Array {
  const weights = new Float64Array(hours);
  let dayFactor = 1;
  for (let h = 0; h < hours; h++) {
    if (h % 24 === 0) dayFactor = Math.exp(DAILY_SPREAD * random.normal());
    const middle = start + h * HOUR + HOUR / 2;
    weights[h] = (HOURLY_WEIGHTS[hourOfDay(middle)] as number) * (isWeekend(middle) ? WEEKEND_FACTOR : 1) * dayFactor;
  }
  // Weight still to come at each hour, summed from the end so the last hour gets p = 1.
  const remainingWeight = new Float64Array(hours);
  let suffix = 0;
  for (let h = hours - 1; h >= 0; h--) {
    suffix += weights[h] as number;
    remainingWeight[h] = suffix;
  }
  const counts = new Float64Array(hours);
  let remaining = total;
  for (let h = 0; h < hours && remaining > 0; h++) {
    const p = h === hours - 1 ? 1 : (weights[h] as number) / (remainingWeight[h] as number);
    const count = binomial(remaining, p, random);
    counts[h] = count;
    remaining -= count;
  }
  return counts;
}

/**
 * A Binomial(n, p) draw: exact inversion when the mean is small, a rounded normal
 * approximation (clamped to [0, n]) otherwise.
 */
export function binomial(n: number, p: number, random: Random): number {
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(n, 1 - p, random);
  const mean = n * p;
  if (mean < 30) {
    const q = 1 - p;
    const ratio = p / q;
    let probability = q ** n;
    let u = random.next();
    let k = 0;
    while (u > probability && k < n && probability > 0) {
      u -= probability;
      k++;
      probability *= (ratio * (n - k + 1)) / k;
    }
    return k;
  }
  const draw = Math.round(mean + Math.sqrt(mean * (1 - p)) * random.normal());
  return Math.min(n, Math.max(0, draw));
}
